"""Test support that ships with Bowsprit: a real control plane from envtest binaries."""

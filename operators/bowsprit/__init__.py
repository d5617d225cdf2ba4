"""Bowsprit: Kubernetes-native CI for GitHub projects, in Prow's image."""

__version__ = "0.1.0"

"""Access layers to the outside: Kubernetes, GitHub, S3."""

"""HTTP service: caching reverse proxy for the GitHub API.

Not built yet: this package marks the component's place in the layering contracts.
"""

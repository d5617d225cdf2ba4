"""HTTP service: a caching reverse proxy for the GitHub API (Prow's ghproxy and
pkg/ghcache): cache.py revalidates and coalesces, store.py keeps answers in memory or on
disk, upstream.py throttles requests to GitHub, server.py and main.py serve it.
"""

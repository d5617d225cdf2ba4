"""The in-process Kubernetes API emulator for local mode and tests (issue 4).

Not built yet: this package marks the component's place in the layering contracts.
"""

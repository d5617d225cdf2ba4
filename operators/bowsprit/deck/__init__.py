"""HTTP service: the dashboard and Spyglass.

Not built yet: this package marks the component's place in the layering contracts.
"""

"""kopf operator: tests and merges the pull requests of TidePools.

Not built yet: this package marks the component's place in the layering contracts.
"""

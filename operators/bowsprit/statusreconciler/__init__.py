"""kopf operator: keeps the contexts of open pull requests in step with BlockingPresubmits.

Not built yet: this package marks the component's place in the layering contracts.
"""

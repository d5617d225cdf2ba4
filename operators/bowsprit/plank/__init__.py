"""kopf operator: turns ProwJobs into pods and follows them to a final state (issue 5).

Not built yet: this package marks the component's place in the layering contracts.
"""

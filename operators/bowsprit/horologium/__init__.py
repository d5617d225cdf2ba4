"""kopf operator: turns Periodics into ProwJobs on schedule (issue 7).

Not built yet: this package marks the component's place in the layering contracts.
"""

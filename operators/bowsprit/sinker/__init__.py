"""kopf operator: deletes old ProwJobs and job pods (issue 7).

Not built yet: this package marks the component's place in the layering contracts.
"""

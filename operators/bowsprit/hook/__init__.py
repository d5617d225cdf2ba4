"""HTTP service: GitHub webhooks to plugins and ProwJobs (issue 8).

Not built yet: this package marks the component's place in the layering contracts.
"""

"""kopf operator: reports ProwJob states to GitHub and Slack (issue 8).

Not built yet: this package marks the component's place in the layering contracts.
"""

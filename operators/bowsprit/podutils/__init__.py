"""The utilities that run inside job pods: clonerefs, initupload, entrypoint, sidecar (issue 6).

Not built yet: this package marks the component's place in the layering contracts.
"""

"""What a ProwJob is and what its pod is: labels, downward-API environment, the rendered
pod, the spec a job definition gives its ProwJobs, when a job definition runs (jobs.py)
and who may run it (trust.py).

Pure functions shared by the components (plank creates pods, hook and status-reconciler
pick jobs and trust authors, tide reads required contexts) and the pod utilities (which
run in the pods); no component owns them, so they sit below the components.
"""

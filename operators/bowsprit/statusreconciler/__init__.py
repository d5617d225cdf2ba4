"""kopf operator: keeps the contexts of open pull requests in step with BlockingPresubmits
and Presubmits (Prow's status-reconciler): decide.py holds Prow's rules, records.py what
is remembered on each job definition, apply.py the GitHub side, registry.py the operator.
"""

"""OWNERS files and Prow's approvers logic, shared by the lgtm, approve, verify-owners and
owners-label plugins."""

"""The qualifiers of GitHub's issue search that Prow and Tide use."""

from __future__ import annotations

import shlex

from bowsprit.testing.fakegithub.state import Pull, Repo

# Qualifiers GitHub ORs (`org:a repo:b/c` finds PRs of either; so does `base:x base:y`),
# by group; every other qualifier, and every negated one, must hold on its own.
ANY_OF = {"org": "scope", "repo": "scope", "base": "base"}


def matches(query: str, repo: Repo, pull: Pull) -> bool:
    """Whether a pull request satisfies the qualifiers of `query`."""
    labels = {label.name for label in pull.labels}
    alternatives: dict[str, bool] = {}
    for term in shlex.split(query):
        negated = term.startswith("-")
        key, _, value = term.lstrip("-").partition(":")
        holds = _holds(key, value, repo, pull, labels)
        if key in ANY_OF and not negated:
            group = ANY_OF[key]
            alternatives[group] = alternatives.get(group, False) or holds
        elif holds == negated:
            return False
    return all(alternatives.values())


def _holds(key: str, value: str, repo: Repo, pull: Pull, labels: set[str]) -> bool:
    checks = {
        "is": lambda: (
            value in ("pr", "pull-request")
            or value == pull.state
            or (value == "merged" and pull.merged)
        ),
        "state": lambda: pull.state == value,
        "repo": lambda: repo.full_name == value,
        "org": lambda: repo.org == value,
        "label": lambda: any(each in labels for each in value.split(",")),  # a,b: either
        "base": lambda: pull.base_ref == value,
        "head": lambda: pull.head_ref == value,
        "author": lambda: pull.author == value,
        "milestone": lambda: pull.milestone == value,
        "review": lambda: (
            value == "approved" and any(review.state == "APPROVED" for review in pull.reviews)
        ),
        "archived": lambda: value == "false",
        "draft": lambda: str(pull.draft).lower() == value,
    }
    check = checks.get(key)
    return check() if check is not None else True

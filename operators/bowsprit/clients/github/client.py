"""GitHubClient: every call Bowsprit makes, gathered from the modules named for what they
touch, over one Transport (credentials, retries, rate limits, ETags, endpoints). Prow
composes its `github.Client` of per-area interfaces the same way (PullRequestClient,
IssueClient, CommitClient, TeamClient, ... in pkg/github/client.go), though in one file."""

from __future__ import annotations

from bowsprit.clients.github.issues import IssueCalls
from bowsprit.clients.github.pulls import PullCalls
from bowsprit.clients.github.repos import RepoCalls
from bowsprit.clients.github.search import SearchCalls
from bowsprit.clients.github.users import UserCalls


class GitHubClient(IssueCalls, PullCalls, RepoCalls, UserCalls, SearchCalls):
    """The GitHub REST and GraphQL calls Bowsprit makes, rate-limit aware and retried.

    A new call goes at the end of the class in the module of what it touches (a method
    written for the single-module client moves there unchanged: `self._send`, `_json`,
    `_pages`, `_repo` and `_q` are the same), or in a new `<area>.py` added to the bases
    here."""

"""hook's memory of trust answers: only "yes" remembered, for its TTL, bounded, and
forgotten when a membership webhook comes."""

from __future__ import annotations

import asyncio
from typing import Any

from bowsprit.hook.trustcache import TrustCache


class Asked:
    """GitHub's answers, and every question asked."""

    def __init__(self, members: set[str]) -> None:
        self.members = members
        self.questions: list[tuple[str, ...]] = []

    async def is_member(self, org: str, user: str) -> bool:
        self.questions.append(("member", org, user))
        return user in self.members

    async def is_collaborator(self, org: str, repo: str, user: str) -> bool:
        self.questions.append(("collaborator", org, repo, user))
        return user in self.members

    async def get_branch_sha(self, org: str, repo: str, branch: str) -> str:
        return "f" * 40


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def cache(asked: Asked, clock: Clock, **kwargs: Any) -> TrustCache:
    return TrustCache(asked, ttl=300, clock=clock, **kwargs)  # type: ignore[arg-type]


def test_yes_is_remembered_until_the_ttl() -> None:
    asked, clock = Asked({"alice"}), Clock()
    trust = cache(asked, clock)
    answers = [asyncio.run(trust.is_member("Org", "alice")) for _ in range(3)]
    assert answers == [True] * 3 and len(asked.questions) == 1
    assert asyncio.run(trust.is_member("org", "ALICE"))  # logins and orgs ignore case
    clock.now = 300.0
    assert asyncio.run(trust.is_member("org", "alice"))
    assert len(asked.questions) == 2  # expired: asked again


def test_no_is_asked_every_time_so_a_new_member_is_trusted_at_once() -> None:
    asked, clock = Asked(set()), Clock()
    trust = cache(asked, clock)
    assert not asyncio.run(trust.is_collaborator("org", "repo", "bob"))
    asked.members.add("bob")
    assert asyncio.run(trust.is_collaborator("org", "repo", "bob"))
    assert len(asked.questions) == 2


def test_forget_drops_everything_and_members_and_collaborators_are_apart() -> None:
    asked, clock = Asked({"alice"}), Clock()
    trust = cache(asked, clock)
    asyncio.run(trust.is_member("org", "alice"))
    asyncio.run(trust.is_collaborator("org", "repo", "alice"))
    assert len(asked.questions) == 2
    trust.forget()
    asked.members.clear()
    assert not asyncio.run(trust.is_member("org", "alice"))


def test_bounded_oldest_dropped_first() -> None:
    asked, clock = Asked({"a", "b", "c"}), Clock()
    trust = cache(asked, clock, max_entries=2)
    for user in ("a", "b", "c"):
        asyncio.run(trust.is_member("org", user))
    asyncio.run(trust.is_member("org", "a"))
    assert [q[2] for q in asked.questions] == ["a", "b", "c", "a"]


def test_other_calls_go_to_the_client() -> None:
    trust = cache(Asked(set()), Clock())
    assert asyncio.run(trust.get_branch_sha("org", "repo", "main")) == "f" * 40

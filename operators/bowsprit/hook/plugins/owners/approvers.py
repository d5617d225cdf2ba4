"""Who can approve a set of changed files, and who has: Prow's
pkg/plugins/approve/approvers (Owners, Approvers), as pure functions over a repository's
owners (any object with RepoOwners' queries).

A file is approved when someone in the approvers of its closest OWNERS file, or of any
folder above it (up to a `no_parent_owners` folder), has approved. Suggested approvers
are chosen greedily (whoever covers most unapproved OWNERS files) from the potential
approvers shuffled with the pull request's number as seed: deterministic per PR, but
our own seeded shuffle, not Go's math/rand, so the names chosen among equals can differ from Prow's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Protocol

from bowsprit.hook.plugins.owners.repoowners import ROOT, Layered, canonicalize


class Repo(Protocol):
    owners_filename: str

    def approvers(self, path: str) -> Layered: ...
    def leaf_approvers(self, path: str) -> frozenset[str]: ...
    def find_approver_owners_for_file(self, path: str) -> str: ...
    def is_no_parent_owners(self, path: str) -> bool: ...
    def is_auto_approve_unowned_subfolders(self, folder: str) -> bool: ...


def _dir(path: str) -> str:
    """Go's filepath.Dir (the root is '.')."""
    head = path.rsplit("/", 1)[0] if "/" in path.strip("/") else "."
    return head or "/"


def lower_intersection(one: Iterable[str], other: Iterable[str]) -> set[str]:
    """Prow's CaseInsensitiveIntersection: the members of `one` (as spelled there)."""
    lowered = {item.lower() for item in other}
    return {item for item in one if item.lower() in lowered}


@dataclass(frozen=True)
class Owners:
    filenames: tuple[str, ...]
    repo: Repo
    seed: int = 0

    def owners_set(self) -> set[str]:
        """The OWNERS folders that must approve (subfolders of another one dropped)."""
        return set(self._owners_set)

    @cached_property
    def _owners_set(self) -> frozenset[str]:
        owners: set[str] = set()
        for name in self.filenames:
            owners_file = self.repo.find_approver_owners_for_file(name)
            if owners_file in _dir(_dir(name)) and self.repo.is_auto_approve_unowned_subfolders(
                owners_file
            ):
                continue
            owners.add(owners_file)
        self._remove_subdirs(owners)
        return frozenset(owners)

    @cached_property
    def file_approvers(self) -> tuple[tuple[str, frozenset[str]], ...]:
        """(OWNERS folder, its approvers lower-cased) of each file that needs approval,
        once each: what unapproved_files checks again and again while suggesting."""
        keep = self._owners_set
        pairs: dict[tuple[str, frozenset[str]], None] = {}
        for name in self.filenames:
            owners_file = self.repo.find_approver_owners_for_file(name)
            if owners_file in keep:
                people = frozenset(p.lower() for p in self.repo.approvers(name).set())
                pairs[(owners_file, people)] = None
        return tuple(pairs)

    def _remove_subdirs(self, dirs: set[str]) -> None:
        for folder in sorted(dirs):
            path = folder
            while not self.repo.is_no_parent_owners(path) and canonicalize(path) != ROOT:
                path = _dir(path)
                if canonicalize(path) in dirs:
                    dirs.discard(folder)
                    break

    def _by_owners_file(self, people: Callable[[str], frozenset[str]]) -> dict[str, set[str]]:
        found: dict[str, set[str]] = {}
        for name in self.filenames:
            owners_file = self.repo.find_approver_owners_for_file(name)
            found.setdefault(owners_file, set()).update(people(name))
        keep = self.owners_set()
        return {key: value for key, value in found.items() if key in keep}

    def get_approvers(self) -> dict[str, set[str]]:
        return {key: set(value) for key, value in self._approvers.items()}

    def get_leaf_approvers(self) -> dict[str, set[str]]:
        return {key: set(value) for key, value in self._leaf_approvers.items()}

    @cached_property
    def _approvers(self) -> dict[str, set[str]]:
        return self._by_owners_file(lambda name: self.repo.approvers(name).set())

    @cached_property
    def _leaf_approvers(self) -> dict[str, set[str]]:
        return self._by_owners_file(self.repo.leaf_approvers)

    def all_potential_approvers(self) -> list[str]:
        return sorted(a for people in self.get_leaf_approvers().values() for a in people)

    def shuffled_approvers(self) -> list[str]:
        return seeded_shuffle(self.all_potential_approvers(), self.seed)

    @staticmethod
    def reverse_map(approvers: dict[str, set[str]]) -> dict[str, set[str]]:
        reverse: dict[str, set[str]] = {}
        for owners_file, people in approvers.items():
            for person in people:
                reverse.setdefault(person, set()).add(owners_file)
        return reverse

    def suggested_approvers(self, reverse: dict[str, set[str]], potential: list[str]) -> set[str]:
        ap = Approvers(self)
        while not ap.requirements_met():
            chosen = most_covering(potential, ap.current_set(), reverse, ap.unapproved_files())
            if not chosen:
                break
            ap.add_approver(chosen, "", False)
        return ap.current_set()

    def keep_covering(
        self, reverse: dict[str, set[str]], known: set[str], potential: list[str]
    ) -> set[str]:
        ap = Approvers(self)
        for person in known:
            ap.add_approver(person, "", False)
        unapproved = ap.unapproved_files()
        return {
            person
            for person in sorted(self.suggested_approvers(reverse, potential))
            if reverse.get(person, set()) & unapproved
        }


def seeded_shuffle(items: list[str], seed: int) -> list[str]:
    """Fisher-Yates driven by Knuth's MMIX linear congruential generator: the same order
    for the same seed (the PR number) everywhere, with no global randomness."""
    state = (seed * 6364136223846793005 + 1442695040888963407) % 2**64
    shuffled = list(items)
    for index in range(len(shuffled) - 1, 0, -1):
        state = (state * 6364136223846793005 + 1442695040888963407) % 2**64
        other = (state >> 33) % (index + 1)
        shuffled[index], shuffled[other] = shuffled[other], shuffled[index]
    return shuffled


def most_covering(
    people: list[str], covered: set[str], reverse: dict[str, set[str]], unapproved: set[str]
) -> str:
    """Prow's findMostCoveringApprover (including its comparison of the whole count)."""
    best, most = "", 0
    for person in people:
        can = reverse.get(person, set())
        if len(can & unapproved) > most and person not in covered:
            most, best = len(can), person
    return best


@dataclass(frozen=True)
class Approval:
    login: str
    how: str
    reference: str
    no_issue: bool

    def __str__(self) -> str:
        return f'*<a href="{self.reference}" title="{self.how}">{self.login}</a>*'


@dataclass
class Approvers:
    owners: Owners
    approvals: dict[str, Approval] = field(default_factory=dict)  # lower-cased logins
    assignees: set[str] = field(default_factory=set)
    associated_issue: int = 0
    require_issue: bool = False
    manually_approved: Callable[[], bool] = lambda: False

    def _add(self, login: str, how: str, reference: str, no_issue: bool) -> None:
        found = self.approvals.get(login.lower())
        if found is not None and found.no_issue and not no_issue:
            return  # a no-issue approval is not overridden by a plain one
        self.approvals[login.lower()] = Approval(login, how, reference, no_issue)

    def add_approver(self, login: str, reference: str, no_issue: bool) -> None:
        self._add(login, "Approved", reference, no_issue)

    def add_lgtmer(self, login: str, reference: str, no_issue: bool) -> None:
        self._add(login, "LGTM", reference, no_issue)

    def add_author_self_approver(self, login: str, reference: str, no_issue: bool) -> None:
        self._add(login, "Author self-approved", reference, no_issue)

    def remove_approver(self, login: str) -> None:
        self.approvals.pop(login.lower(), None)

    def add_assignees(self, *logins: str) -> None:
        self.assignees.update(login.lower() for login in logins)

    def current_set(self) -> set[str]:
        return set(self.approvals)

    def current_set_cased(self) -> set[str]:
        return {approval.login for approval in self.approvals.values()}

    def no_issue_approvers(self) -> dict[str, Approval]:
        reverse = Owners.reverse_map(self.owners.get_approvers())
        return {
            login: approval
            for login, approval in self.approvals.items()
            if approval.no_issue and reverse.get(login)
        }

    def files_approvers(self) -> dict[str, set[str]]:
        current = self.current_set_cased()
        return {
            owners_file: lower_intersection(current, potential)
            for owners_file, potential in self.owners.get_approvers().items()
        }

    def unapproved_files(self) -> set[str]:
        """The OWNERS folders none of whose approvers (compared lower-cased) approved."""
        current = set(self.approvals)  # keys are lower-cased logins
        return {
            folder for folder, people in self.owners.file_approvers if people.isdisjoint(current)
        }

    def files(self, base_url: str, branch: str) -> list[str]:
        """One markdown line per OWNERS file: struck through when approved."""
        approvers = self.files_approvers()
        unapproved = self.unapproved_files()
        lines = []
        name = self.owners.repo.owners_filename
        for folder in sorted(self.owners.owners_set()):
            path = folder if folder.endswith(".md") else "/".join(p for p in (folder, name) if p)
            link = f"{base_url}/blob/{branch}/{path}"
            people = ",".join(sorted(approvers.get(folder, set())))
            if folder not in unapproved:
                lines.append(f"- ~~[{path}]({link})~~ [{people}]\n")
            elif people:
                lines.append(
                    f"- **[{path}]({link})** [{people}]\n  > Need more approvers for rest parts.\n"
                )
            else:
                lines.append(f"- **[{path}]({link})**\n")
        return lines

    def ccs(self) -> list[str]:
        randomized = self.owners.shuffled_approvers()
        current = self.current_set()
        with_assignees = current | self.assignees
        leaf_reverse = Owners.reverse_map(self.owners.get_leaf_approvers())
        suggested = self.owners.keep_covering(leaf_reverse, with_assignees, randomized)
        with_suggested = current | suggested
        everyone = with_suggested | self.assignees
        full_reverse = Owners.reverse_map(self.owners.get_approvers())
        keep = self.owners.keep_covering(full_reverse, with_suggested, sorted(everyone))
        return sorted(suggested | keep)

    def are_files_approved(self) -> bool:
        return bool(self.owners.filenames) and not self.unapproved_files()

    def requirements_met(self) -> bool:
        return self.are_files_approved() and (
            not self.require_issue or self.associated_issue != 0 or bool(self.no_issue_approvers())
        )

    def is_approved(self) -> bool:
        return self.requirements_met() or self.manually_approved()

    def list_approvals(self) -> list[Approval]:
        return [self.approvals[login] for login in sorted(self.approvals)]

    def list_no_issue_approvals(self) -> list[Approval]:
        found = self.no_issue_approvers()
        return [found[login] for login in sorted(found)]

    def assigned_ccs(self, ccs: list[str] | None = None) -> list[str]:
        return sorted(set(self.ccs() if ccs is None else ccs) & self.assignees)

    def suggested_ccs(self, ccs: list[str] | None = None) -> list[str]:
        return sorted(set(self.ccs() if ccs is None else ccs) - self.assignees)

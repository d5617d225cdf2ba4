"""verify-owners' checks as pure functions (Prow's pkg/plugins/verify-owners): a changed
OWNERS file must parse, list no banned label, and (at the root) name approvers; the users
a PR newly adds must be trusted."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import yaml

from bowsprit.hook.plugins.owners.repoowners import OwnersError, parse_owners

UNTRUSTED = (
    "The OWNERS file contains untrusted users, which makes it INVALID. The following users "
    "are mentioned in {owners} file(s) but are untrusted for the following reasons. One way "
    "to make the user trusted is to add them as [members]({join}) of the {org} org. You can "
    "then trigger verification by writing `/verify-owners` in a comment."
)
_HUNK = re.compile(r"^@@ -(\d+),?(\d+)? \+(\d+),?(\d+)? @@.*")


def added_lines(patch: str) -> dict[int, int]:
    """Prow's golint.AddedLines: new file line number -> position in the patch (what a
    review comment's `position` is). Empty for a patch it cannot read."""
    result: dict[int, int] = {}
    lines = patch.split("\n") if patch else []
    index = 0
    while index < len(lines):
        if lines[index] == "\\ No newline at end of file":
            index += 1
            continue
        hunk = _HUNK.match(lines[index])
        if hunk is None:
            return {}
        old_len = int(hunk.group(2)) if hunk.group(2) else 1
        new_line = int(hunk.group(3))
        new_len = int(hunk.group(4)) if hunk.group(4) else 1
        old_add = new_add = 0
        while old_add < old_len or new_add < new_len:
            index += 1
            if index >= len(lines) or not lines[index]:
                return {}
            prefix = lines[index][0]
            if prefix == " ":
                old_add, new_add = old_add + 1, new_add + 1
            elif prefix == "-":
                old_add += 1
            elif prefix == "+":
                result[new_line + new_add] = index
                new_add += 1
            else:
                return {}
        index += 1
    return result


@dataclass(frozen=True)
class Problem:
    line: int  # position in the patch, for the review comment
    message: str


def check_owners_file(
    path: str, text: str, patch: str, banned_labels: list[str], owners_name: str
) -> tuple[Problem | None, list[str]]:
    """Prow's parseOwnersFile: a problem, or the people the file lists."""
    try:
        parsed = parse_owners(text, path)
    except OwnersError as error:
        line = 1
        mark = getattr(error.__cause__, "problem_mark", None)
        if isinstance(error.__cause__, yaml.MarkedYAMLError) and mark is not None:
            line = added_lines(patch).get(mark.line + 1, 1)
        return Problem(line, f"Cannot parse file: {error}."), []
    reviewers = [p for entry in parsed.filters.values() for p in entry.reviewers]
    approvers = [p for entry in parsed.filters.values() for p in entry.approvers]
    labels = {label for entry in parsed.filters.values() for label in entry.labels}
    banned = sorted(labels & set(banned_labels))
    if banned:
        return Problem(1, f"File contains banned labels: [{' '.join(banned)}]."), []
    if "/" not in path and not approvers:
        return Problem(1, f"No approvers defined in this root directory {owners_name} file."), []
    return None, reviewers + approvers


def newly_added(owner: str, patch: str) -> bool:
    """Prow checks only users a `+ - user` line of the patch adds."""
    return bool(re.search(rf"\+\s*-\s*\b{re.escape(owner)}\b", patch))


@dataclass
class Untrusted:
    """Untrusted users in the order found, with why and in which files."""

    reasons: dict[str, str] = field(default_factory=dict)
    files: dict[str, list[str]] = field(default_factory=dict)

    def add(self, user: str, reason: str, filename: str) -> None:
        self.reasons.setdefault(user, reason)
        found = self.files.setdefault(user, [])
        if filename not in found:
            found.append(filename)

    def comment(self, org: str, join_url: str, owners_name: str) -> str:
        lines = [UNTRUSTED.format(owners=owners_name, join=join_url, org=org)]
        for user, reason in self.reasons.items():
            lines.append(f"- {user}")
            lines.append(f"  - {reason}")
            lines.extend(f"  - {name}" for name in self.files[user])
        return "\n".join(lines)


def untrusted_reason(member: bool, collaborator: bool | None, secondary: bool | None) -> str:
    """Prow's untrustedReason.String(): what the user is not (None: not asked)."""
    text = ""
    if not member:
        text += "User is not a member of the org. "
    if collaborator is False:
        text += "User is not a collaborator. "
    if secondary is False:
        text += "User is not a member of the trusted secondary org. "
    return text + "Satisfy at least one of these conditions to make the user trusted."

"""OWNERS and OWNERS_ALIASES files, read as Prow's pkg/repoowners does.

Pure: `RepoOwners.build` takes the files' texts (path -> content) and answers who may
approve or review a path, which OWNERS file covers it and which labels it gets. Logins
are compared lower-cased and without a leading `@` (Prow's github.NormLogin); aliases
are expanded. Filter patterns are searched (not anchored) in the path relative to the
OWNERS file's folder, as Go's regexp.MatchString does.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from bowsprit.lib import goregex

OWNERS = "OWNERS"
OWNERS_ALIASES = "OWNERS_ALIASES"
ROOT = ""  # Prow's baseDirConvention: the repository root


class OwnersError(ValueError):
    """An OWNERS or OWNERS_ALIASES file that cannot be read; the message names the field."""


def norm_login(login: str) -> str:
    return login.strip().removeprefix("@").lower()


def norm_logins(logins: Iterable[str]) -> frozenset[str]:
    return frozenset(norm_login(login) for login in logins)


def canonicalize(path: str) -> str:
    return ROOT if path == "." else path.removesuffix("/")


def parent(path: str) -> str:
    """Go's filepath.Dir, canonicalised: the root is ''."""
    return canonicalize(posixpath.dirname(path) or ".")


def relative(base: str, path: str) -> str:
    """Go's filepath.Rel(base, path) for a base that is path or one of its folders."""
    if base == ROOT:
        return path
    if base == path:
        return "."
    return path[len(base) + 1 :]


@dataclass(frozen=True)
class DirOptions:
    no_parent_owners: bool = False
    auto_approve_unowned_subfolders: bool = False


@dataclass(frozen=True)
class OwnersEntry:
    """One `Config` of an OWNERS file (the whole simple file, or one filter)."""

    approvers: tuple[str, ...] = ()
    reviewers: tuple[str, ...] = ()
    required_reviewers: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    emeritus_approvers: tuple[str, ...] = ()

    def empty(self) -> bool:
        return not (self.approvers or self.reviewers or self.required_reviewers or self.labels)


@dataclass(frozen=True)
class OwnersFile:
    """A parsed OWNERS file: `filters` maps a pattern (None: every file) to its entry."""

    options: DirOptions
    filters: dict[str | None, OwnersEntry]


def _strings(data: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = data.get(key)
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(item, str | int) for item in value):
        raise OwnersError(f"{where}.{key}: expected a list of strings")
    return tuple(str(item) for item in value)


def _entry(data: Any, where: str) -> OwnersEntry:
    if data is None:
        return OwnersEntry()
    if not isinstance(data, dict):
        raise OwnersError(f"{where}: expected a mapping")
    return OwnersEntry(
        approvers=_strings(data, "approvers", where),
        reviewers=_strings(data, "reviewers", where),
        required_reviewers=_strings(data, "required_reviewers", where),
        labels=_strings(data, "labels", where),
        emeritus_approvers=_strings(data, "emeritus_approvers", where),
    )


def _options(data: Mapping[str, Any], where: str) -> DirOptions:
    options = data.get("options") or {}
    if not isinstance(options, dict):
        raise OwnersError(f"{where}.options: expected a mapping")
    for key in ("no_parent_owners", "auto_approve_unowned_subfolders"):
        if not isinstance(options.get(key, False), bool):
            raise OwnersError(f"{where}.options.{key}: expected true or false")
    return DirOptions(
        bool(options.get("no_parent_owners", False)),
        bool(options.get("auto_approve_unowned_subfolders", False)),
    )


def _load_yaml(text: str, where: str) -> dict[str, Any]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise OwnersError(f"{where}: {error}") from error
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise OwnersError(f"{where}: expected a mapping at the top")
    return data


def parse_owners(text: str, where: str = OWNERS) -> OwnersFile:
    """Prow's ParseSimpleConfig, then ParseFullConfig when the simple form is empty."""
    data = _load_yaml(text, where)
    options = _options(data, where)
    simple = _entry(data, where)
    if not simple.empty():
        return OwnersFile(options, {None: simple})
    filters = data.get("filters") or {}
    if not isinstance(filters, dict):
        raise OwnersError(f"{where}.filters: expected a mapping of pattern to owners")
    parsed: dict[str | None, OwnersEntry] = {}
    for pattern, entry in filters.items():
        key = None if pattern == ".*" else str(pattern)
        if key is not None:
            try:
                goregex.compile(key)
            except goregex.GoRegexError as error:
                raise OwnersError(f"{where}.filters[{pattern!r}]: {error}") from error
        parsed[key] = _entry(entry, f"{where}.filters[{pattern!r}]")
    return OwnersFile(options, parsed)


def parse_aliases(text: str, where: str = OWNERS_ALIASES) -> dict[str, frozenset[str]]:
    """Prow's ParseAliasesConfig: `aliases: {name: [logins]}`, names lower-cased."""
    data = _load_yaml(text, where)
    aliases = data.get("aliases") or {}
    if not isinstance(aliases, dict):
        raise OwnersError(f"{where}.aliases: expected a mapping")
    result: dict[str, frozenset[str]] = {}
    for name, members in aliases.items():
        if isinstance(members, str):
            raise OwnersError(f"alias group '{name}' must contain a list of members")
        if isinstance(members, dict):
            members = list(members)
        if members is None:
            members = []
        if not isinstance(members, list) or not all(isinstance(m, str) for m in members):
            raise OwnersError(f"{where}.aliases.{name}: expected a list of logins")
        result[norm_login(str(name))] = norm_logins(members)
    return result


def expand_aliases(aliases: Mapping[str, frozenset[str]], logins: Iterable[str]) -> frozenset[str]:
    expanded: set[str] = set()
    for login in logins:
        expanded |= aliases.get(norm_login(login), {login})
    return frozenset(expanded)


# dir -> [(pattern or None, people)], in file order
People = dict[str, list[tuple["goregex.GoRegex | None", frozenset[str]]]]


@dataclass(frozen=True)
class Layered:
    """Prow's layeredsets.String: people by distance from the file (0: its own folder)."""

    layers: tuple[frozenset[str], ...] = ()

    def set(self) -> frozenset[str]:
        return frozenset().union(*self.layers) if self.layers else frozenset()

    def __len__(self) -> int:
        return len(self.set())


@dataclass
class RepoOwners:
    """Prow's RepoOwners: who owns which path, built from one commit's OWNERS files."""

    aliases: dict[str, frozenset[str]] = field(default_factory=dict)
    approvers_by_dir: People = field(default_factory=dict)
    reviewers_by_dir: People = field(default_factory=dict)
    required_by_dir: People = field(default_factory=dict)
    labels_by_dir: People = field(default_factory=dict)
    options: dict[str, DirOptions] = field(default_factory=dict)
    owners_filename: str = OWNERS
    problems: tuple[str, ...] = ()  # files skipped because they did not parse
    # Answers by (query, path): one approve decision asks the same paths many times.
    _memo: dict[tuple[str, str], Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def build(
        cls,
        files: Mapping[str, str],
        *,
        aliases: Mapping[str, frozenset[str]] | None = None,
        owners_filename: str = OWNERS,
        dir_denylist: Iterable[str] = (),
    ) -> RepoOwners:
        """`files` maps each OWNERS file's path to its text. Files under a folder that a
        `dir_denylist` pattern matches are left out; a file that does not parse is left
        out and named in `problems` (Prow logs and skips it)."""
        denied = [goregex.compile(pattern) for pattern in dir_denylist]
        owners = cls(aliases=dict(aliases or {}), owners_filename=owners_filename)
        problems: list[str] = []
        for path in sorted(files):
            folder = parent(path)
            if any(pattern.search(folder) for pattern in denied):
                continue
            try:
                parsed = parse_owners(files[path], path)
            except OwnersError as error:
                problems.append(str(error))
                continue
            for pattern, entry in parsed.filters.items():
                owners._apply(folder, goregex.compile(pattern) if pattern else None, entry)
            if parsed.options != DirOptions():
                owners.options[folder] = parsed.options
        owners.problems = tuple(problems)
        return owners

    def _apply(self, folder: str, pattern: goregex.GoRegex | None, entry: OwnersEntry) -> None:
        for people, target in (
            (entry.approvers, self.approvers_by_dir),
            (entry.reviewers, self.reviewers_by_dir),
            (entry.required_reviewers, self.required_by_dir),
        ):
            if people:
                expanded = expand_aliases(self.aliases, norm_logins(people))
                target.setdefault(folder, []).append((pattern, expanded))
        if entry.labels:
            self.labels_by_dir.setdefault(folder, []).append((pattern, frozenset(entry.labels)))

    def filter_collaborators(self, collaborators: Iterable[str]) -> RepoOwners:
        """Approvers and reviewers who are not collaborators are dropped (Prow does this
        unless `skip_collaborators`)."""
        keep = norm_logins(collaborators)

        def only(people: People) -> People:
            return {d: [(p, s & keep) for p, s in entries] for d, entries in people.items()}

        return RepoOwners(
            self.aliases,
            only(self.approvers_by_dir),
            only(self.reviewers_by_dir),
            self.required_by_dir,
            self.labels_by_dir,
            self.options,
            self.owners_filename,
            self.problems,
        )

    # Queries (Prow's RepoOwner interface) -----------------------------------------------

    def _find_owners(self, path: str, people: People) -> str:
        key = (f"find{id(people)}", path)
        if key not in self._memo:
            self._memo[key] = self._find_owners_uncached(path, people)
        found: str = self._memo[key]
        return found

    def _find_owners_uncached(self, path: str, people: People) -> str:
        folder = path
        while folder != ROOT:
            rel = relative(folder, path)
            for pattern, found in people.get(folder, []):
                if pattern is not None and not pattern.search(rel):
                    continue
                if found:
                    return folder
            folder = parent(folder)
        return ROOT

    def _entries(self, path: str, people: People, leaf_only: bool) -> Layered:
        key = (f"entries{id(people)}{leaf_only}", path)
        if key not in self._memo:
            self._memo[key] = self._entries_uncached(path, people, leaf_only)
        found: Layered = self._memo[key]
        return found

    def _entries_uncached(self, path: str, people: People, leaf_only: bool) -> Layered:
        folder = canonicalize(path)
        layers: list[frozenset[str]] = []
        total: set[str] = set()
        while True:
            rel = relative(folder, path)
            layer: set[str] = set()
            for pattern, found in people.get(folder, []):
                if pattern is None or pattern.search(rel):
                    layer |= found
            layers.append(frozenset(layer))
            total |= layer
            if leaf_only and total:
                break
            if folder == ROOT:
                break
            if self.options.get(folder, DirOptions()).no_parent_owners and total:
                break
            folder = parent(folder)
        return Layered(tuple(layers))

    def find_approver_owners_for_file(self, path: str) -> str:
        return self._find_owners(path, self.approvers_by_dir)

    def find_reviewers_owners_for_file(self, path: str) -> str:
        return self._find_owners(path, self.reviewers_by_dir)

    def find_labels_for_file(self, path: str) -> frozenset[str]:
        return self._entries(path, self.labels_by_dir, False).set()

    def is_no_parent_owners(self, path: str) -> bool:
        return self.options.get(path, DirOptions()).no_parent_owners

    def is_auto_approve_unowned_subfolders(self, folder: str) -> bool:
        return self.options.get(folder, DirOptions()).auto_approve_unowned_subfolders

    def leaf_approvers(self, path: str) -> frozenset[str]:
        return self._entries(path, self.approvers_by_dir, True).set()

    def approvers(self, path: str) -> Layered:
        return self._entries(path, self.approvers_by_dir, False)

    def leaf_reviewers(self, path: str) -> frozenset[str]:
        return self._entries(path, self.reviewers_by_dir, True).set()

    def reviewers(self, path: str) -> Layered:
        return self._entries(path, self.reviewers_by_dir, False)

    def required_reviewers(self, path: str) -> frozenset[str]:
        return self._entries(path, self.required_by_dir, False).set()

    def top_level_approvers(self) -> frozenset[str]:
        return self._entries(".", self.approvers_by_dir, True).set()

    def all_approvers(self) -> frozenset[str]:
        return _all(self.approvers_by_dir)

    def all_reviewers(self) -> frozenset[str]:
        return _all(self.reviewers_by_dir)

    def all_owners(self) -> frozenset[str]:
        return self.all_approvers() | self.all_reviewers()


def _all(people: People) -> frozenset[str]:
    found: set[str] = set()
    for entries in people.values():
        for _, logins in entries:
            found |= logins
    return frozenset(found)

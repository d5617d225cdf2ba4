"""OWNERS files at a commit, read through the GitHub layer and kept by commit SHA.

One commit's owners cost one recursive git-tree request (which lists every OWNERS file
and its blob SHA) plus one blob request per OWNERS file whose content was not read
before: blobs are content-addressed, so when the base branch moves only the OWNERS
files that changed are fetched again. `hack/bench/owners.py` compares that with the
contents API. The collaborator filter (Prow's, unless `skip_collaborators`) is applied
per call, on a listing that the client's ETags make free when unchanged.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Protocol

from bowsprit.api.pluginconfig import OwnersSettings
from bowsprit.hook.plugins.owners.repoowners import (
    OWNERS,
    OWNERS_ALIASES,
    OwnersError,
    RepoOwners,
    parse_aliases,
)

logger = logging.getLogger("bowsprit.hook.owners")

COMMITS_KEPT = 256  # (repo, sha, settings) entries; the least recently used go first
BLOBS_KEPT = 20000


class OwnersGitHub(Protocol):
    async def get_tree(self, org: str, repo: str, sha: str) -> list[dict[str, Any]]: ...
    async def get_blob_text(self, org: str, repo: str, sha: str) -> str: ...
    async def list_collaborators(self, org: str, repo: str) -> list[str]: ...


def filenames(settings: OwnersSettings | None) -> tuple[str, str]:
    settings = settings or OwnersSettings()
    return settings.owners_filename or OWNERS, settings.owners_aliases_filename or OWNERS_ALIASES


def owners_paths(tree: list[dict[str, Any]], owners_name: str) -> dict[str, str]:
    """path -> blob SHA of every OWNERS file in a recursive tree listing."""
    return {
        str(entry["path"]): str(entry["sha"])
        for entry in tree
        if entry.get("type") == "blob"
        and str(entry.get("path", "")).rsplit("/", 1)[-1] == owners_name
    }


@dataclass
class OwnersCache:
    """Shared by every event hook handles; safe for concurrent tasks of one loop."""

    commits: OrderedDict[tuple[str, ...], RepoOwners] = field(default_factory=OrderedDict)
    blobs: OrderedDict[str, str] = field(default_factory=OrderedDict)
    locks: dict[tuple[str, ...], asyncio.Lock] = field(default_factory=dict)
    # The collaborator-filtered owners, kept while owners and collaborators are the same
    # (a new object would lose the answers RepoOwners remembers).
    filtered: OrderedDict[tuple[tuple[str, ...], frozenset[str]], RepoOwners] = field(
        default_factory=OrderedDict
    )

    async def load(
        self,
        github: OwnersGitHub,
        org: str,
        repo: str,
        sha: str,
        settings: OwnersSettings | None = None,
    ) -> RepoOwners:
        """The repository's owners at `sha`, filtered to collaborators unless
        `skip_collaborators`."""
        settings = settings or OwnersSettings()
        owners = await self.unfiltered(github, org, repo, sha, settings)
        if settings.skip_collaborators:
            return owners
        collaborators = frozenset(await github.list_collaborators(org, repo))
        key = (_key(org, repo, sha, settings), collaborators)
        found = self.filtered.get(key)
        if found is None:
            found = self.filtered[key] = owners.filter_collaborators(collaborators)
            while len(self.filtered) > COMMITS_KEPT:
                self.filtered.popitem(last=False)
        return found

    async def unfiltered(
        self, github: OwnersGitHub, org: str, repo: str, sha: str, settings: OwnersSettings
    ) -> RepoOwners:
        owners_name, aliases_name = filenames(settings)
        denylist = tuple(settings.dir_denylist or ())
        key = _key(org, repo, sha, settings)
        lock = self.locks.setdefault(key, asyncio.Lock())
        async with lock:  # one load per commit, however many events wait for it
            found = self.commits.get(key)
            if found is None:
                found = await self._read(
                    github, org, repo, sha, owners_name, aliases_name, denylist
                )
                self.commits[key] = found
                while len(self.commits) > COMMITS_KEPT:
                    old, _ = self.commits.popitem(last=False)
                    self.locks.pop(old, None)
            self.commits.move_to_end(key)
            return found

    async def _blob(self, github: OwnersGitHub, org: str, repo: str, sha: str) -> str:
        text = self.blobs.get(sha)
        if text is None:
            text = await github.get_blob_text(org, repo, sha)
            self.blobs[sha] = text
            while len(self.blobs) > BLOBS_KEPT:
                self.blobs.popitem(last=False)
        return text

    async def _read(
        self,
        github: OwnersGitHub,
        org: str,
        repo: str,
        sha: str,
        owners_name: str,
        aliases_name: str,
        denylist: tuple[str, ...],
    ) -> RepoOwners:
        tree = await github.get_tree(org, repo, sha)
        paths = owners_paths(tree, owners_name)
        texts = {path: await self._blob(github, org, repo, blob) for path, blob in paths.items()}
        aliases: dict[str, frozenset[str]] = {}
        alias_blob = next(
            (
                str(e["sha"])
                for e in tree
                if e.get("path") == aliases_name and e.get("type") == "blob"
            ),
            None,
        )
        if alias_blob is not None:
            try:
                aliases = parse_aliases(await self._blob(github, org, repo, alias_blob))
            except OwnersError as error:  # Prow: an unreadable aliases file means none
                logger.warning("%s/%s@%s: %s; no aliases used", org, repo, sha, error)
        owners = RepoOwners.build(
            texts, aliases=aliases, owners_filename=owners_name, dir_denylist=denylist
        )
        for problem in owners.problems:
            logger.warning("%s/%s@%s: skipped an OWNERS file: %s", org, repo, sha, problem)
        return owners


def _key(org: str, repo: str, sha: str, settings: OwnersSettings) -> tuple[str, ...]:
    owners_name, aliases_name = filenames(settings)
    denylist = tuple(settings.dir_denylist or ())
    return (org.lower(), repo.lower(), sha, owners_name, aliases_name, *denylist)

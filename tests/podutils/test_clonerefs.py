"""clonerefs against real git repositories: bases, batches of pulls, extra refs, aliases,
failures recorded (not raised), tokens censored."""

from __future__ import annotations

from pathlib import Path

import pytest

from bowsprit.api.refs import Refs
from bowsprit.jobpod.options import CloneRefsOptions
from bowsprit.podutils.clonerefs import (
    Cloner,
    CommandFailed,
    Record,
    clone_all,
    pull_ref,
    remote_url,
)
from bowsprit.testing.gitrepos import Remote, git


def refs(remote: Remote, **fields: object) -> Refs:
    body = {"org": remote.org, "repo": remote.name, "base_ref": "main", "clone_uri": remote.url}
    return Refs.model_validate({**body, **fields})


def test_a_batch_merges_every_pull_in_order(tmp_path: Path) -> None:
    remote = Remote(tmp_path / "git")
    base = remote.commit({"a.txt": "a\n"})
    first = remote.pull_request(1, {"one.txt": "1\n"})
    second = remote.pull_request(2, {"two.txt": "2\n"})
    pulls = [
        {"number": 1, "author": "x", "sha": first},
        {"number": 2, "author": "y", "sha": second},
    ]
    options = CloneRefsOptions(
        src_root=str(tmp_path / "go"), refs=[refs(remote, base_sha=base, pulls=pulls)]
    )
    (record,) = clone_all(options, str(tmp_path))
    assert not record.failed
    clone = tmp_path / "go" / "src" / "github.com" / "org" / "repo"
    assert (clone / "one.txt").exists() and (clone / "two.txt").exists()
    assert git(clone, "rev-parse", "HEAD") == record.final_sha
    assert git(clone, "branch", "--show-current") == "main"
    # Merge commits are dated base + 1 s, base + 2 s: the same inputs give the same SHA.
    times = git(clone, "log", "--merges", "--format=%ct").split()
    base_time = int(git(clone, "show", "-s", "--format=%ct", base))
    assert sorted(int(value) for value in times) == [base_time + 1, base_time + 2]


def test_extra_refs_go_to_their_path_alias_and_a_bad_ref_is_recorded(tmp_path: Path) -> None:
    main, other = Remote(tmp_path / "a"), Remote(tmp_path / "b", name="tools")
    main.commit({"main.txt": "m\n"})
    other.commit({"tool.txt": "t\n"})
    options = CloneRefsOptions(
        src_root=str(tmp_path / "go"),
        refs=[
            refs(main, base_ref="no-such-branch"),
            refs(other, path_alias="example.com/tools"),
        ],
    )
    broken, cloned = clone_all(options, str(tmp_path))
    assert broken.failed and not broken.final_sha
    assert "no-such-branch" in broken.commands[-1].command and broken.commands[-1].error
    assert not cloned.failed
    assert (tmp_path / "go" / "src" / "example.com" / "tools" / "tool.txt").exists()


def test_tokens_never_reach_the_records(tmp_path: Path) -> None:
    record = Record(refs={})
    cloner = Cloner(tmp_path, {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}, ["s3cr3t"], record)
    git(tmp_path, "init", "--quiet")
    with pytest.raises(CommandFailed):
        cloner.git("fetch", "/nowhere/s3cr3t/repo", "main")
    assert record.commands and "s3cr3t" not in str(record.commands)
    assert "CENSORED" in record.commands[0].command


def test_remotes_and_pull_refs() -> None:
    plain = Refs(org="o", repo="r")
    assert remote_url(plain, None) == "https://github.com/o/r.git"
    assert remote_url(plain, "tok") == "https://x-access-token:tok@github.com/o/r.git"
    assert remote_url(Refs(org="o", repo="r", clone_uri="file:///x"), "tok") == "file:///x"
    assert pull_ref(5, None, "abc") == "pull/5/head"
    assert pull_ref(5, "refs/changes/5", "abc") == "refs/changes/5"


def test_the_cookiefile_flag_sets_gits_cookie_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Decoration passes `--cookiefile=<path>` as Prow does; clonerefs gives it to git."""
    from bowsprit.cli import main

    remote = Remote(tmp_path / "git")
    remote.commit({"a.txt": "a\n"})
    cookies = tmp_path / "cookies"
    cookies.write_text("# Netscape HTTP Cookie File\n")
    options = CloneRefsOptions(
        src_root=str(tmp_path / "go"), log=str(tmp_path / "clone.json"), refs=[refs(remote)]
    )
    monkeypatch.setenv("CLONEREFS_OPTIONS", options.model_dump_json())
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    assert main(["clonerefs", f"--cookiefile={cookies}"]) == 0
    clone = tmp_path / "go" / "src" / "github.com" / "org" / "repo"
    assert git(clone, "config", "http.cookiefile") == str(cookies)

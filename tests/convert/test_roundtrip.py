"""Round trip: the ProwJobs hook creates from converted CRs are the jobs Prow's rules
select for the same events. Expected job sets are worked out by hand from Prow's
trigger rules (PROW-REFERENCE; pkg/config/jobs.go ShouldRun, pkg/plugins/trigger's
TestAllFilter and RetestFilter, the cases of pkg/config/jobs_test.go), not from our code.
Also: `bowsprit check` reports the same problems on the original and converted files."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from bowsprit.api.pluginconfig import PluginConfigSpec, TriggerSettings
from bowsprit.checkconfig.check import check
from bowsprit.cli import main
from bowsprit.clients.github import GitHubClient, GitHubSettings
from bowsprit.hook.caches import job_store
from bowsprit.hook.effects import CreateProwJob, Effect
from bowsprit.hook.plugins.base import Context
from bowsprit.hook.plugins.trigger import handle_generic_comment, handle_pull_request, handle_push
from bowsprit.jobpod.jobs import Job, JobKind
from bowsprit.testing.fakegithub import FakeGitHub
from tests.hook.test_trigger import BOT, HEAD, MAIN, comment, pr_event, pull, push

PROW_JOBS = r"""
presubmits:
  acme/rocket:
  - name: unit
    always_run: true
    spec: {containers: [{image: golang}]}
  - name: docs
    run_if_changed: '^docs/'
    spec: {containers: [{image: golang}]}
  - name: lint
    optional: true
    skip_if_only_changed: '^docs/|\.md$'
    spec: {containers: [{image: golang}]}
  - name: e2e
    optional: true
    spec: {containers: [{image: golang}]}
  - name: release-check
    always_run: true
    branches: ['^release-.*$']
    spec: {containers: [{image: golang}]}
  - name: integration
    # Go-only syntax: a flag group inside an alternation.
    trigger: '((?m)^/test( | .* )integration,?($|\s.*))|((?m)^/integration\s*$)'
    rerun_command: /test integration
    spec: {containers: [{image: golang}]}
postsubmits:
  acme/rocket:
  - name: deploy
    branches: ['^main$']
    spec: {containers: [{image: busybox}]}
  - name: docs-publish
    branches: ['^main$']
    run_if_changed: '^docs/'
    spec: {containers: [{image: busybox}]}
  - name: branch-build
    skip_branches: ['^main$']
    spec: {containers: [{image: busybox}]}
"""


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> dict[JobKind, tuple[Job, ...]]:
    root = tmp_path_factory.mktemp("roundtrip")
    (root / "jobs.yaml").write_text(PROW_JOBS)
    assert main(["convert", "--jobs", str(root / "jobs.yaml"), "-o", str(root / "out")]) == 0
    items: dict[str, list[dict[str, Any]]] = {}
    for path in (root / "out" / "jobs").rglob("*.yaml"):
        for manifest in yaml.safe_load_all(path.read_text()):
            manifest["metadata"].setdefault("namespace", "ci")
            items.setdefault(manifest["kind"], []).append(manifest)
    jobs: dict[JobKind, tuple[Job, ...]] = {}
    kinds: tuple[JobKind, ...] = ("BlockingPresubmit", "Presubmit", "Postsubmit")
    for kind in kinds:
        store = job_store(kind)  # hook's own parsing of the CRs it watches
        store.replace(items.get(kind, []))
        jobs[kind] = tuple(job for _, job in store.items())
    return jobs


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    with FakeGitHub(bot=BOT) as fake:
        fake.add_repo("acme", "rocket", {"main": MAIN})
        fake.add_pull("acme/rocket", 1, "alice", HEAD, files=["src/a.go"])
        fake.add_pull("acme/rocket", 4, "alice", HEAD, files=["docs/guide.md"])
        fake.add_member("acme", "alice")
        yield fake


@pytest.fixture
async def client(github: FakeGitHub, tmp_path: Path) -> AsyncIterator[GitHubClient]:
    (tmp_path / "token").write_text("t")
    made = GitHubClient(GitHubSettings(base_url=github.url, token_path=tmp_path / "token"))
    yield made
    await made.aclose()


def context(client: GitHubClient, jobs: dict[JobKind, tuple[Job, ...]]) -> Context:
    names = iter(f"job-{i}" for i in range(100))
    return Context(
        github=client,
        config=PluginConfigSpec(repos=["acme"], plugins=["trigger"], trigger=TriggerSettings()),
        presubmits=jobs["BlockingPresubmit"] + jobs["Presubmit"],
        postsubmits=jobs["Postsubmit"],
        bot=BOT,
        namespace="ci",
        new_name=lambda: next(names),
    )


def created(effects: list[Effect]) -> set[str]:
    return {effect.job for effect in effects if isinstance(effect, CreateProwJob)}


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        # ShouldRun(forced=false, defaults=true): always_run, then the file filters;
        # release-check's branch filter excludes main.
        (pr_event("opened", pull()), {"unit", "lint"}),
        (pr_event("opened", pull(4)), {"unit", "docs"}),
        (pr_event("synchronize", pull()), {"unit", "lint"}),
        (pr_event("synchronize", pull(4)), {"unit", "docs"}),
    ],
    ids=["opened-src", "opened-docs", "synchronize-src", "synchronize-docs"],
)
async def test_pull_requests(
    client: GitHubClient, converted: dict[JobKind, tuple[Job, ...]], event: Any, expected: set[str]
) -> None:
    assert created(await handle_pull_request(context(client, converted), event)) == expected


@pytest.mark.parametrize(
    ("body", "number", "expected"),
    [
        ("/test e2e", 1, {"e2e"}),  # an explicit-trigger-only job
        ("/test docs", 1, {"docs"}),  # forced: runs whatever changed
        ("/integration", 1, {"integration"}),  # the Go-only custom trigger
        ("/test integration", 1, {"integration"}),
        # TestAllFilter: ShouldRun(forced=false, defaults=false)
        ("/test all", 1, {"unit", "lint"}),
        ("/test all", 4, {"unit", "docs"}),
    ],
)
async def test_commands(
    client: GitHubClient,
    converted: dict[JobKind, tuple[Job, ...]],
    body: str,
    number: int,
    expected: set[str],
) -> None:
    effects = await handle_generic_comment(context(client, converted), comment(body, number))
    assert created(effects) == expected


async def test_retest(client: GitHubClient, converted: dict[JobKind, tuple[Job, ...]]) -> None:
    # RetestFilter: failed contexts, plus jobs never reported that do not need an explicit
    # trigger, each through ShouldRun(forced=false, defaults=true): unit failed and reruns;
    # lint passed; docs never reported but src/a.go does not match it; e2e and
    # integration need an explicit trigger; release-check does not run on main.
    for name, state in (("unit", "failure"), ("lint", "success")):
        await client.create_status(
            "acme", "rocket", HEAD, state=state, context=name, description="", target_url=None
        )
    effects = await handle_generic_comment(context(client, converted), comment("/retest"))
    assert created(effects) == {"unit"}


@pytest.mark.parametrize(
    ("ref", "changed", "expected"),
    [
        ("refs/heads/main", ("src/a.py",), {"deploy"}),
        ("refs/heads/main", ("docs/x.md",), {"deploy", "docs-publish"}),
        ("refs/heads/dev", ("src/a.py",), {"branch-build"}),
    ],
)
async def test_pushes(
    client: GitHubClient,
    converted: dict[JobKind, tuple[Job, ...]],
    ref: str,
    changed: tuple[str, ...],
    expected: set[str],
) -> None:
    event = push(ref)
    event = type(event)(**{**event.__dict__, "changed_files": changed})
    assert created(await handle_push(context(client, converted), event)) == expected


BAD_JOBS = """
presubmits:
  acme/rocket:
  - name: both
    always_run: true
    run_if_changed: '^src/'
    spec: {containers: [{image: golang}]}
postsubmits:
  acme/rocket:
  - name: filtered
    run_if_changed: '^a/'
    skip_if_only_changed: '^b/'
    spec: {containers: [{image: busybox}]}
"""


def test_check_reports_the_same_problems_on_original_and_converted(tmp_path: Path) -> None:
    (tmp_path / "jobs.yaml").write_text(BAD_JOBS)
    assert (
        main(["convert", "--jobs", str(tmp_path / "jobs.yaml"), "-o", str(tmp_path / "out")]) == 1
    )
    original = check([tmp_path / "jobs.yaml"])
    converted = check([tmp_path / "out"])

    def problems(report: Any) -> set[tuple[str, str, str]]:
        return {(i.problem.obj, i.problem.field, i.problem.message) for i in report.errors}

    assert problems(original) and problems(original) == problems(converted)

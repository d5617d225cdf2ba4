"""deck in a real browser: Debian's chromium driven by Playwright (DEPENDENCIES.md §6).
Screenshots of every page go to test-artifacts/deck/ (git-ignored), phone width and dark
mode included."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bowsprit.testing.fakegithub import FakeGitHub
from e2e.conftest import REPO, Kube, prow_config
from e2e.deck_harness import Runs, Served, prowjob, served_deck, stored_runs

playwright_api = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package is not installed"
)
CHROMIUM = shutil.which("chromium")
pytestmark = [
    pytest.mark.usefixtures("crds"),
    pytest.mark.skipif(
        CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)"
    ),
]
SHOTS = REPO / "test-artifacts" / "deck"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with playwright_api.sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runs]:
    with stored_runs(tmp_path_factory.mktemp("runs")) as stored:
        yield stored


@pytest.fixture
def deck(
    kube: Kube, namespace: str, runs: Runs, tmp_path: Path
) -> Iterator[tuple[Served, FakeGitHub]]:
    if kube.name != "emulator":
        pytest.skip("the browser tests run once, on the emulator; the handlers run on every target")
    prow_config(
        kube,
        namespace,
        plank={
            "default_decoration_configs": {
                "*": {"gcs_configuration": {"bucket": f"s3://{runs.bucket}"}}
            }
        },
    )
    with FakeGitHub() as github, served_deck(kube, namespace, runs, github, tmp_path) as served:
        github.add_repo("org", "repo")
        served.create(prowjob("failing", "failure", runs.failing, runs.bucket))
        served.create(prowjob("passing", "success", runs.passing, runs.bucket))
        served.create(prowjob("running", "pending", None, runs.bucket))
        yield served, github


def shoot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_job_list_filters_and_updates_itself(browser: Any, deck: tuple[Served, FakeGitHub]) -> None:
    served, _ = deck
    page = browser.new_page()
    page.goto(served.url + "/")
    shoot(page, "joblist")
    page.select_option("select[name=state]", "failure")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"state=failure"))
    assert page.locator("tr[data-name]").count() == 1
    page.goto(served.url + "/?state=success")
    assert page.locator("tr[data-name=passing]").count() == 1
    served.set_status("running", {"state": "success", "completionTime": "2026-12-05T10:05:00Z"})
    page.locator("tr[data-name=running]").wait_for(timeout=20_000)  # no reload
    phone = browser.new_page(viewport={"width": 390, "height": 844}, color_scheme="dark")
    phone.goto(served.url + "/")
    shoot(phone, "joblist-phone-dark")
    phone.close()
    page.close()


def test_failing_job_page_shows_the_error_line_and_failed_test(
    browser: Any, deck: tuple[Served, FakeGitHub], runs: Runs
) -> None:
    served, _ = deck
    page = browser.new_page()
    page.goto(f"{served.url}/view/s3/{runs.bucket}/{runs.failing.folder}")
    hit = page.locator(".line.hit").filter(has_text="ERROR: TestBroken failed")
    assert hit.is_visible()
    failed = page.locator("details.test.failed")
    assert "TestBroken" in failed.inner_text() and "expected 1, got 2" in failed.inner_text()
    shoot(page, "spyglass-failing")
    number = hit.locator(".n").get_attribute("href")
    page.goto(f"{served.url}/view/s3/{runs.bucket}/{runs.failing.folder}{number}")
    assert page.locator(".line.selected").count() == 1
    dark = browser.new_page(color_scheme="dark", viewport={"width": 390, "height": 844})
    dark.goto(f"{served.url}/view/s3/{runs.bucket}/{runs.failing.folder}")
    shoot(dark, "spyglass-failing-phone-dark")
    dark.close()
    page.close()


def test_pr_history_groups_by_commit(
    browser: Any, deck: tuple[Served, FakeGitHub], runs: Runs
) -> None:
    served, _ = deck
    page = browser.new_page()
    page.goto(served.url + "/pr-history?org=org&repo=repo&pr=7")
    sections = page.locator("section.commit")
    assert sections.count() == 2
    assert runs.passing.sha[:12] in sections.nth(0).inner_text()
    assert runs.failing.sha[:12] in sections.nth(1).inner_text()
    shoot(page, "pr-history")
    page.goto(f"{served.url}/job-history/s3/{runs.bucket}/pr-logs/directory/pull-repo-unit")
    shoot(page, "job-history")
    for path, name in (
        ("/tide", "tide"),
        ("/tide-history", "tide-history"),
        ("/command-help", "command-help"),
    ):
        page.goto(served.url + path)
        shoot(page, name)
    page.close()


def test_rerun_asks_for_login_then_creates_a_prowjob(
    browser: Any, deck: tuple[Served, FakeGitHub]
) -> None:
    served, github = deck
    github.oauth.login = "dev"
    github.add_collaborator("org/repo", "dev")
    context = browser.new_context()
    page = context.new_page()
    page.goto(served.url + "/")
    page.locator("tr[data-name=failing] a", has_text="Rerun").click()
    login = page.get_by_role("link", name="Log in with GitHub")
    shoot(page, "rerun-login")
    login.click()
    page.get_by_role("button", name="Rerun this job").click()
    page.wait_for_url(re.compile(r"/view/prowjob/"))
    shoot(page, "rerun-created")
    names = {pj["metadata"]["name"] for pj in served.jobs()}
    assert len(names - {"failing", "passing", "running"}) == 1
    context.close()


def test_abort_changes_the_state(browser: Any, deck: tuple[Served, FakeGitHub]) -> None:
    served, github = deck
    github.oauth.login = "dev"
    github.add_member("org", "dev")
    context = browser.new_context()
    page = context.new_page()
    page.goto(served.url + "/abort?prowjob=running")
    page.get_by_role("link", name="Log in with GitHub").click()
    shoot(page, "abort")
    page.get_by_role("button", name="Abort this job").click()
    page.wait_for_url(served.url + "/")
    assert served.job("running")["status"]["state"] == "aborted"
    page.locator("tr[data-name=running] .badge", has_text="aborted").wait_for()
    context.close()

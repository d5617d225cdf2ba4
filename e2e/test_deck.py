"""deck's handlers on every `kube` target, over HTTP, with runs the real pod utilities
uploaded to moto's S3 server and the fake GitHub for login and membership."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import kubernetes
import pytest

from bowsprit.clients.buildclusters import BuildClusters, Sources
from bowsprit.clients.cluster import Cluster
from bowsprit.emulator import Emulator
from bowsprit.testing.buildclusters import write_kubeconfig_dir
from bowsprit.testing.fakegithub import FakeGitHub
from e2e.conformance.conftest import wait_for
from e2e.conftest import Kube, prow_config
from e2e.deck_harness import Runs, Served, prowjob, served_deck, stored_runs

pytestmark = pytest.mark.usefixtures("crds")


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runs]:
    with stored_runs(tmp_path_factory.mktemp("runs")) as stored:
        yield stored


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    with FakeGitHub() as fake:
        fake.add_repo("org", "repo")
        yield fake


@pytest.fixture
def deck(
    kube: Kube, namespace: str, runs: Runs, github: FakeGitHub, tmp_path: Path
) -> Iterator[Served]:
    prow_config(
        kube,
        namespace,
        deck={"hidden_repos": ["secret-org"]},
        plank={
            "default_decoration_configs": {
                "*": {"gcs_configuration": {"bucket": f"s3://{runs.bucket}"}}
            }
        },
    )
    with served_deck(kube, namespace, runs, github, tmp_path) as served:
        served.create(prowjob("failing", "failure", runs.failing, runs.bucket))
        served.create(prowjob("passing", "success", runs.passing, runs.bucket))
        hidden = prowjob("hidden", "success", None, runs.bucket)
        hidden["spec"]["refs"]["org"] = "secret-org"
        served.create(hidden)
        yield served


def get(served: Served, path: str, **kwargs: Any) -> httpx.Response:
    return httpx.get(served.url + path, timeout=30, **kwargs)


def test_job_list_filters_hides_and_updates(deck: Served) -> None:
    page = get(deck, "/").text
    assert "failing" in page and "passing" in page and "secret-org" not in page
    assert 'data-name="passing"' not in get(deck, "/?state=failure").text
    assert 'data-name="failing"' in get(deck, "/?state=failure&author=dev").text
    version = re.search(r'data-version="(\d+)"', page).group(1)  # type: ignore[union-attr]
    assert get(deck, f"/joblist.json?v={version}").json() == {"version": version}
    deck.create(prowjob("new-one", "pending", None, "b"))
    changed = get(deck, f"/joblist.json?v={version}&state=pending").json()
    assert changed["version"] != version and 'data-name="new-one"' in changed["rows"]


def test_prowjobs_js_keeps_prows_parameters(deck: Served) -> None:
    items = get(deck, "/prowjobs.js?omit=annotations,labels,pod_spec&repo=repo").json()["items"]
    assert {item["metadata"]["name"] for item in items} == {"failing", "passing"}
    assert all("labels" not in item["metadata"] for item in items)
    assert all(item["spec"]["pod_spec"] == {"containers": [{}]} for item in items)
    assert get(deck, "/prowjobs.js?owner=nobody").json() == {"items": []}


def test_badge_and_yaml(deck: Served) -> None:
    badge = get(deck, "/badge.svg?jobs=pull-*")
    assert badge.headers["content-type"].startswith("image/svg+xml")
    assert "passing" in badge.text or "failing" in badge.text
    assert "kind: ProwJob" in get(deck, "/prowjob?prowjob=failing").text
    assert get(deck, "/prowjob?prowjob=hidden").status_code == 404


def test_a_failing_run_shows_the_error_line_and_the_failed_test(deck: Served, runs: Runs) -> None:
    page = get(deck, f"/view/s3/{runs.bucket}/{runs.failing.folder}").text
    assert re.search(r'class="line hit"[^>]*>.*ERROR: TestBroken failed', page)
    assert "TestBroken" in page and "expected 1, got 2" in page and "1 failed, 1 passed" in page
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert '<span class="ansi-fg32">green</span>' in page
    assert "FAILURE" in page and "lines (" in page  # the ok steps are folded


def test_paths_cannot_leave_the_job_folder(deck: Served, runs: Runs) -> None:
    for path in (
        f"/view/s3/{runs.bucket}/{runs.failing.folder}/%2e%2e/%2e%2e/%2e%2e",
        f"/spyglass/raw/s3/{runs.bucket}/{runs.failing.folder}/%2e%2e/x",
        f"/spyglass/lines/s3/{runs.bucket}/{runs.failing.folder}?artifact=../../x&start=1&end=2",
    ):
        assert get(deck, path).status_code in (400, 404), path


def test_histories(deck: Served, runs: Runs) -> None:
    pr = get(deck, "/pr-history?org=org&repo=repo&pr=7").text
    assert pr.count('class="commit"') == 2
    assert pr.index(runs.passing.sha[:12]) < pr.index(runs.failing.sha[:12])
    history = get(deck, f"/job-history/s3/{runs.bucket}/pr-logs/directory/pull-repo-unit").text
    assert runs.failing.build in history and runs.passing.build in history
    assert "FAILURE" in history and "SUCCESS" in history


def test_rerun_needs_login_and_csrf_then_creates_a_prowjob(
    deck: Served, github: FakeGitHub
) -> None:
    with httpx.Client(base_url=deck.url, timeout=30, follow_redirects=True) as browser:
        page = browser.get("/rerun?prowjob=failing").text
        assert "Log in with GitHub" in page
        csrf = re.search(r'name="csrf" value="([^"]+)"', page)
        assert csrf is None  # no form before login
        refused = browser.post("/rerun?prowjob=failing", data={"csrf": "x"})
        assert refused.status_code == 403
        github.oauth.login = "dev"
        github.add_collaborator("org/repo", "dev")
        page = browser.get("/github-login?dest=/rerun%3Fprowjob%3Dfailing").text
        token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        created = browser.post("/rerun?prowjob=failing", data={"csrf": token})
        assert created.status_code == 200 and "/view/prowjob/" in str(created.url)
    copies = [
        pj for pj in deck.jobs() if pj["metadata"]["name"] not in ("failing", "passing", "hidden")
    ]
    assert len(copies) == 1 and copies[0]["spec"]["job"] == "pull-repo-unit"
    assert copies[0]["metadata"]["annotations"]["bowsprit.dev/rerun-of"] == "failing"


def test_abort_changes_the_state(deck: Served, github: FakeGitHub) -> None:
    deck.create(prowjob("running", "pending", None, "b"))
    github.oauth.login = "stranger"
    with httpx.Client(base_url=deck.url, timeout=30, follow_redirects=True) as browser:
        page = browser.get("/github-login?dest=/abort%3Fprowjob%3Drunning").text
        assert "not allowed" in page
        github.add_member("org", "stranger")
        page = browser.get("/abort?prowjob=running").text
        token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        browser.post("/abort?prowjob=running", data={"csrf": token})
    assert deck.job("running")["status"]["state"] == "aborted"


def test_tide_pages_from_tidepool_status(deck: Served) -> None:
    assert "No Tide pools yet" in get(deck, "/tide").text
    deck.objects.create_namespaced_custom_object(
        "bowsprit.dev",
        "v1",
        deck.namespace,
        "tidepools",
        {
            "apiVersion": "bowsprit.dev/v1",
            "kind": "TidePool",
            "metadata": {"name": "main"},
            "spec": {"repos": ["org/repo"], "labels": ["lgtm"]},
        },
    )
    pool = {"org": "org", "repo": "repo", "branch": "main", "action": "MERGE", "target": [7]}
    deck.objects.patch_namespaced_custom_object_status(
        "bowsprit.dev", "v1", deck.namespace, "tidepools", "main", {"status": {"pools": [pool]}}
    )
    wait_for(lambda: "MERGE" in get(deck, "/tide").text, what="the pool on /tide")
    assert get(deck, "/tide.js").json()["Pools"][0]["target"] == [7]
    assert "MERGE" in get(deck, "/tide-history").text


def test_command_help_from_hooks_plugin_help(deck: Served) -> None:
    assert "--hook-url" in get(deck, "/command-help").text

    async def plugin_help() -> dict[str, Any]:
        command = {
            "Usage": "/hold [cancel]",
            "Description": "Adds <b>hold</b>",
            "Examples": ["/hold"],
            "WhoCanUse": "Anyone",
        }
        return {
            "PluginHelp": {"hold": {"Commands": [command]}},
            "RepoPlugins": {"org/repo": ["hold"]},
        }

    deck.deck.plugin_help = plugin_help
    page = get(deck, "/command-help").text
    assert "/hold [cancel]" in page and "Adds &lt;b&gt;hold&lt;/b&gt;" in page


def test_log_streams_a_running_pods_log(kube: Kube, deck: Served) -> None:
    if kube.emulator is None:
        pytest.skip("only the emulator has a log without a kubelet")
    running = prowjob("live", "pending", None, "b")
    running["status"]["build_id"] = "42"
    deck.create(running)
    core = kubernetes.client.CoreV1Api(kube.api)
    core.create_namespaced_pod(
        deck.namespace,
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "live"},
            "spec": {"containers": [{"name": "test", "image": "debian"}]},
        },
    )
    kube.emulator.set_pod_log(deck.namespace, "live", "test", "line one\nline two\n")
    prow_config_patch = {"spec": {"pod_namespace": deck.namespace}}
    deck.objects.patch_namespaced_custom_object(
        "bowsprit.dev", "v1", deck.namespace, "prowconfigs", "bowsprit", prow_config_patch
    )
    wait_for(
        lambda: deck.deck.config().pod_namespace == deck.namespace, what="deck to see the config"
    )
    response = get(deck, "/log?job=pull-repo-unit&id=42")
    assert response.status_code == 200 and response.text == "line one\nline two\n"
    assert get(deck, "/log?job=pull-repo-unit&id=43").status_code == 404


def test_rerun_with_the_latest_definition(deck: Served, github: FakeGitHub) -> None:
    deck.objects.create_namespaced_custom_object(
        "bowsprit.dev",
        "v1",
        deck.namespace,
        "blockingpresubmits",
        {
            "apiVersion": "bowsprit.dev/v1",
            "kind": "BlockingPresubmit",
            "metadata": {"name": "pull-repo-unit"},
            "spec": {
                "org": "org",
                "repo": "repo",
                "always_run": True,
                "pod_spec": {"containers": [{"image": "golang:1.24", "command": ["make"]}]},
            },
        },
    )
    wait_for(lambda: len(deck.deck.definitions["blockingpresubmits"]), what="the definition")
    github.oauth.login = "dev"
    github.add_collaborator("org/repo", "dev")
    with httpx.Client(base_url=deck.url, timeout=30, follow_redirects=True) as browser:
        page = browser.get("/github-login?dest=/rerun%3Fprowjob%3Dfailing%26mode%3Dlatest").text
        assert "golang:1.24" in page  # the preview is built from the definition
        token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        done = browser.post("/rerun?prowjob=failing&mode=latest", data={"csrf": token})
        assert done.status_code == 200, done.text
        deck.create(prowjob("orphan", "failure", None, "b", job="pull-gone"))
        missing = browser.get("/rerun?prowjob=orphan&mode=latest")
    (rerun,) = [
        pj
        for pj in deck.jobs()
        if (pj["metadata"].get("annotations") or {}).get("bowsprit.dev/rerun-of") == "failing"
    ]
    assert rerun["spec"]["pod_spec"]["containers"][0]["image"] == "golang:1.24"
    assert rerun["spec"]["refs"]["pulls"][0]["number"] == 7
    assert rerun["spec"]["rerun_command"] == "/test pull-repo-unit"
    assert missing.status_code == 400 and "no presubmit job named" in missing.text


def test_hidden_repos_are_hidden_in_the_bucket_too(deck: Served, runs: Runs) -> None:
    raw = f"/spyglass/raw/s3/{runs.bucket}/{runs.failing.folder}/build-log.txt"
    assert get(deck, raw).status_code == 200
    deck.objects.patch_namespaced_custom_object(
        "bowsprit.dev",
        "v1",
        deck.namespace,
        "prowconfigs",
        "bowsprit",
        {"spec": {"deck": {"hidden_repos": ["org/repo"]}}},
    )
    wait_for(lambda: get(deck, raw).status_code == 404, what="the repository to be hidden")
    for path in (
        f"/view/s3/{runs.bucket}/{runs.failing.folder}",
        "/pr-history?org=org&repo=repo&pr=7",
        f"/spyglass/lines/s3/{runs.bucket}/{runs.failing.folder}?start=1&end=3",
    ):
        assert get(deck, path).status_code == 404, path
    assert 'data-name="failing"' not in get(deck, "/").text


def test_branding_from_the_prowconfig(deck: Served) -> None:
    branding = {"logo": "/static/extensions/logo.svg", "header_color": "#00AEC7"}  # Falco's
    deck.objects.patch_namespaced_custom_object(
        "bowsprit.dev",
        "v1",
        deck.namespace,
        "prowconfigs",
        "bowsprit",
        {"spec": {"deck": {"branding": branding}}},
    )
    wait_for(lambda: "logo.svg" in get(deck, "/").text, what="the branding")
    assert 'data-header-color="#00AEC7"' in get(deck, "/").text
    assert get(deck, "/static/extensions/logo.svg").text.startswith("<svg")
    assert get(deck, "/static/deck.css").status_code == 200


def test_log_reads_the_pod_in_the_jobs_build_cluster(deck: Served, tmp_path: Path) -> None:
    """A job of build cluster `build` (a second API server): /log reads its pod there,
    and a job naming an alias deck has no credentials for is a 404 naming it."""
    with Emulator() as build:
        clusters = BuildClusters.load(
            Sources(
                kubeconfig_dir=str(
                    write_kubeconfig_dir(tmp_path / "c", {"build": build.kubeconfig()})
                )
            ),
            Cluster(kube_api := kubernetes.client.ApiClient(kubernetes.client.Configuration())),
        )
        deck.deck.pods_in = clusters.get_fresh
        for name, build_id, cluster in (("remote", "44", "build"), ("lost", "45", "gpu")):
            running = prowjob(name, "pending", None, "b", cluster=cluster)
            running["status"]["build_id"] = build_id
            deck.create(running)
        remote = kubernetes.client.ApiClient(kubernetes.client.Configuration(host=build.url))
        pods = deck.deck.config().pod_namespace
        if pods != "default":
            kubernetes.client.CoreV1Api(remote).create_namespace(
                {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": pods}}
            )
        kubernetes.client.CoreV1Api(remote).create_namespaced_pod(
            pods,
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "remote"},
                "spec": {"containers": [{"name": "test", "image": "debian"}]},
            },
        )
        build.set_pod_log(pods, "remote", "test", "from the build cluster\n")
        wait_for(
            lambda: get(deck, "/log?job=pull-repo-unit&id=44").status_code == 200,
            what="deck to see the run",
            timeout=10,
        )
        assert get(deck, "/log?job=pull-repo-unit&id=44").text == "from the build cluster\n"
        lost = get(deck, "/log?job=pull-repo-unit&id=45")
        assert (
            lost.status_code == 404 and "build cluster &#39;gpu&#39; is not configured" in lost.text
        )
        remote.close()
        kube_api.close()

"""`bowsprit hook` as it runs in a cluster, against every target, with the HTTP fake
GitHub: every real webhook sample signed and posted, bad and malformed requests, comment
commands, configuration changes without restarts, and draining on SIGTERM."""

from __future__ import annotations

import contextlib
import copy
import http.client
import json
import random
import re
import sys
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import kubernetes
import pytest
import yaml

from bowsprit.api import GROUP, VERSION
from bowsprit.testing import envtest
from bowsprit.testing.fakegithub import FakeGitHub, Fault, deliver_webhook, sign, webhook_samples
from bowsprit.testing.fakegithub.state import CommentCreated, LabelAdded, LabelRemoved
from bowsprit.testing.fakegithub.webhooks import Delivery, Sample
from e2e.conformance.conftest import wait_for
from e2e.conftest import Kube, operator_process, prow_config

pytestmark = pytest.mark.usefixtures("crds")

SECRET = "e2e-webhook-secret"
ORG, REPO = "Codertocat", "Hello-World"  # the octokit samples' repository
FULL = f"{ORG}/{REPO}"
MASTER = "f" * 40
HEAD = "ec26c3e57ca3a959ca5aad62de7213c562f8c821"  # the samples' pull request #2
POD = {"containers": [{"image": "busybox"}]}
SAMPLES = list(webhook_samples())
QUEUED = b"Have a nice day"


@dataclass
class RunningHook:
    url: str

    def post(self, event: str, body: bytes, secret: str = SECRET) -> Delivery:
        return deliver_webhook(f"{self.url}/hook", event, body, secret.encode())

    def get(self, path: str) -> bytes:
        with urllib.request.urlopen(f"{self.url}{path}", timeout=10) as response:
            body: bytes = response.read()
            return body

    def handled(self) -> float:
        """Accepted events whose plugins have all finished (the hook's own counter)."""
        found = re.search(rb"^hook_events_handled_total (\S+)$", self.get("/metrics"), re.M)
        return float(found.group(1)) if found else 0.0

    def post_and_wait(self, event: str, body: bytes) -> Delivery:
        """Post a webhook and, when it was queued, wait until its plugins are done."""
        before = self.handled()
        delivery = self.post(event, body)
        if QUEUED in delivery.body:
            wait_for(lambda: self.handled() > before, what=f"{event} handled")
        return delivery


def _ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/healthz", timeout=1) as response:
            return bool(response.status == 200)
    except OSError:
        return False


@contextlib.contextmanager
def hook_running(
    kube: Kube, namespace: str, github: FakeGitHub, folder: Path, *extra: str
) -> Iterator[RunningHook]:
    """`bowsprit hook` as its own process, as e2e tests of other components start it."""
    secret = folder / "hmac.yaml"
    secret.write_text(yaml.safe_dump({"*": [{"value": SECRET, "created_at": "2026-01-01"}]}))
    token = folder / "token"
    token.write_text("e2e-token\n")
    port = envtest.free_port()
    argv = [
        sys.executable,
        "-m",
        "bowsprit",
        "hook",
        "--kubeconfig",
        str(kube.kubeconfig),
        "--config-namespace",
        namespace,
        "--watch-namespace",
        namespace,
        "--port",
        str(port),
        "--hmac-secret-file",
        str(secret),
        "--github-endpoint",
        github.url,
        "--github-token-path",
        str(token),
        *extra,
    ]
    url = f"http://127.0.0.1:{port}"
    with operator_process(argv):
        wait_for(lambda: _ready(url), timeout=60, what="hook to serve")
        yield RunningHook(url)


def create(kube: Kube, namespace: str, plural: str, kind: str, name: str, spec: Any) -> None:
    kubernetes.client.CustomObjectsApi(kube.api).create_namespaced_custom_object(
        GROUP,
        VERSION,
        namespace,
        plural,
        {
            "apiVersion": f"{GROUP}/{VERSION}",
            "kind": kind,
            "metadata": {"name": name},
            "spec": spec,
        },
    )


def prowjobs(kube: Kube, namespace: str, selector: str = "") -> list[dict[str, Any]]:
    listed = kubernetes.client.CustomObjectsApi(kube.api).list_namespaced_custom_object(
        GROUP, VERSION, namespace, "prowjobs", label_selector=selector
    )
    items: list[dict[str, Any]] = listed["items"]
    return items


def jobs_of(kube: Kube, namespace: str, delivery: Delivery) -> list[str]:
    found = prowjobs(kube, namespace, f"event-GUID={delivery.delivery_id}")
    return sorted(item["spec"]["job"] for item in found)


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    with FakeGitHub() as fake:
        fake.add_repo(ORG, REPO, {"master": MASTER})
        fake.add_pull(
            FULL, 2, "Codertocat", HEAD, base="master", head="changes", files=["README.md"]
        )
        fake.add_member(ORG, "Codertocat")
        yield fake


@pytest.fixture
def scene(kube: Kube, namespace: str) -> str:
    """The samples' repository with trigger on: one required presubmit that always runs,
    an optional one for docs changes, a postsubmit on master."""
    prow_config(kube, namespace)
    create(
        kube,
        namespace,
        "pluginconfigs",
        "PluginConfig",
        "codertocat",
        {"repos": [ORG], "plugins": ["trigger"]},
    )
    repo = {"org": ORG, "repo": REPO, "pod_spec": POD}
    create(
        kube,
        namespace,
        "blockingpresubmits",
        "BlockingPresubmit",
        "unit",
        {**repo, "always_run": True},
    )
    create(kube, namespace, "presubmits", "Presubmit", "docs", {**repo, "run_if_changed": "^docs/"})
    create(
        kube, namespace, "postsubmits", "Postsubmit", "build", {**repo, "branches": ["^master$"]}
    )
    return namespace


HANDLED_EVENTS = {
    "pull_request",
    "issue_comment",
    "pull_request_review",
    "pull_request_review_comment",
    "push",
    "issues",  # for the issue handlers (require-matching-label), whatever the action
}


def queued(sample: Sample) -> bool:
    """Whether plugins get the sample: the events they handle."""
    return sample.event in HANDLED_EVENTS


RUNS_PRESUBMITS = {"opened", "reopened", "ready_for_review", "synchronize"}
ABORTS = {"closed", "converted_to_draft", "synchronize"}


def expected_jobs(sample: Sample) -> list[str]:
    payload = json.loads(sample.body)
    if sample.event == "pull_request" and payload["action"] in RUNS_PRESUBMITS:
        return ["unit"]
    if sample.event == "push" and not payload["deleted"]:
        return ["build"]
    return []


@pytest.mark.skipif(not SAMPLES, reason="no webhook samples in ../shared/fixtures")
def test_every_webhook_sample(kube: Kube, scene: str, github: FakeGitHub, tmp_path: Path) -> None:
    with hook_running(kube, scene, github, tmp_path) as hook:
        for sample in SAMPLES:
            delivery = hook.post_and_wait(sample.event, sample.body)
            where = f"{sample.event}/{sample.name}"
            assert delivery.status == 200, (where, delivery.body)
            assert (QUEUED in delivery.body) == queued(sample), where
            assert jobs_of(kube, scene, delivery) == expected_jobs(sample), where
            action = json.loads(sample.body).get("action")
            if sample.event == "pull_request" and action in ABORTS:
                # Every earlier presubmit of the PR was aborted (plank is not running).
                pending = [
                    item["spec"]["job"]
                    for item in prowjobs(kube, scene, "prow.k8s.io/refs.pull=2")
                    if item["metadata"]["labels"]["event-GUID"] != delivery.delivery_id
                    and item.get("status", {}).get("state") != "aborted"
                ]
                assert pending == [], where
    # A trusted author's PR: no welcome comment, no labels, from any sample.
    assert not [a for a in github.actions if isinstance(a, CommentCreated | LabelAdded)]
    opened = [
        item
        for item in prowjobs(kube, scene, "prow.k8s.io/type=presubmit")
        if item["spec"]["refs"]["base_sha"] == MASTER
    ]
    assert opened, "presubmits are tested against the base branch as GitHub has it now"
    refs = opened[0]["spec"]["refs"]
    assert refs["pulls"][0]["sha"] == HEAD and refs["pulls"][0]["author"] == "Codertocat"
    assert refs["pulls"][0]["head_ref"] == "changes" and refs["base_ref"] == "master"
    labels = opened[0]["metadata"]["labels"]
    assert labels["prow.k8s.io/is-optional"] == "false"
    assert labels["prow.k8s.io/refs.pull"] == "2" and labels["prow.k8s.io/job"] == "unit"


def set_status(github: FakeGitHub, sha: str, context: str, state: str) -> None:
    """A commit status, set as crier would: through the fake's HTTP API."""
    request = urllib.request.Request(
        f"{github.url}/repos/{FULL}/statuses/{sha}",
        data=json.dumps({"state": state, "context": context}).encode(),
        method="POST",
        headers={"Content-Type": "application/json", "Authorization": "token crier"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 201


def sample_body(event: str, name: str) -> dict[str, Any]:
    found = next(s for s in SAMPLES if s.event == event and s.name == name)
    body: dict[str, Any] = json.loads(found.body)
    return body


def pr_comment(text: str, author: str, number: int) -> bytes:
    """An issue_comment on a pull request (the samples' comments are on an issue)."""
    body = sample_body("issue_comment", "created.payload")
    issue = copy.deepcopy(body["issue"])
    pull_url = f"https://api.github.com/repos/{FULL}/pulls/{number}"
    issue.update(number=number, pull_request={"url": pull_url})
    comment = {
        **body["comment"],
        "body": text,
        "user": {**body["comment"]["user"], "login": author},
    }
    return json.dumps({**body, "issue": issue, "comment": comment}).encode()


@pytest.mark.skipif(not SAMPLES, reason="no webhook samples in ../shared/fixtures")
def test_untrusted_pull_request_then_ok_to_test_then_retest(
    kube: Kube, scene: str, github: FakeGitHub, tmp_path: Path
) -> None:
    github.add_pull(FULL, 3, "stranger", "c" * 40, base="master", files=["docs/a.md"])
    opened = sample_body("pull_request", "opened.payload")
    opened["pull_request"] = {
        **opened["pull_request"],
        "number": 3,
        "user": {**opened["pull_request"]["user"], "login": "stranger"},
        "labels": [],
    }
    with hook_running(kube, scene, github, tmp_path) as hook:
        delivery = hook.post_and_wait("pull_request", json.dumps(opened).encode())
        assert jobs_of(kube, scene, delivery) == []
        assert LabelAdded(FULL, 3, "needs-ok-to-test") in github.actions
        welcome = [a for a in github.actions if isinstance(a, CommentCreated) and a.number == 3]
        assert welcome and "/ok-to-test" in welcome[0].body

        ok_to_test = pr_comment("/ok-to-test", "Codertocat", 3)
        delivery = hook.post_and_wait("issue_comment", ok_to_test)
        assert jobs_of(kube, scene, delivery) == ["docs", "unit"]
        assert LabelAdded(FULL, 3, "ok-to-test") in github.actions
        assert LabelRemoved(FULL, 3, "needs-ok-to-test") in github.actions

        # Only the failed job is rerun by /retest, labelled as a retest.
        for context, state in (("unit", "failure"), ("docs", "success")):
            set_status(github, "c" * 40, context, state)
        # The PR is trusted now: its author may ask too.
        delivery = hook.post_and_wait("issue_comment", pr_comment("/retest", "stranger", 3))
        assert jobs_of(kube, scene, delivery) == ["unit"]
        rerun = prowjobs(kube, scene, f"event-GUID={delivery.delivery_id}")[0]
        assert rerun["metadata"]["labels"]["prow.k8s.io/retest"] == "true"

        hook.post_and_wait("issue_comment", pr_comment("/test nothing-like-this", "stranger", 3))
        help_comment = [a for a in github.actions if isinstance(a, CommentCreated)][-1]
        assert "were not found" in help_comment.body and "`/test unit`" in help_comment.body


def opened_body() -> bytes:
    found = next(s for s in SAMPLES if s.event == "pull_request" and s.name == "opened.payload")
    return found.body


@pytest.mark.skipif(not SAMPLES, reason="no webhook samples in ../shared/fixtures")
def test_accepted_events_are_acknowledged_first_and_finished_after_sigterm(
    kube: Kube, scene: str, github: FakeGitHub, tmp_path: Path
) -> None:
    # GitHub fails twice first: the plugin is then busy in backoff for 1.5 s or more.
    github.fail(Fault("GET", f"/repos/{FULL}/branches/", 502, count=2))
    with hook_running(kube, scene, github, tmp_path) as hook:
        delivery = hook.post("pull_request", opened_body())
        assert delivery.status == 200 and QUEUED in delivery.body
        assert jobs_of(kube, scene, delivery) == []  # acknowledged before the plugin ran
    # SIGTERM came while the plugin waited; the process finished the event before exiting.
    assert jobs_of(kube, scene, delivery) == ["unit"]


def test_configuration_changes_apply_without_restart(
    kube: Kube, namespace: str, github: FakeGitHub, tmp_path: Path
) -> None:
    prow_config(kube, namespace)
    with hook_running(kube, namespace, github, tmp_path) as hook:
        ignored = hook.post_and_wait("pull_request", opened_body())
        assert ignored.status == 200 and jobs_of(kube, namespace, ignored) == []

        create(
            kube,
            namespace,
            "pluginconfigs",
            "PluginConfig",
            "on",
            {"repos": [FULL], "plugins": ["trigger"]},
        )
        create(
            kube,
            namespace,
            "presubmits",
            "Presubmit",
            "lint",
            {"org": ORG, "repo": REPO, "pod_spec": POD, "always_run": True},
        )

        def jobs_now() -> list[str]:
            return jobs_of(kube, namespace, hook.post_and_wait("pull_request", opened_body()))

        assert wait_for(jobs_now, what="the new PluginConfig and Presubmit to be used") == ["lint"]
        labels = prowjobs(kube, namespace, "prow.k8s.io/job=lint")[0]["metadata"]["labels"]
        assert labels["prow.k8s.io/is-optional"] == "true"

        kubernetes.client.CustomObjectsApi(kube.api).delete_namespaced_custom_object(
            GROUP, VERSION, namespace, "pluginconfigs", "on"
        )
        wait_for(lambda: jobs_now() == [], what="trigger to be off again")

        # A PluginConfig naming a plugin hook does not have is refused whole, with a
        # Warning Event on it saying why (as Prow refuses such a plugins.yaml).
        create(
            kube,
            namespace,
            "pluginconfigs",
            "PluginConfig",
            "typo",
            {"repos": [FULL], "plugins": ["trigger", "tirgger"]},
        )
        core = kubernetes.client.CoreV1Api(kube.api)

        def refusal() -> Any:
            found = core.list_namespaced_event(namespace).items
            return [e for e in found if e.involved_object.name == "typo"]

        (event,) = wait_for(refusal, what="the Warning Event on the refused PluginConfig")
        assert (event.type, event.reason, event.involved_object.kind) == (
            "Warning",
            "Refused",
            "PluginConfig",
        )
        assert "spec.plugins[1]: unknown plugin 'tirgger'" in event.message
        assert jobs_now() == []  # its trigger does not run either

        help_page = json.loads(hook.get("/plugin-help"))
        assert "trigger" in help_page["PluginHelp"]
        assert help_page["PluginHelp"]["trigger"]["Commands"][0]["Usage"] == "/ok-to-test [cancel]"


@dataclass(frozen=True)
class Raw:
    """A request as sent on the wire, to reach what deliver_webhook never sends."""

    method: str = "POST"
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b"{}"
    sign: bool = True
    event: str | None = "ping"
    chunked: bool = False


def _write(connection: http.client.HTTPConnection, raw: Raw, headers: dict[str, str]) -> None:
    if not raw.chunked:
        connection.request(raw.method, "/hook", body=raw.body, headers=headers)
        return
    connection.putrequest(raw.method, "/hook")
    for key, value in {**headers, "Transfer-Encoding": "chunked"}.items():
        connection.putheader(key, value)
    connection.endheaders()
    for start in range(0, len(raw.body), 65536):
        part = raw.body[start : start + 65536]
        connection.send(f"{len(part):x}\r\n".encode() + part + b"\r\n")
    connection.send(b"0\r\n\r\n")


def send(url: str, raw: Raw, secret: str = SECRET) -> tuple[int, bytes]:
    host, port = url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    headers = {"Content-Type": "application/json", "X-GitHub-Delivery": "d-1"}
    if raw.event is not None:
        headers["X-GitHub-Event"] = raw.event
    if raw.sign:
        headers["X-Hub-Signature-256"] = sign(secret.encode(), raw.body)
    headers.update(dict(raw.headers))
    headers = {key: value for key, value in headers.items() if value != "<drop>"}
    # The server may answer before reading a body it refuses: then read that answer.
    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
        _write(connection, raw, headers)
    try:
        response = connection.getresponse()
        return response.status, response.read()
    except (ConnectionError, http.client.HTTPException) as error:
        return 0, repr(error).encode()
    finally:
        connection.close()


PULL_REQUEST = SAMPLES[0].body if SAMPLES else b"{}"
LIMIT = 1 << 20
BAD_REQUESTS = [
    ("get", Raw(method="GET", sign=False, body=b""), 405),
    ("put", Raw(method="PUT"), 405),
    ("no-event", Raw(event=None), 400),
    ("no-delivery", Raw(headers=(("X-GitHub-Delivery", "<drop>"),)), 400),
    ("no-signature", Raw(sign=False), 401),
    ("bad-signature", Raw(headers=(("X-Hub-Signature-256", "sha256=" + "0" * 64),)), 403),
    ("sha1-signature", Raw(headers=(("X-Hub-Signature-256", "sha1=abc"),)), 403),
    ("form-encoded", Raw(headers=(("Content-Type", "application/x-www-form-urlencoded"),)), 400),
    ("not-json", Raw(body=b"payload=%7B%7D"), 400),
    ("truncated-json", Raw(body=b'{"action": "opened", "pull_'), 400),
    ("deeply-nested", Raw(body=b"[" * 200000 + b"]" * 200000), 400),
    ("not-utf8", Raw(body=b'{"a": "\xff\xfe"}'), 400),
    ("wrong-shape", Raw(event="pull_request", body=b'{"action": "opened", "number": "2"}'), 400),
    ("unknown-event", Raw(event="made_up_event"), 200),
    ("ping", Raw(event="ping", body=b'{"zen": "Keep it logically awesome."}'), 200),
    ("too-large", Raw(body=b"[" + b"1," * LIMIT + b"1]"), 413),
    ("too-large-chunked", Raw(body=b"[" + b"1," * LIMIT + b"1]", chunked=True), 413),
]


def test_bad_requests_get_clear_4xx_answers(
    kube: Kube, namespace: str, github: FakeGitHub, tmp_path: Path
) -> None:
    prow_config(kube, namespace)
    with hook_running(kube, namespace, github, tmp_path, "--max-body-bytes", str(LIMIT)) as hook:
        answers = {name: send(hook.url, raw)[0] for name, raw, _ in BAD_REQUESTS}
        assert answers == {name: status for name, _, status in BAD_REQUESTS}
        assert send(hook.url, Raw(event="pull_request", body=PULL_REQUEST), "other")[0] == 403
        assert _ready(hook.url)


FUZZ_REQUESTS = 3000
JUNK_VALUES: list[Any] = [
    None,
    0,
    -1,
    2**70,
    1.5,
    "",
    "x" * 5000,
    [],
    {},
    True,
    [1, "a"],
    {"a": {}},
]


def _mutate_json(rng: random.Random, payload: Any) -> Any:
    """Replace one value somewhere in the payload with a value of another type."""
    payload = copy.deepcopy(payload)
    target, key = None, None
    node = payload
    for _ in range(rng.randint(1, 6)):
        if isinstance(node, dict) and node:
            target, key = node, rng.choice(list(node))
        elif isinstance(node, list) and node:
            target, key = node, rng.randrange(len(node))
        else:
            break
        node = target[key]
    if target is None:
        return rng.choice(JUNK_VALUES)
    target[key] = rng.choice(JUNK_VALUES)
    return payload


def fuzz_request(rng: random.Random, limit: int) -> Raw:
    """One malformed (or odd but valid) request."""
    sample = rng.choice(SAMPLES)
    body = sample.body
    kind = rng.randrange(9)
    if kind == 0:
        return Raw(event=sample.event, body=body[: rng.randrange(len(body))])
    if kind == 1:
        data = bytearray(body)
        for _ in range(rng.randint(1, 8)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        return Raw(event=sample.event, body=bytes(data))
    if kind == 2:
        mutated = _mutate_json(rng, json.loads(body))
        return Raw(event=sample.event, body=json.dumps(mutated).encode())
    if kind == 3:
        return Raw(
            event=sample.event,
            body=body,
            sign=False,
            headers=(
                (
                    "X-Hub-Signature-256",
                    rng.choice(["<drop>", "sha256=", "sha256=" + "a" * 64, "md5=1", "x" * 300]),
                ),
            ),
        )
    if kind == 4:
        odd = "".join(chr(rng.randrange(0x20, 0x7F)) for _ in range(rng.randint(0, 300)))
        header = rng.choice(["X-GitHub-Event", "X-GitHub-Delivery", "Content-Type", "User-Agent"])
        return Raw(event=sample.event, body=body, headers=((header, odd or "<drop>"),))
    if kind == 5:
        return Raw(method=rng.choice(["GET", "PUT", "PATCH", "DELETE", "OPTIONS"]), body=body)
    if kind == 6:
        size = limit + rng.randint(1, 4096)
        return Raw(event=sample.event, body=b" " * size, chunked=rng.random() < 0.5)
    if kind == 7:
        return Raw(
            event=sample.event, body=bytes(rng.randrange(256) for _ in range(rng.randint(0, 2000)))
        )
    return Raw(
        event=rng.choice(["push", "pull_request", "issue_comment"]),
        body=json.dumps(rng.choice(JUNK_VALUES)).encode(),
    )


@pytest.mark.skipif(not SAMPLES, reason="no webhook samples in ../shared/fixtures")
def test_fuzz_never_gets_a_server_error(
    kube: Kube, namespace: str, github: FakeGitHub, tmp_path: Path
) -> None:
    # No PluginConfig: what passes the checks is queued and ignored, so this exercises the
    # HTTP layer and the event parsing, not plugins against nonsense repositories.
    prow_config(kube, namespace)
    limit = 64 * 1024
    rng = random.Random(20261125)
    with hook_running(kube, namespace, github, tmp_path, "--max-body-bytes", str(limit)) as hook:
        answers: dict[int, int] = {}
        for _ in range(FUZZ_REQUESTS):
            raw = fuzz_request(rng, limit)
            status, body = send(hook.url, raw)
            assert 0 < status < 500, (raw.method, raw.headers, raw.body[:200], status, body)
            answers[status] = answers.get(status, 0) + 1
        assert _ready(hook.url)
    # Every kind of answer was exercised, not just one path.
    assert {200, 400, 401, 403, 405, 413} <= set(answers), answers

"""The chart, rendered by real Helm 4 and Helm 3: lint, offline validation against the
Kubernetes schemas of the oldest supported version, and the properties the chart promises
(security settings, one replica per operator, least-privilege RBAC, CRDs equal to crds/)."""

from __future__ import annotations

import http.server
import json
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from bowsprit.checkconfig.check import check
from bowsprit.cli import BUILT, build_parser
from tests.chart.helmtools import CHART, MAJORS, REPO, SCENARIOS, Helm, named, of_kind

# The oldest Kubernetes the chart supports (Chart.yaml kubeVersion).
OLDEST = "1.29.0"
OPERATORS = ("plank", "horologium", "sinker", "crier", "tide", "status-reconciler")
SERVICES = ("hook", "deck", "ghproxy")
ALL = CHART / "ci" / "all-components-values.yaml"
# Kinds outside Kubernetes' own API, which kubernetes-validate has no schema for:
# ProwConfig is checked with `bowsprit check`, the others belong to their operators.
FOREIGN = {"ProwConfig", "ServiceMonitor", "HTTPRoute"}

Render = Callable[..., list[dict[str, Any]]]


@pytest.fixture(scope="module")
def render(helm_of: Callable[[str], Helm]) -> Render:
    """`helm template`, cached per (major, values files, --set items)."""
    cache: dict[tuple[Any, ...], list[dict[str, Any]]] = {}

    def run(
        major: str = "v4", values: tuple[Path, ...] = (), sets: tuple[str, ...] = ()
    ) -> list[dict[str, Any]]:
        key = (major, values, sets)
        if key not in cache:
            cache[key] = helm_of(major).template(values, sets)
        return cache[key]

    return run


def deployments(objects: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {
        item["metadata"]["labels"]["app.kubernetes.io/component"]: item
        for item in of_kind(objects, "Deployment")
    }


@pytest.mark.parametrize("major", MAJORS)
@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda path: path.stem)
def test_lint_strict(helm_of: Callable[[str], Helm], major: str, scenario: Path) -> None:
    helm_of(major).run("lint", "--strict", str(CHART), "--values", str(scenario))


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda path: path.stem)
def test_rendered_objects_are_valid_on_the_oldest_kubernetes(
    render: Render, scenario: Path
) -> None:
    # Helm 4's render only: Helm 3's is checked equal to it below.
    objects = render("v4", (scenario,))
    for item in objects:
        if item["kind"] in FOREIGN:
            continue
        try:
            kubernetes_validate.validate(item, OLDEST, strict=True)
        except kubernetes_validate.ValidationError as error:
            pytest.fail(f"{item['kind']}/{item['metadata']['name']}: {error.message}")


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda path: path.stem)
def test_both_helm_majors_render_the_same(render: Render, scenario: Path) -> None:
    v4, v3 = (render(major, (scenario,)) for major in MAJORS)
    # Generated tokens (HMAC, tide's poke) differ between any two renders; nothing else may.
    assert [_without_random(item) for item in v4] == [_without_random(item) for item in v3]


def _without_random(item: dict[str, Any]) -> dict[str, Any]:
    if item["kind"] == "Secret" and item["metadata"]["name"].endswith(("-hmac", "-tide-poke")):
        return {**item, "data": None}
    return item


def test_default_render_runs_what_exists_and_nothing_else(render: Render) -> None:
    assert set(deployments(render())) == {
        "plank",
        "horologium",
        "sinker",
        "crier",
        "hook",
        "status-reconciler",
        "ghproxy",
        "tide",
        "deck",
    }
    assert set(deployments(render("v4", (ALL,)))) == set(OPERATORS) | set(SERVICES)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda path: path.stem)
def test_every_component_is_locked_down(render: Render, scenario: Path) -> None:
    for component, deployment in deployments(render("v4", (scenario,))).items():
        pod = deployment["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True, component
        assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
        (container,) = pod["containers"]
        security = container["securityContext"]
        assert security["readOnlyRootFilesystem"] is True, component
        assert security["allowPrivilegeEscalation"] is False, component
        assert security["capabilities"]["drop"] == ["ALL"], component
        assert security["seccompProfile"] == {"type": "RuntimeDefault"}, component
        for probe in ("livenessProbe", "readinessProbe"):
            assert container[probe]["httpGet"]["path"] == "/healthz", component
        assert container["args"][0] == component
        assert container["image"] == "ghcr.io/bowsprit-ci/bowsprit:0.1.0"


def test_operators_run_one_replica_standalone_and_never_overlap(render: Render) -> None:
    for component, deployment in deployments(render("v4", (ALL,))).items():
        if component not in OPERATORS:
            continue
        assert deployment["spec"]["replicas"] == 1, component
        assert deployment["spec"]["strategy"] == {"type": "Recreate"}, component
        args = deployment["spec"]["template"]["spec"]["containers"][0]["args"]
        assert "--standalone" in args, component
        assert "--config-name=bowsprit" in args and "--config-namespace=bowsprit" in args


def test_disruption_budgets_only_where_replicas_exceed_one(render: Render) -> None:
    objects = render("v4", (ALL,))
    budgets = {
        item["metadata"]["name"]: item["spec"] for item in of_kind(objects, "PodDisruptionBudget")
    }
    assert budgets == {
        "rel-bowsprit-hook": {"maxUnavailable": 1, "selector": _selector("hook")},
        "rel-bowsprit-deck": {"maxUnavailable": 1, "selector": _selector("deck")},
    }
    assert not of_kind(render(), "PodDisruptionBudget")


def _selector(component: str) -> dict[str, Any]:
    return {
        "matchLabels": {
            "app.kubernetes.io/name": "bowsprit",
            "app.kubernetes.io/instance": "rel",
            "app.kubernetes.io/component": component,
        }
    }


def test_chart_crds_are_the_generated_crds(render: Render) -> None:
    rendered = {
        item["metadata"]["name"]: item for item in of_kind(render(), "CustomResourceDefinition")
    }
    plain = {}
    for path in sorted((REPO / "crds").glob("*.yaml")):
        crd = yaml.safe_load(path.read_text())
        plain[crd["metadata"]["name"]] = crd
    assert rendered.keys() == plain.keys()
    for name, crd in rendered.items():
        assert crd["metadata"]["annotations"] == {"helm.sh/resource-policy": "keep"}
        assert crd["metadata"]["labels"]["app.kubernetes.io/managed-by"] == "Helm"
        assert {**crd, "metadata": {"name": name}} == plain[name], name


@pytest.mark.parametrize(
    ("sets", "count", "annotations"),
    [
        (("crds.keep=false",), 8, None),
        (("crds.keep=false", "crds.annotations.team=ci"), 8, {"team": "ci"}),
        (("crds.annotations.team=ci",), 8, {"helm.sh/resource-policy": "keep", "team": "ci"}),
        (("crds.install=false",), 0, None),
    ],
    ids=["not-kept", "annotated", "kept-and-annotated", "not-installed"],
)
def test_crd_switches(
    render: Render, sets: tuple[str, ...], count: int, annotations: dict[str, str] | None
) -> None:
    crds = of_kind(render("v4", (), sets), "CustomResourceDefinition")
    assert len(crds) == count
    for crd in crds:
        assert crd["metadata"].get("annotations") == annotations


def test_prowconfig_from_values_passes_bowsprit_check(render: Render, tmp_path: Path) -> None:
    config = named(render("v4", (ALL,)), "ProwConfig", "bowsprit")
    # A hook: on a first install its CRD (a template of the same release) is not served
    # yet when Helm maps the release's plain resources.
    assert config["metadata"]["annotations"]["helm.sh/hook"] == "post-install,post-upgrade"
    spec = config["spec"]
    assert spec["prowjob_namespace"] == "prowjobs" and spec["pod_namespace"] == "test-pods"
    assert spec["plank"]["max_concurrency"] == 20
    assert spec["plank"]["job_url_prefix_config"] == {"*": "https://prow.example.com/view/"}
    decoration = spec["plank"]["default_decoration_configs"]["*"]
    assert decoration["utility_images"]["sidecar"] == "ghcr.io/bowsprit-ci/bowsprit:0.1.0"
    assert decoration["gcs_configuration"] == {
        "bucket": "s3://example-ci-logs",
        "path_strategy": "explicit",
    }
    assert decoration["s3_credentials_secret"] == "rel-bowsprit-s3-credentials"
    assert decoration["default_service_account_name"] == "prowjob-default-sa"
    assert spec["sinker"]["terminated_pod_ttl"] == "2h"
    assert spec["tide"] == {"sync_period": "2m", "merge_method": {"example-org": "squash"}}
    path = tmp_path / "prowconfig.yaml"
    path.write_text(yaml.safe_dump(config))
    report = check([path])
    assert not report.problems, report.problems


def test_a_bad_prowconfig_from_values_is_caught_offline(render: Render, tmp_path: Path) -> None:
    config = named(
        render("v4", (), ("config.extraSpec.plank.max_revivals=-1",)), "ProwConfig", "bowsprit"
    )
    path = tmp_path / "prowconfig.yaml"
    path.write_text(yaml.safe_dump(config))
    assert check([path]).errors


def _rules(objects: list[dict[str, Any]], component: str) -> dict[tuple[str, str], list[Any]]:
    """(kind, namespace or '') -> rules of the component's Roles and ClusterRoles."""
    found = {}
    for item in objects:
        if (
            item["kind"] in ("Role", "ClusterRole")
            and item["metadata"]["labels"].get("app.kubernetes.io/component") == component
        ):
            found[(item["kind"], item["metadata"].get("namespace", ""))] = item["rules"]
    return found


def _grants(rules: list[dict[str, Any]], resource: str, verb: str) -> bool:
    return any(resource in rule["resources"] and verb in rule["verbs"] for rule in rules)


def test_rbac_is_least_privilege(render: Render) -> None:
    objects = render("v4", (ALL,))
    for item in of_kind(objects, "Role") + of_kind(objects, "ClusterRole"):
        for rule in item["rules"]:
            assert "*" not in rule["verbs"] and "*" not in rule["resources"], item["metadata"]
            assert "secrets" not in rule["resources"], item["metadata"]["name"]
    plank = _rules(objects, "plank")
    assert _grants(plank[("Role", "test-pods")], "pods", "create")
    assert _grants(plank[("Role", "test-pods")], "pods/log", "get")
    assert _grants(plank[("Role", "prowjobs")], "prowjobs/status", "patch")
    assert not _grants(plank[("Role", "prowjobs")], "pods", "create")
    assert not any(_grants(rules, "prowjobs", "create") for rules in plank.values())
    hook = _rules(objects, "hook")
    assert _grants(hook[("Role", "prowjobs")], "prowjobs", "create")
    assert _grants(hook[("ClusterRole", "")], "pluginconfigs", "watch")
    assert _grants(hook[("ClusterRole", "")], "pluginconfigs/status", "patch")
    assert not _grants(hook[("ClusterRole", "")], "pluginconfigs", "patch")
    assert not any(_grants(rules, "pods", "create") for rules in hook.values())
    sinker = _rules(objects, "sinker")
    assert _grants(sinker[("Role", "test-pods")], "pods", "delete")
    assert not any(_grants(rules, "pods", "create") for rules in sinker.values())
    assert _rules(objects, "ghproxy") == {}
    reconciler = _rules(objects, "status-reconciler")
    assert _grants(reconciler[("Role", "prowjobs")], "prowjobs", "create")
    assert not _grants(reconciler[("Role", "prowjobs")], "prowjobs", "list")
    assert _grants(reconciler[("ClusterRole", "")], "blockingpresubmits", "patch")
    assert _grants(reconciler[("ClusterRole", "")], "presubmits", "watch")
    assert not _grants(reconciler[("ClusterRole", "")], "pluginconfigs", "patch")
    assert not any(_grants(rules, "pods", "get") for rules in reconciler.values())
    ghproxy = named(objects, "ServiceAccount", "rel-bowsprit-ghproxy")
    assert ghproxy["automountServiceAccountToken"] is False


def test_job_pods_service_account_has_no_api_access(render: Render) -> None:
    objects = render("v4", (ALL,))
    account = named(objects, "ServiceAccount", "prowjob-default-sa")
    assert account["metadata"]["namespace"] == "test-pods"
    assert account["automountServiceAccountToken"] is False
    for binding in of_kind(objects, "RoleBinding") + of_kind(objects, "ClusterRoleBinding"):
        assert all(subject["name"] != "prowjob-default-sa" for subject in binding["subjects"])
    assert named(objects, "Namespace", "test-pods")


def _pod_annotations(objects: list[dict[str, Any]], component: str) -> dict[str, str]:
    pod: dict[str, str] = deployments(objects)[component]["spec"]["template"]["metadata"].get(
        "annotations", {}
    )
    return pod


@pytest.mark.parametrize(
    ("component", "sets"),
    [
        ("crier", ("github.token.value=new-token",)),
        ("hook", ("github.token.value=new-token",)),
        ("plank", ("testPods.namespace=other-pods",)),
    ],
    ids=["crier-token", "hook-token", "plank-namespaces"],
)
def test_changes_roll_the_pods_that_use_them(
    render: Render, component: str, sets: tuple[str, ...]
) -> None:
    before = _pod_annotations(render(), component)
    after = _pod_annotations(render("v4", (), sets), component)
    assert before and after and before != after


def test_github_credentials_reach_the_components_as_files(render: Render) -> None:
    token = deployments(render("v4", (), ("github.token.value=abc",)))["crier"]
    args = token["spec"]["template"]["spec"]["containers"][0]["args"]
    assert "--github-token-path=/etc/github/oauth" in args
    assert "--github-endpoint=https://api.github.com" in args
    app = deployments(render("v4", (ALL,)))["crier"]
    args = app["spec"]["template"]["spec"]["containers"][0]["args"]
    assert "--github-app-id=123456" in args
    assert "--github-app-private-key-path=/etc/github-app/cert" in args
    # ghproxy is on in that scenario: components go through it.
    assert "--github-endpoint=http://rel-bowsprit-ghproxy.bowsprit.svc:8888" in args
    assert "--slack-webhook-url-file=/etc/slack/webhook-url" in args
    assert "--github-workers=4" in args and "--slack-workers=1" in args


def test_hook_pokes_tide_through_its_service_with_a_shared_token(render: Render) -> None:
    objects = render("v4", (ALL,))
    found = deployments(objects)
    hook, tide = (found[name]["spec"]["template"]["spec"] for name in ("hook", "tide"))
    assert (
        "--tide-url=http://rel-bowsprit-tide.bowsprit.svc:8082/poke"
        in hook["containers"][0]["args"]
    )
    assert "--poke-port=8082" in tide["containers"][0]["args"]
    for spec in (hook, tide):
        assert "--tide-token-file=/etc/tide-poke/token" in spec["containers"][0]["args"] or (
            "--poke-token-file=/etc/tide-poke/token" in spec["containers"][0]["args"]
        )
        secrets = {v["secret"]["secretName"] for v in spec["volumes"] if "secret" in v}
        assert "rel-bowsprit-tide-poke" in secrets
    (service,) = [
        s for s in of_kind(objects, "Service") if s["metadata"]["name"] == "rel-bowsprit-tide"
    ]
    assert {"name": "poke", "port": 8082, "targetPort": "poke", "protocol": "TCP"} in service[
        "spec"
    ]["ports"]
    off = render("v4", (ALL,), ("tide.pokePort=0",))
    assert not any(
        "poke" in arg
        for arg in deployments(off)["hook"]["spec"]["template"]["spec"]["containers"][0]["args"]
    )
    assert not [s for s in of_kind(off, "Secret") if s["metadata"]["name"].endswith("-tide-poke")]


def test_the_poke_token_can_come_from_an_existing_secret(render: Render) -> None:
    sets = ("tide.pokeToken.existingSecret=poke-token", "tide.pokeToken.key=shared")
    objects = render("v4", (ALL,), sets)
    found = deployments(objects)
    for name, flag in (("hook", "--tide-token-file"), ("tide", "--poke-token-file")):
        spec = found[name]["spec"]["template"]["spec"]
        assert f"{flag}=/etc/tide-poke/shared" in spec["containers"][0]["args"], name
        secrets = {v["secret"]["secretName"] for v in spec["volumes"] if "secret" in v}
        assert "poke-token" in secrets and "rel-bowsprit-tide-poke" not in secrets, name
    # The chart creates no token of its own then.
    assert not [s for s in of_kind(objects, "Secret") if "poke" in s["metadata"]["name"]]
    own = [
        s
        for s in of_kind(render("v4", (ALL,), ("tide.pokeToken.key=shared",)), "Secret")
        if s["metadata"]["name"] == "rel-bowsprit-tide-poke"
    ]
    assert list(own[0]["data"]) == ["shared"]


def test_secrets_from_values_and_by_reference(render: Render) -> None:
    created = {
        (item["metadata"]["namespace"], item["metadata"]["name"])
        for item in of_kind(render("v4", (ALL,)), "Secret")
    }
    assert created == {
        ("bowsprit", "rel-bowsprit-github-app"),
        ("bowsprit", "rel-bowsprit-hmac"),
        ("bowsprit", "rel-bowsprit-s3-credentials"),
        ("test-pods", "rel-bowsprit-s3-credentials"),
        ("bowsprit", "rel-bowsprit-slack"),
        ("bowsprit", "rel-bowsprit-tide-poke"),
    }
    # Credentials all by reference: only the generated in-cluster poke token is created.
    alb = of_kind(render("v4", (CHART / "ci" / "aws-alb-values.yaml",)), "Secret")
    assert [item["metadata"]["name"] for item in alb] == ["rel-bowsprit-tide-poke"]


def test_ingress_routes_only_to_enabled_services(render: Render) -> None:
    (default_on,) = of_kind(render("v4", (), ("ingress.enabled=true",)), "Ingress")
    paths = default_on["spec"]["rules"][0]["http"]["paths"]
    # Falco's layout: hook on /hook, deck on /.
    assert [(path["path"], path["backend"]["service"]["name"]) for path in paths] == [
        ("/hook", "rel-bowsprit-hook"),
        ("/", "rel-bowsprit-deck"),
    ]
    (deck_off,) = of_kind(
        render("v4", (), ("ingress.enabled=true", "deck.enabled=false")), "Ingress"
    )
    paths = deck_off["spec"]["rules"][0]["http"]["paths"]
    assert [path["path"] for path in paths] == ["/hook"]
    (route,) = of_kind(render("v4", (ALL,)), "HTTPRoute")
    assert [rule["backendRefs"][0] for rule in route["spec"]["rules"]] == [
        {"name": "rel-bowsprit-hook", "port": 8888},
        {"name": "rel-bowsprit-deck", "port": 80},
    ]


def test_helm_test_checks_every_enabled_component(render: Render) -> None:
    (pod,) = [item for item in of_kind(render("v4", (ALL,)), "Pod")]
    assert pod["metadata"]["annotations"]["helm.sh/hook"] == "test"
    urls = pod["spec"]["containers"][0]["args"][1:]
    assert len(urls) == len(OPERATORS) + len(SERVICES)
    # deck answers /healthz on its UI port in that scenario: reached through its Service.
    assert "http://rel-bowsprit-deck.bowsprit.svc:80/healthz" in urls
    assert "http://rel-bowsprit-plank.bowsprit.svc:8081/healthz" in urls


def test_dashboard_is_grafana_json(render: Render) -> None:
    (config_map,) = of_kind(render("v4", (ALL,)), "ConfigMap")
    assert config_map["metadata"]["labels"]["grafana_dashboard"] == "1"
    dashboard = json.loads(config_map["data"]["bowsprit.json"])
    exprs = " ".join(t["expr"] for panel in dashboard["panels"] for t in panel["targets"])
    for metric in (
        "plank_transitions_total",
        "horologium_runs_triggered_total",
        "sinker_objects_deleted_total",
    ):
        assert metric in exprs


@pytest.mark.parametrize("major", MAJORS)
def test_crd_wait_job_only_on_a_first_install(helm_of: Callable[[str], Helm], major: str) -> None:
    first = helm_of(major).template()
    (job,) = of_kind(first, "Job")
    assert job["metadata"]["annotations"]["helm.sh/hook-weight"] == "-20"
    config = named(first, "ProwConfig", "bowsprit")
    assert int(config["metadata"]["annotations"]["helm.sh/hook-weight"]) > -20
    known = helm_of(major).run(
        "template", "rel", str(CHART), "--api-versions", "bowsprit.dev/v1/ProwConfig"
    )
    assert "crds-ready" not in known.stdout


def test_helm_test_script_passes_against_answering_components(
    render: Render, tmp_path: Path
) -> None:
    """The `helm test` pod's script, run here against real HTTP servers on loopback."""
    (pod,) = of_kind(render(), "Pod")
    command, args = pod["spec"]["containers"][0]["command"], pod["spec"]["containers"][0]["args"]
    assert command == ["python", "-c"]

    class Healthz(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # the name http.server calls
            self.send_response(200 if self.path == "/healthz" else 404)
            self.end_headers()

        def log_message(self, *_: Any) -> None:
            pass

    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), Healthz) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        url = f"http://127.0.0.1:{server.server_address[1]}/healthz"
        result = subprocess.run(
            [sys.executable, "-c", args[0], url, url],
            capture_output=True,
            text=True,
            timeout=60,
        )
        server.shutdown()
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count(" 200") == 2


def test_crd_wait_script_compiles(render: Render) -> None:
    (job,) = of_kind(render(), "Job")
    container = job["spec"]["template"]["spec"]["containers"][0]
    compile(container["args"][0], "crds-ready", "exec")
    assert container["args"][1] == "prowconfigs.bowsprit.dev"


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda path: path.stem)
def test_component_args_are_flags_the_cli_accepts(render: Render, scenario: Path) -> None:
    """Every Deployment's arguments parse with `bowsprit`'s own parser, for each component
    that exists in this version (the others start checking themselves as they land)."""
    for component, deployment in deployments(render("v4", (scenario,))).items():
        if component not in BUILT:
            continue
        args = deployment["spec"]["template"]["spec"]["containers"][0]["args"]
        try:
            parsed = build_parser().parse_args(args)
        except SystemExit:
            pytest.fail(f"bowsprit {' '.join(args)}: refused (see the error above)")
        assert parsed.command == component


def test_hook_reading_one_namespace_gets_a_role_there_not_a_cluster_role(render: Render) -> None:
    objects = render("v4", (), ("hook.watchNamespace=ci-jobs",))
    hook = _rules(objects, "hook")
    assert ("ClusterRole", "") not in hook
    assert _grants(hook[("Role", "ci-jobs")], "blockingpresubmits", "watch")
    args = deployments(objects)["hook"]["spec"]["template"]["spec"]["containers"][0]["args"]
    assert "--watch-namespace=ci-jobs" in args


def test_status_reconciler_flags_and_one_namespace(render: Render) -> None:
    objects = render(
        "v4",
        (),
        (
            "statusReconciler.watchNamespace=ci-jobs",
            "statusReconciler.dryRun=true",
            "statusReconciler.denylist={org-a,org-b/repo}",
            "statusReconciler.denylistAll={org-c}",
        ),
    )
    rules = _rules(objects, "status-reconciler")
    assert not _grants(rules[("ClusterRole", "")], "blockingpresubmits", "watch")
    assert _grants(rules[("Role", "ci-jobs")], "blockingpresubmits", "patch")
    args = deployments(objects)["status-reconciler"]["spec"]["template"]["spec"]["containers"][0]
    assert {
        "--watch-namespace=ci-jobs",
        "--dry-run",
        "--denylist=org-a",
        "--denylist=org-b/repo",
        "--denylist-all=org-c",
    } <= set(args["args"])


def test_components_call_ghproxy_first_and_github_when_it_fails(render: Render) -> None:
    objects = render()
    for component in ("crier", "hook", "status-reconciler"):
        args = deployments(objects)[component]["spec"]["template"]["spec"]["containers"][0]["args"]
        endpoints = [a for a in args if a.startswith("--github-endpoint=")]
        assert endpoints == [
            "--github-endpoint=http://rel-bowsprit-ghproxy.bowsprit.svc:8888",
            "--github-endpoint=https://api.github.com",
        ], component
    ghproxy = deployments(objects)["ghproxy"]
    assert ghproxy["spec"]["strategy"] == {"type": "Recreate"}  # a ReadWriteOnce volume
    volumes = {v["name"]: v for v in ghproxy["spec"]["template"]["spec"]["volumes"]}
    volume = volumes["cache"]
    claim = named(objects, "PersistentVolumeClaim", "rel-bowsprit-ghproxy")
    assert volume["persistentVolumeClaim"]["claimName"] == claim["metadata"]["name"]
    assert claim["spec"]["resources"]["requests"]["storage"] == "2Gi"
    args = ghproxy["spec"]["template"]["spec"]["containers"][0]["args"]
    assert "--cache-sizeGB=1" in args and "--cache-dir=/cache" in args
    without = render("v4", (), ("ghproxy.persistence.enabled=false",))
    assert not of_kind(without, "PersistentVolumeClaim")
    spec = deployments(without)["ghproxy"]["spec"]["template"]["spec"]
    volume = {v["name"]: v for v in spec["volumes"]}["cache"]
    assert volume["emptyDir"] == {"sizeLimit": "2Gi"}
    off = render("v4", (), ("ghproxy.enabled=false",))
    args = deployments(off)["crier"]["spec"]["template"]["spec"]["containers"][0]["args"]
    assert [a for a in args if a.startswith("--github-endpoint=")] == [
        "--github-endpoint=https://api.github.com"
    ]

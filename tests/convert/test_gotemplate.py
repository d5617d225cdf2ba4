"""Go text/template -> Jinja: both sides render the same on sample ProwJobs. The Go side's
expected output comes from Prow's tests (named) or is worked out by hand from Go's
text/template rules; never from the translation."""

from __future__ import annotations

from typing import Any

import jinja2
import pytest
from jinja2.sandbox import SandboxedEnvironment

from bowsprit.convert.gotemplate import Untranslatable, json_name, translate

FALCO_JOB_URL = (
    "http://prow.falco.org/view/s3/falco-prow-logs/"
    '{{if eq .Spec.Type "presubmit"}}pr-logs/pull{{else if eq .Spec.Type "batch"}}pr-logs/pull'
    '{{else}}logs{{end}}{{if .Spec.Refs}}{{if ne .Spec.Refs.Org ""}}/{{.Spec.Refs.Org}}_'
    '{{.Spec.Refs.Repo}}{{end}}{{end}}{{if eq .Spec.Type "presubmit"}}/{{with index '
    '.Spec.Refs.Pulls 0}}{{.Number}}{{end}}{{else if eq .Spec.Type "batch"}}/batch{{end}}'
    "/{{.Spec.Job}}/{{.Status.BuildID}}/"
)
FALCO_REPORT = (
    "[Full PR test history](http://prow.falco.org/pr-history?org={{.Spec.Refs.Org}}"
    "&repo={{.Spec.Refs.Repo}}&pr={{with index .Spec.Refs.Pulls 0}}{{.Number}}{{end}})."
)
REFS = {"org": "falcosecurity", "repo": "test-infra", "base_ref": "master"}
PULL = {"number": 12, "author": "alice", "sha": "abc123", "title": "Fix it"}


def prowjob(job_type: str, **spec: Any) -> dict[str, Any]:
    refs = {**REFS, "pulls": [PULL]} if job_type in ("presubmit", "batch") else REFS
    body: dict[str, Any] = {"type": job_type, "job": f"{job_type}-job", **spec}
    if job_type != "periodic":
        body.setdefault("refs", refs)
    return {
        "metadata": {"name": "4f1e", "namespace": "ci", "labels": {"prow.k8s.io/type": job_type}},
        "spec": body,
        "status": {
            "state": "failure",
            "build_id": "123",
            "pod_name": "4f1e-pod",
            "url": "http://u",
        },
    }


def render(template: str, context: dict[str, Any]) -> str:
    # The runtime's environment (plank/joburl.py, crier/decide.py).
    environment = SandboxedEnvironment(undefined=jinja2.ChainableUndefined, autoescape=False)
    return environment.from_string(template).render(context)


@pytest.mark.parametrize(
    ("go", "job", "expected"),
    [
        # Prow pkg/pjutil/pjutil_test.go TestJobURL
        ("{{.Spec.Type}}", prowjob("periodic"), "periodic"),
        # Prow pkg/plank/controller_test.go
        ("{{.ObjectMeta.Name}}/{{.Status.State}}", prowjob("periodic"), "4f1e/failure"),
        # Prow pkg/jenkins/controller_test.go
        ("{{.Status.PodName}}/{{.Status.State}}", prowjob("periodic"), "4f1e-pod/failure"),
        # Prow pkg/config/config.go: the Slack reporter's default template
        (
            "Job {{.Spec.Job}} of type {{.Spec.Type}} ended with state {{.Status.State}}."
            " <{{.Status.URL}}|View logs>",
            prowjob("postsubmit"),
            "Job postsubmit-job of type postsubmit ended with state failure. <http://u|View logs>",
        ),
        # Falco's job_url_template, worked out by hand for each job type.
        (
            FALCO_JOB_URL,
            prowjob("presubmit"),
            "http://prow.falco.org/view/s3/falco-prow-logs/pr-logs/pull/falcosecurity_test-infra/12/presubmit-job/123/",
        ),
        (
            FALCO_JOB_URL,
            prowjob("batch"),
            "http://prow.falco.org/view/s3/falco-prow-logs/pr-logs/pull/falcosecurity_test-infra/batch/batch-job/123/",
        ),
        (
            FALCO_JOB_URL,
            prowjob("postsubmit"),
            "http://prow.falco.org/view/s3/falco-prow-logs/logs/falcosecurity_test-infra/postsubmit-job/123/",
        ),
        (
            FALCO_JOB_URL,
            prowjob("periodic"),
            "http://prow.falco.org/view/s3/falco-prow-logs/logs/periodic-job/123/",
        ),
        (
            FALCO_REPORT,
            prowjob("presubmit"),
            "[Full PR test history](http://prow.falco.org/pr-history?org=falcosecurity"
            "&repo=test-infra&pr=12).",
        ),
        # Go's rules, by hand: else-if chains, eq with several values, and/or/not.
        (
            '{{if eq .Spec.Type "periodic" "postsubmit"}}P'
            "{{else if not .Spec.Refs}}N{{else}}R{{end}}",
            prowjob("presubmit"),
            "R",
        ),
        (
            '{{if and .Spec.Refs (eq .Spec.Refs.Org "falcosecurity")}}yes{{end}}'
            '{{if or .Spec.Report (ne .Spec.Job "x")}}-or{{end}}',
            prowjob("presubmit"),
            "yes-or",
        ),
        # len, index with a map key, printf (%s %d %v), trim markers and comments
        (
            '{{len .Spec.Refs.Pulls}} {{index .ObjectMeta.Labels "prow.k8s.io/type"}} '
            '{{printf "%s#%d:%v" .Spec.Refs.Repo (index .Spec.Refs.Pulls 0).Number .Status.State}}'
            "  {{- /* a comment */ -}}  !",
            prowjob("presubmit"),
            "1 presubmit test-infra#12:failure!",
        ),
        # range with else, variables, $ inside a range
        (
            "{{range $i, $p := .Spec.Refs.Pulls}}{{$i}}:{{$p.Number}}@{{$.Spec.Refs.Org}} "
            "{{else}}none{{end}}",
            prowjob("presubmit"),
            "0:12@falcosecurity ",
        ),
        ("{{range .Spec.ExtraRefs}}{{.Org}}{{else}}none{{end}}", prowjob("presubmit"), "none"),
        # with/else, pipelines, variables
        (
            "{{with .Spec.Refs}}{{.BaseRef}}{{else}}no refs{{end}} "
            '{{$job := .Spec.Job}}{{$job | printf "<%s>"}}',
            prowjob("periodic"),
            "no refs <periodic-job>",
        ),
        # text that looks like Jinja stays text
        ("{% raw %} {{.Spec.Job}} {#x#}", prowjob("periodic"), "{% raw %} periodic-job {#x#}"),
    ],
)
def test_renders_like_go(go: str, job: dict[str, Any], expected: str) -> None:
    assert render(translate(go), job) == expected


def test_tide_commit_templates() -> None:
    # Prow pkg/tide/github_test.go TestPrepareMergeDetails "Commit template uses PullRequest fields"
    # tide renders commit templates over Prow's Go field names (tide/apply.py).
    pull = {"Number": 1, "Title": "my commit title", "HeadRefOID": "SHA", "Body": "my commit body"}
    assert render(translate("{{ .Number }}: {{ .Title }}", "plain"), pull) == "1: my commit title"
    assert (
        render(translate("{{ .HeadRefOID }} - {{ .Body }}", "plain"), pull)
        == "SHA - my commit body"
    )


@pytest.mark.parametrize(
    ("go", "construct"),
    [
        ('{{template "x"}}', "{{template}}"),
        ("{{.Spec.Job | urlquery}}", "function urlquery"),
        ('{{printf "%q" .Spec.Job}}', "printf verb %q"),
        ("{{range .Spec.Refs.Pulls}}{{break}}{{end}}", "{{break}}"),
        ("{{.Garbage}}", "field .Garbage"),
        ("{{if .Spec.Job}}x", "{{if}} without {{end}}"),
        ("{{$x := 1}}{{$x = 2}}", "variable assignment with ="),
        ("{{.Spec.Job", "unclosed action"),
    ],
)
def test_untranslatable_constructs_are_named(go: str, construct: str) -> None:
    with pytest.raises(Untranslatable, match=__import__("re").escape(construct)):
        translate(go)


@pytest.mark.parametrize(
    ("go", "json"),
    [
        ("BaseSHA", "base_sha"),
        ("BuildID", "build_id"),
        ("CloneURI", "clone_uri"),
        ("StartTime", "startTime"),
        ("WorkDir", "workdir"),
        ("ExtraRefs", "extra_refs"),
        ("prow.k8s.io/job", "prow.k8s.io/job"),
    ],
)
def test_go_field_names_map_to_prows_json_names(go: str, json: str) -> None:
    assert json_name(go) == json


# prow.k8s.io's job_url_template (kubernetes/test-infra config/prow/config.yaml), whose
# output is the well-known GCS layout of Kubernetes' CI logs; expected values by hand.
K8S_JOB_URL = (
    "https://prow.k8s.io/view/gs/kubernetes-ci-logs/"
    '{{if eq .Spec.Type "presubmit"}}pr-logs/pull{{else if eq .Spec.Type "batch"}}pr-logs/pull'
    '{{else}}logs{{end}}{{if .Spec.Refs}}{{if ne .Spec.Refs.Org ""}}{{if ne .Spec.Refs.Org '
    '"kubernetes"}}/{{if eq .Spec.Refs.Org "kubernetes-sigs"}}sigs.k8s.io{{else}}'
    "{{.Spec.Refs.Org}}{{end}}_{{.Spec.Refs.Repo}}{{else if ne .Spec.Refs.Repo "
    '"kubernetes"}}/{{.Spec.Refs.Repo}}{{end}}{{end}}{{end}}{{if eq .Spec.Type "presubmit"}}'
    "/{{with index .Spec.Refs.Pulls 0}}{{.Number}}{{end}}{{else if eq .Spec.Type "
    '"batch"}}/batch{{end}}/{{.Spec.Job}}/{{.Status.BuildID}}/'
)


@pytest.mark.parametrize(
    ("job_type", "org", "repo", "expected"),
    [
        ("presubmit", "kubernetes", "kubernetes", "pr-logs/pull/12/presubmit-job/123/"),
        ("presubmit", "kubernetes", "test-infra", "pr-logs/pull/test-infra/12/presubmit-job/123/"),
        (
            "presubmit",
            "kubernetes-sigs",
            "kind",
            "pr-logs/pull/sigs.k8s.io_kind/12/presubmit-job/123/",
        ),
        ("batch", "etcd-io", "etcd", "pr-logs/pull/etcd-io_etcd/batch/batch-job/123/"),
        ("postsubmit", "kubernetes", "kubernetes", "logs/postsubmit-job/123/"),
        ("periodic", "", "", "logs/periodic-job/123/"),
    ],
)
def test_prow_k8s_io_job_url(job_type: str, org: str, repo: str, expected: str) -> None:
    job = prowjob(job_type)
    if org:
        job["spec"]["refs"] = {**job["spec"]["refs"], "org": org, "repo": repo}
    rendered = render(translate(K8S_JOB_URL), job)
    assert rendered == "https://prow.k8s.io/view/gs/kubernetes-ci-logs/" + expected

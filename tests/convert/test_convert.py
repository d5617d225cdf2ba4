"""`bowsprit convert`: layout, determinism, source comments, report, --strict."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bowsprit.checkconfig.check import check
from bowsprit.cli import main

CONFIG = """\
log_level: info
plank:
  max_concurrency: 5
tide:
  queries:
  - repos: [acme/rocket]
    labels: [lgtm]
presubmits:
  acme/rocket:
  - name: inline
    always_run: true
    spec: {containers: [{image: busybox}]}
"""
JOBS_A = """\
presets:
- labels: {preset-go: "true"}
  env: [{name: GOPROXY, value: direct}]
presubmits:
  acme/rocket:
  - name: unit
    run_if_changed: '^src/'
    labels: {preset-go: "true"}
    spec:
      containers:
      - image: golang
        command: ["make", "test"]
        args:
        - |
          line one
          line two
  - name: optional-lint
    optional: true
    spec: {containers: [{image: golang}]}
postsubmits:
  acme/rocket:
  - name: publish
    branches: ['^main$']
    spec: {containers: [{image: busybox}]}
"""
JOBS_B = """\
presubmits:
  acme/engine:
  - name: unit
    always_run: true
    labels: {preset-go: "true"}
    spec: {containers: [{image: golang}]}
periodics:
- name: nightly
  interval: 24h
  hidden: true
  spec: {containers: [{image: busybox}]}
"""


@pytest.fixture
def prow(tmp_path: Path) -> Path:
    root = tmp_path / "prow"
    (root / "jobs" / "b").mkdir(parents=True)
    (root / "config.yaml").write_text(CONFIG)
    (root / "jobs" / "a.yaml").write_text(JOBS_A)
    (root / "jobs" / "b" / "b.yaml").write_text(JOBS_B)
    return root


def run(prow: Path, out: Path, *extra: str) -> int:
    args = ["convert", "--config", str(prow / "config.yaml"), "--jobs", str(prow / "jobs")]
    return main([*args, "-o", str(out), *extra])


def files_of(folder: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_layout_comments_and_kustomization(prow: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run(prow, out, "--namespace", "ci") == 0
    assert sorted(files_of(out)) == [
        "CONVERSION.md",
        "jobs/acme/engine/blockingpresubmits.yaml",
        "jobs/acme/rocket/blockingpresubmits.yaml",
        "jobs/acme/rocket/postsubmits.yaml",
        "jobs/acme/rocket/presubmits.yaml",
        "jobs/periodics.yaml",
        "kustomization.yaml",
        "prowconfig.yaml",
        "tidepools.yaml",
    ]
    kustomization = yaml.safe_load((out / "kustomization.yaml").read_text())
    assert kustomization["resources"] == [
        name
        for name in sorted(files_of(out))
        if name not in ("CONVERSION.md", "kustomization.yaml")
    ]
    blocking = (out / "jobs/acme/rocket/blockingpresubmits.yaml").read_text()
    assert blocking.startswith(f"# From {prow / 'jobs' / 'a.yaml'}\n")
    assert f"---\n# From {prow / 'config.yaml'}\n" in blocking
    assert "  - |\n" in blocking  # multi-line strings stay readable
    objects = [doc for doc in yaml.safe_load_all(blocking)]
    by_name = {doc["metadata"]["name"]: doc for doc in objects}
    # "unit" is in two repositories: both are qualified, the job name stays.
    assert set(by_name) == {"inline", "acme-rocket-unit"}
    unit = by_name["acme-rocket-unit"]
    assert unit["metadata"]["namespace"] == "ci"
    assert unit["spec"]["name"] == "unit"
    # Presets from any file are expanded into the jobs carrying their labels.
    assert unit["spec"]["pod_spec"]["containers"][0]["env"] == [
        {"name": "GOPROXY", "value": "direct"}
    ]
    assert check([out]).errors == []


def test_same_input_same_bytes(prow: Path, tmp_path: Path) -> None:
    assert run(prow, tmp_path / "one") == 0
    assert run(prow, tmp_path / "two") == 0
    assert files_of(tmp_path / "one") == files_of(tmp_path / "two")


def test_report_names_file_and_path_and_strict_fails(
    prow: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert run(prow, out) == 0
    printed = capsys.readouterr().out
    report = (out / "CONVERSION.md").read_text()
    assert printed == report
    assert f"- {prow / 'config.yaml'}: config: `log_level`:" in report
    assert run(prow, tmp_path / "strict", "--strict") == 1


def test_errors_fail_and_are_reported(prow: Path, tmp_path: Path) -> None:
    (prow / "jobs" / "a.yaml").write_text(JOBS_A.replace("run_if_changed", "run_if_chaged"))
    out = tmp_path / "out"
    assert run(prow, out) == 1
    report = (out / "CONVERSION.md").read_text()
    assert "`run_if_chaged`: unknown field (Prow rejects it too)" in report


def test_a_removed_job_disappears_on_the_next_run(prow: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run(prow, out) == 0
    (prow / "jobs" / "b" / "b.yaml").write_text("periodics: []\n")
    assert run(prow, out) == 0
    assert not (out / "jobs/acme/engine").exists()
    assert not (out / "jobs/periodics.yaml").exists()
    (prow / "config.yaml").write_text("plank: {max_concurrency: 5}\n")
    assert run(prow, out) == 0
    assert not (out / "tidepools.yaml").exists()


def test_falco_converts_with_only_the_documented_report(
    falco_config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = [
        "convert",
        "--config", str(falco_config / "prow/aws/config.yaml"),
        "--plugins", str(falco_config / "prow/aws/plugins.yaml"),
        "--jobs", str(falco_config / "jobs"),
    ]  # fmt: skip
    assert main([*args, "-o", str(tmp_path / "one")]) == 0
    assert main([*args, "-o", str(tmp_path / "two")]) == 0
    capsys.readouterr()
    assert files_of(tmp_path / "one") == files_of(tmp_path / "two")
    report = (tmp_path / "one" / "CONVERSION.md").read_text()
    errors, rest = report.split("## Errors", 1)[1].split("## Not carried over", 1)
    not_carried, notes = rest.split("## Notes", 1)
    assert errors.strip().endswith("None.")
    assert notes.strip() == "None."
    fields = sorted(
        line.split("`")[1] for line in not_carried.splitlines() if line.startswith("- ")
    )
    # The documented sections: branch-protection beyond its contexts, log_level, Prow's
    # utility images, the settings of plugins Bowsprit has no settings for yet, and golint
    # (not supported) in each of the 22 entries that enable it.
    golint = [line for line in not_carried.splitlines() if "plugin golint is not supported" in line]
    assert len(golint) == 22 and fields.count("plugins") == 22
    assert [field for field in fields if field != "plugins"] == [
        "branch-protection",
        "config_updater",
        "log_level",
        *(
            f"plank.default_decoration_configs.*.utility_images.{utility}"
            for utility in ("clonerefs", "entrypoint", "initupload", "sidecar")
        ),
    ]
    config = yaml.safe_load((tmp_path / "one" / "prowconfig.yaml").read_text())
    template = config["spec"]["plank"]["job_url_template"]
    assert "{{ spec.job }}/{{ status.build_id }}/" in template and ".Spec" not in template
    assert "{{" in config["spec"]["plank"]["report_templates"]["*"]
    assert ".Spec" not in config["spec"]["plank"]["report_templates"]["*"]
    assert check([tmp_path / "one"]).errors == []


def test_untranslatable_templates_are_reported_by_construct(prow: Path, tmp_path: Path) -> None:
    (prow / "config.yaml").write_text(
        "plank:\n  job_url_template: '{{template \"x\"}}'\n"
        "  report_templates:\n    '*': 'Job {{.Spec.Job}}'\n"
    )
    out = tmp_path / "out"
    assert run(prow, out) == 0
    report = (out / "CONVERSION.md").read_text()
    assert "`plank.job_url_template`: Go template not translated: {{template}}" in report
    config = yaml.safe_load((out / "prowconfig.yaml").read_text())
    assert "job_url_template" not in config["spec"]["plank"]
    assert config["spec"]["plank"]["report_templates"]["*"] == "Job {{ spec.job }}"


def test_colliding_object_names_get_a_counter_and_keep_the_job_name(
    prow: Path, tmp_path: Path
) -> None:
    (prow / "jobs" / "c.yaml").write_text(
        "presubmits:\n  acme/rocket:\n"
        "  - {name: pull_x, always_run: true, spec: {containers: [{image: a}]}}\n"
        "  - {name: pull-x, always_run: true, spec: {containers: [{image: a}]}}\n"
        "periodics:\n"
        "- {name: nightly_build, interval: 1h, spec: {containers: [{image: a}]}}\n"
        "- {name: nightly-build, interval: 1h, spec: {containers: [{image: a}]}}\n"
    )
    out = tmp_path / "out"
    assert run(prow, out) == 0
    periodics = list(yaml.safe_load_all((out / "jobs/periodics.yaml").read_text()))
    names = {doc["metadata"]["name"]: doc["spec"].get("name") for doc in periodics}
    assert names["nightly-build"] in (None, "nightly-build", "nightly_build")
    assert {"nightly-build", "nightly-build-2"} <= set(names)
    assert {names["nightly-build"] or "nightly-build", names["nightly-build-2"]} == {
        "nightly_build",
        "nightly-build",
    }


def test_what_prows_loader_rejects_across_files(prow: Path, tmp_path: Path) -> None:
    (prow / "jobs" / "b" / "a.yaml").write_text(
        "periodics:\n- {name: nightly, interval: 1h, spec: {containers: [{image: a}]}}\n"
    )
    out = tmp_path / "out"
    assert run(prow, out) == 1
    report = (out / "CONVERSION.md").read_text()
    assert "duplicated basename is not allowed" in report
    assert "Periodic/nightly: `name`: duplicated periodic job" in report


def test_unknown_top_level_keys_of_job_files_are_errors(prow: Path, tmp_path: Path) -> None:
    (prow / "jobs" / "c.yaml").write_text("presubmit: {}\n")
    out = tmp_path / "out"
    assert run(prow, out) == 1
    assert "`presubmit`: unknown field (Prow rejects it too)" in (out / "CONVERSION.md").read_text()


def test_prow_job_config_loading_rules(prow: Path, tmp_path: Path) -> None:
    # .prowignore (gitignore syntax, any folder), prow_ignored, decorate_all_jobs, and
    # scalars read into Go string fields as strings (sigs.k8s.io/yaml).
    (prow / "jobs" / "b" / ".prowignore").write_text("data.yaml\n")
    (prow / "jobs" / "b" / "data.yaml").write_text("someRegistry: example.com\n")
    (prow / "jobs" / "d.yaml").write_text(
        "decorate_all_jobs: true\nprow_ignored: {anything: [1]}\n"
        "periodics:\n- name: p\n  interval: 1h\n  labels: {tier: 1}\n"
        "  spec: {containers: [{image: a, args: [--count, 3], env: [{name: N, value: 0},"
        " {name: B, value: true}, {NAME: F, value: 99.5}]}]}\n"
        "- name: q\n  interval: 1h\n  decorate: false\n  spec: {containers: [{image: a}]}\n"
    )
    out = tmp_path / "out"
    assert run(prow, out) == 0
    report = (out / "CONVERSION.md").read_text()
    assert "someRegistry" not in report and "prow_ignored" not in report
    periodics = {
        doc["metadata"]["name"]: doc["spec"]
        for doc in yaml.safe_load_all((out / "jobs/periodics.yaml").read_text())
    }
    p = periodics["p"]
    assert p["decorate"] is True and periodics["q"]["decorate"] is False
    assert p["labels"] == {"tier": "1"}
    container = p["pod_spec"]["containers"][0]
    assert container["args"] == ["--count", "3"]
    assert [(e["name"], e["value"]) for e in container["env"]] == [
        ("N", "0"),
        ("B", "true"),
        ("F", "99.5"),
    ]
    # decorate_all_jobs applies to the jobs of every file, as Prow's JobConfig does.
    blocking = yaml.safe_load_all((out / "jobs/acme/rocket/blockingpresubmits.yaml").read_text())
    assert all(doc["spec"].get("decorate") is True for doc in blocking)


def test_slack_job_and_tide_templates_are_translated(prow: Path, tmp_path: Path) -> None:
    (prow / "config.yaml").write_text(
        "slack_reporter_configs:\n  '*':\n    channel: ci\n"
        "    report_template: 'Job {{.Spec.Job}} ended with {{.Status.State}}'\n"
        "tide:\n  merge_commit_template:\n    acme/rocket:\n"
        "      title: '{{ .Title }} (#{{ .Number }})'\n      body: '{{ .Body }}'\n"
    )
    (prow / "jobs" / "c.yaml").write_text(
        "periodics:\n- name: p\n  interval: 1h\n  spec: {containers: [{image: a}]}\n"
        "  reporter_config:\n    slack:\n      channel: x\n"
        "      report_template: '{{if eq .Status.State \"failure\"}}broken{{end}}'\n"
    )
    out = tmp_path / "out"
    assert run(prow, out) == 0
    spec = yaml.safe_load((out / "prowconfig.yaml").read_text())["spec"]
    slack = spec["crier"]["slack_reporter_configs"]["*"]["report_template"]
    assert slack == "Job {{ spec.job }} ended with {{ status.state }}"
    assert spec["tide"]["merge_commit_template"]["acme/rocket"] == {
        "title": "{{ Title }} (#{{ Number }})",
        "body": "{{ Body }}",
    }
    periodics = list(yaml.safe_load_all((out / "jobs/periodics.yaml").read_text()))
    (p,) = [doc for doc in periodics if doc["metadata"]["name"] == "p"]
    template = p["spec"]["reporter_config"]["slack"]["report_template"]
    assert template == '{% if (status.state == "failure") %}broken{% endif %}'

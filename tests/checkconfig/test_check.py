"""`bowsprit check` on good and bad inputs: every problem names file, object and field."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bowsprit.checkconfig.check import check
from bowsprit.cli import main

EXAMPLES = Path(__file__).resolve().parents[2] / "e2e" / "examples"


def test_examples_pass(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(EXAMPLES)]) == 0
    out = capsys.readouterr().out
    assert "0 problem(s)" in out
    assert "1 ProwJob" in out and "1 Periodic" in out


def test_falco_job_configs_load_into_the_models(falco_config: Path) -> None:
    report = check([falco_config / "jobs"])
    assert report.errors == []
    # Falco: 11 presubmits (all required, so blocking), 50 postsubmits, 4 periodics.
    assert report.objects == {"BlockingPresubmit": 11, "Postsubmit": 50, "Periodic": 4}
    assert report.files == 16


def test_falco_plugins_load_into_plugin_configs(falco_config: Path) -> None:
    report = check([falco_config / "prow" / "aws" / "plugins.yaml"])
    assert report.errors == []
    assert report.objects == {"PluginConfig": 48}
    unconverted = sorted(item.problem.field for item in report.problems)
    assert all(not item.problem.carried for item in report.problems)
    assert "config_updater" in unconverted
    # The 22 repositories that enable golint are told it is not supported.
    golint = [
        item.problem
        for item in report.problems
        if "plugin golint is not supported in Bowsprit" in item.problem.message
    ]
    assert len(golint) == 22
    # The everyday plugins' sections are carried now; Prow's blunderbuss.wait_for_status
    # is not (Falco does not set it).
    assert "blunderbuss" not in unconverted and "retitle" not in unconverted


def test_plugin_settings_follow_prows_matching(tmp_path: Path) -> None:
    from bowsprit.api.prowplugins import import_plugin_config

    imported = import_plugin_config(
        {
            "plugins": {"o": {"plugins": ["trigger", "size"]}, "o/special": ["trigger"]},
            "triggers": [
                {"repos": ["o/special"], "only_org_members": True},
                {"repos": ["o"], "trusted_apps": ["dependabot"]},
            ],
            "size": {"s": 1, "m": 2, "l": 3, "xl": 4, "xxl": 5},
            "external_plugins": {"o": [{"name": "needs-rebase", "events": ["pull_request"]}]},
        }
    )
    assert imported.problems == []
    by_name = {obj.metadata.name: obj.to_manifest()["spec"] for obj in imported.objects}
    assert by_name["o"]["trigger"] == {"trusted_apps": ["dependabot"]}
    assert by_name["o"]["size"]["xxl"] == 5
    assert by_name["o"]["external_plugins"] == [
        {"name": "needs-rebase", "events": ["pull_request"]}
    ]
    assert by_name["o-special"] == {
        "repos": ["o/special"],
        "plugins": ["trigger"],
        "trigger": {"only_org_members": True},
    }


def test_falco_prow_config_loads(falco_config: Path) -> None:
    report = check([falco_config / "prow" / "aws" / "config.yaml"])
    assert report.errors == []
    assert report.objects == {"ProwConfig": 1, "TidePool": 50}
    # Sections for tools Bowsprit does not have are reported, not silently dropped.
    not_carried = sorted(item.problem.field for item in report.problems if not item.problem.carried)
    assert not_carried == [
        "branch-protection",
        "log_level",
        *(
            f"plank.default_decoration_configs.*.utility_images.{utility}"
            for utility in ("clonerefs", "entrypoint", "initupload", "sidecar")
        ),
    ]
    # Falco's templates are Go's syntax: the user learns that convert translates them.
    templates = [item.problem for item in report.problems if "Go template" in item.problem.message]
    assert [problem.field for problem in templates] == [
        "plank.job_url_template",
        "plank.report_templates.*",
    ]
    assert all(problem.warning for problem in templates)


BAD_CR = """\
apiVersion: bowsprit.dev/v1
kind: Periodic
metadata:
  name: nightly
spec:
  cron: "0 3 * * *"
  interval: 24h
  decorate: yes-please
  pod_spec:
    containers:
      - image: busybox
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: ignored
"""

BAD_PROW_JOBS = """\
presubmits:
  org/repo:
  - name: pull-unit
    always_run: true
    run_if_changed: '^src/'
    spec:
      containers:
      - image: golang
  - name: pull-lint
    run_if_chaged: '^lint/'
    tekton_pipeline_run_spec: {}
    spec:
      containers:
      - image: golang
"""


def test_bad_inputs_name_file_object_and_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "periodic.yaml").write_text(BAD_CR)
    (tmp_path / "jobs.yaml").write_text(BAD_PROW_JOBS)
    (tmp_path / "notes.yml").write_text("just: a map\n")
    (tmp_path / "broken.yaml").write_text("key: [unclosed\n")
    assert main(["check", str(tmp_path)]) == 1
    lines = capsys.readouterr().out.splitlines()
    expected = [
        f"{tmp_path / 'periodic.yaml'}: Periodic/nightly: spec.decorate: ",
        f"{tmp_path / 'jobs.yaml'}: presubmits of org/repo 'pull-lint': "
        "run_if_chaged: unknown field (Prow rejects it too)",
        f"{tmp_path / 'jobs.yaml'}: not carried: presubmits of org/repo 'pull-lint': "
        "tekton_pipeline_run_spec: not used",
        f"{tmp_path / 'notes.yml'}: document 1: neither a bowsprit.dev manifest nor a Prow",
        f"{tmp_path / 'broken.yaml'}: file: not valid YAML",
    ]
    for start in expected:
        assert any(line.startswith(start) for line in lines), (start, lines)
    # The CEL rule is checked too once the object itself parses.
    assert any(
        line.startswith(f"{tmp_path / 'jobs.yaml'}: BlockingPresubmit/pull-unit: spec: ")
        and "always_run cannot be combined with run_if_changed" in line
        for line in lines
    ), lines
    assert lines[-1].endswith("1 other document(s) skipped; 5 problem(s)")


def test_check_is_as_strict_as_the_api_server(tmp_path: Path) -> None:
    # pydantic alone would coerce "yes" to True and "5" to 5; the API server rejects both.
    (tmp_path / "lax.yaml").write_text(
        "apiVersion: bowsprit.dev/v1\nkind: Postsubmit\nmetadata: {name: lax}\n"
        "spec: {org: o, repo: r, always_run: 'yes', max_concurrency: '5',\n"
        "       pod_spec: {containers: [{image: busybox, resources: {requests: {cpu: 0.5}}}]}}\n"
    )
    report = check([tmp_path])
    fields = sorted(item.problem.field for item in report.errors)
    assert fields == [
        "spec.always_run",
        "spec.max_concurrency",
        "spec.pod_spec.containers[0].resources.requests.cpu",
    ] or fields == sorted(
        [
            "spec.always_run",
            "spec.max_concurrency",
            "spec.surprise",
            "spec.pod_spec.containers[0].resources.requests.cpu",
        ]
    ), fields


def test_duplicates_are_reported(tmp_path: Path) -> None:
    document = (EXAMPLES / "tidepool.yaml").read_text()
    (tmp_path / "a.yaml").write_text(document)
    (tmp_path / "b.yaml").write_text(document)
    report = check([tmp_path])
    assert [str(item.problem) for item in report.errors] == [
        f"TidePool/example-repo: metadata.name: duplicate of one in {tmp_path / 'a.yaml'}"
    ]


def test_missing_path_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(tmp_path / "nope")]) == 2
    assert "no such file" in capsys.readouterr().err


PRESET_JOBS = """\
presets:
- labels: {preset-aws: "true"}
  env: [{name: AWS_REGION, value: eu-west-1}]
  volumes: [{name: creds, secret: {secretName: aws}}]
  volumeMounts: [{name: creds, mountPath: /creds, readOnly: true}]
postsubmits:
  org/a:
  - name: publish
    labels: {preset-aws: "true"}
    spec: {containers: [{image: alpine, env: [{name: X, value: "1"}]}]}
  org/b:
  - name: publish
    spec: {containers: [{image: alpine}]}
"""


def test_presets_are_merged_and_repeated_names_qualified(tmp_path: Path) -> None:
    from bowsprit.api.prowimport import import_jobs

    imported = import_jobs(yaml.safe_load(PRESET_JOBS))
    assert imported.problems == []
    by_name = {obj.metadata.name: obj.to_manifest()["spec"] for obj in imported.objects}
    assert set(by_name) == {"org-a-publish", "org-b-publish"}
    assert by_name["org-a-publish"]["name"] == "publish"
    pod = by_name["org-a-publish"]["pod_spec"]
    assert pod["containers"][0]["env"] == [
        {"name": "X", "value": "1"},
        {"name": "AWS_REGION", "value": "eu-west-1"},
    ]
    assert pod["containers"][0]["volumeMounts"][0]["mountPath"] == "/creds"
    assert pod["volumes"] == [{"name": "creds", "secret": {"secretName": "aws"}}]
    assert "env" not in by_name["org-b-publish"]["pod_spec"]["containers"][0]


def test_presets_from_another_file_apply(tmp_path: Path) -> None:
    (tmp_path / "presets.yaml").write_text(PRESET_JOBS.split("postsubmits:")[0])
    (tmp_path / "jobs.yaml").write_text(
        "periodics:\n- name: nightly\n  cron: '@daily'\n  labels: {preset-aws: 'true'}\n"
        "  spec: {containers: [{image: alpine, env: [{name: AWS_REGION, value: us-east-1}]}]}\n"
    )
    report = check([tmp_path])
    assert [item.problem.message for item in report.errors] == [
        "env var duplicated in pod spec: AWS_REGION"
    ]


def test_config_yaml_with_inline_jobs_checks_both(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text(
        "plank: {max_concurrency: 2}\n"
        "presubmits:\n  o/r:\n  - name: unit\n    always_run: true\n"
        "    spec: {containers: [{image: golang}]}\n"
    )
    report = check([tmp_path])
    assert report.errors == []
    assert report.objects == {"ProwConfig": 1, "BlockingPresubmit": 1}


def test_unknown_plugins_are_errors_naming_the_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    manifest = {
        "apiVersion": "bowsprit.dev/v1",
        "kind": "PluginConfig",
        "metadata": {"name": "acme"},
        "spec": {"repos": ["acme"], "plugins": ["trigger", "tirgger"]},
    }
    (tmp_path / "plugins.yaml").write_text(yaml.safe_dump(manifest))
    assert main(["check", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "PluginConfig/acme: spec.plugins[1]: unknown plugin 'tirgger'" in out
    # Without hook's registry (a library caller), names are not checked.
    assert check([tmp_path]).errors == []


def test_go_report_templates_in_prowconfig_crs_are_warned_about(tmp_path: Path) -> None:
    # A ProwConfig written by hand with Prow's Go syntax: crier cannot render it and falls
    # back to its default, so check says so (Prow's own files are reported by the import).
    manifest = {
        "apiVersion": "bowsprit.dev/v1",
        "kind": "ProwConfig",
        "metadata": {"name": "bowsprit"},
        "spec": {"plank": {"report_templates": {"*": "See {{.Status.URL}}"}}},
    }
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(manifest))
    report = check([tmp_path])
    warnings = [str(item.problem) for item in report.problems if item.problem.warning]
    assert [w for w in warnings if "Go template" in w] == [
        "warning: ProwConfig/bowsprit: spec.plank.report_templates[*]: is a Go template; "
        "Bowsprit's are Jinja"
        " ({{ spec.job }}): crier cannot render it and uses its default instead"
    ]
    assert report.errors == []


def test_prowconfig_fields_without_effect_are_warned_about(tmp_path: Path) -> None:
    manifest = {
        "apiVersion": "bowsprit.dev/v1",
        "kind": "ProwConfig",
        "metadata": {"name": "bowsprit"},
        "spec": {
            "sinker": {"exclude_clusters": ["default", "gpu"]},
            "crier": {"slack_reporter_configs": {"*": {"host": "other.slack.com"}}},
            "github": {"link_url": "https://github.example.com"},
            "plank": {"default_decoration_configs": {"*": {"gcs_credentials_secret": "gcs"}}},
        },
    }
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(manifest))
    report = check([tmp_path])
    assert report.errors == []
    assert sorted(item.problem.field for item in report.problems if item.problem.warning) == [
        "spec.crier.slack_reporter_configs[*].host",
        "spec.github.link_url",
        "spec.plank.default_decoration_configs[*].gcs_credentials_secret",
    ]


def test_decoration_entries_written_as_patterns_are_warned_about(tmp_path: Path) -> None:
    """Prow matches an entry's repo and cluster as names (pkg/config `matches`): a
    pattern matches no job, which `bowsprit check` says."""
    entries = [
        {"repo": "*", "cluster": "*", "config": {"timeout": "1h"}},
        {"repo": "org/repo", "cluster": "trusted", "config": {"timeout": "2h"}},
        {"repo": "org/.*", "config": {"timeout": "3h"}},
        {"repo": "org", "cluster": "^gpu-[0-9]+$", "config": {"timeout": "4h"}},
    ]
    manifest = {
        "apiVersion": "bowsprit.dev/v1",
        "kind": "ProwConfig",
        "metadata": {"name": "bowsprit"},
        "spec": {"plank": {"default_decoration_config_entries": entries}},
    }
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(manifest))
    report = check([tmp_path])
    assert report.errors == []
    warned = sorted(item.problem.field for item in report.problems if item.problem.warning)
    assert warned == [
        "spec.plank.default_decoration_config_entries[2].repo",
        "spec.plank.default_decoration_config_entries[3].cluster",
    ]


def test_falco_dco_and_require_matching_label_settings(falco_config: Path) -> None:
    """Prow's `dco` (by `*`, org or org/repo) and `require_matching_label` (rules by org
    and repo) reach the PluginConfigs whose entries enable those plugins."""
    import yaml

    from bowsprit.api.prowplugins import import_plugin_config

    document = yaml.safe_load((falco_config / "prow" / "aws" / "plugins.yaml").read_text())
    imported = import_plugin_config(document)
    specs = {obj.metadata.name: obj.to_manifest()["spec"] for obj in imported.objects}
    github = specs["falcosecurity-github"]
    assert github["dco"] == {
        "contributing_repo": "falcosecurity/.github",
        "contributing_branch": "main",
    }
    (rule,) = github["require_matching_label"]
    assert (rule["repo"], rule["missing_label"], rule["regexp"]) == (
        ".github",
        "needs-kind",
        "^kind/",
    )
    assert "require_matching_label" not in specs["falcosecurity-advocacy"]  # no rule for it


def test_dco_settings_follow_prows_dco_for() -> None:
    from bowsprit.api.prowplugins import import_plugin_config

    imported = import_plugin_config(
        {
            "plugins": {"o": ["dco"], "o/r": ["dco"], "p": ["dco"], "q": ["hold"]},
            "dco": {"*": {"contributing_branch": "main"}, "o/r": {"trusted_org": "o"}},
        }
    )
    specs = {obj.metadata.name: obj.to_manifest()["spec"] for obj in imported.objects}
    assert specs["o-r"]["dco"] == {"trusted_org": "o"}
    assert specs["o"]["dco"] == specs["p"]["dco"] == {"contributing_branch": "main"}
    assert "dco" not in specs["q"]


def test_prowignore_is_followed(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / ".prowignore").write_text("data.yaml\n")
    (tmp_path / "sub" / "data.yaml").write_text("someRegistry: example.com\n")
    (tmp_path / "sub" / "jobs.yaml").write_text(
        "periodics:\n- {name: p, interval: 1h, spec: {containers: [{image: a}]}}\n"
    )
    report = check([tmp_path])
    assert report.errors == [] and report.files == 1


def test_owners_section_reaches_the_owners_plugins() -> None:
    """Prow's global `owners` section (skip_collaborators by org or repo, labels_denylist,
    filenames by org/repo then org) reaches entries that enable an OWNERS plugin;
    mdyamlrepos is reported as not converted."""
    from bowsprit.api.prowplugins import import_plugin_config

    imported = import_plugin_config(
        {
            "plugins": {"o": ["approve"], "o/r": ["lgtm"], "p": ["owners-label"], "q": ["hold"]},
            "owners": {
                "skip_collaborators": ["o/r", "p"],
                "labels_denylist": ["approved", "lgtm"],
                "filenames": {"o": {"owners": "OWNERS.md", "owners_aliases": "ALIASES"}},
                "mdyamlrepos": ["o/r"],
            },
        }
    )
    specs = {obj.metadata.name: obj.to_manifest()["spec"] for obj in imported.objects}
    assert specs["o-r"]["owners"] == {
        "skip_collaborators": True,
        "labels_denylist": ["approved", "lgtm"],
        "owners_filename": "OWNERS.md",
        "owners_aliases_filename": "ALIASES",
    }
    assert "skip_collaborators" not in specs["o"]["owners"]
    assert specs["p"]["owners"] == {
        "skip_collaborators": True,
        "labels_denylist": ["approved", "lgtm"],
    }
    assert "owners" not in specs["q"]
    assert any(
        problem.field == "owners.mdyamlrepos" and not problem.carried
        for problem in imported.problems
    )


def test_everyday_plugin_settings_are_converted(falco_config: Path) -> None:
    """Falco's size, blunderbuss, retitle, goose and repo_milestone sections reach the
    PluginConfigs of the entries that enable those plugins."""
    import yaml

    from bowsprit.api.prowplugins import import_plugin_config

    document = yaml.safe_load((falco_config / "prow" / "aws" / "plugins.yaml").read_text())
    specs = {o.spec.repos[0]: o.spec for o in import_plugin_config(document).objects}  # type: ignore[attr-defined]
    falco = specs["falcosecurity/falco"]
    assert falco.blunderbuss is not None and falco.blunderbuss.max_request_count == 2
    assert falco.blunderbuss.use_status_availability
    assert falco.retitle is not None and falco.retitle.allow_closed_issues
    assert falco.goose is not None and falco.goose.key_path == "/etc/unsplash/honk"
    assert falco.milestone is not None and falco.milestone.maintainers_team == "falco-maintainers"
    assert falco.size is not None and falco.size.l == 90
    assert "golint" not in (specs["falcosecurity/testing"].plugins or [])
    # A repository without milestone on gets no milestone settings.
    assert specs["falcosecurity/testing"].milestone is None


def test_repo_milestone_default_and_preserved_branches() -> None:
    from bowsprit.api.prowplugins import import_plugin_config

    imported = import_plugin_config(
        {
            "plugins": {"o/a": ["milestone", "branchcleaner"], "o/b": ["milestone"]},
            "repo_milestone": {
                "": {"maintainers_team": "admins"},
                "o/b": {"maintainers_team": "b-leads"},
            },
            "branch_cleaner": {"preserved_branches": {"o": ["release-.*"], "o/a": ["main"]}},
        }
    )
    specs = {o.spec.repos[0]: o.spec for o in imported.objects}  # type: ignore[attr-defined]
    assert specs["o/a"].milestone.maintainers_team == "admins"
    assert specs["o/b"].milestone.maintainers_team == "b-leads"
    assert specs["o/a"].branchcleaner.preserved_branches == ["main", "release-.*"]
    assert imported.problems == []

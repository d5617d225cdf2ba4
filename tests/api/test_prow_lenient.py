"""The converter accepts Prow's whole format: what Prow accepts and Bowsprit does not use
is reported as not carried; what Prow itself rejects stays an error."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bowsprit.api.prowcommon import Problem
from bowsprit.api.prowimport import import_jobs, import_prow_config
from bowsprit.api.prowplugins import import_plugin_config
from bowsprit.checkconfig.check import check

CONFIG = """
log_level: debug
in_repo_config:
  enabled: {"*": true}
gerrit:
  tick_interval: 1m
deck:
  google_analytics: UA-1
  spyglass:
    size_limit: 100
    testgrid_config: gs://k8s-testgrid/config
    testgrid_root: https://testgrid.k8s.io/
    lenses:
      - lens: {name: buildlog, config: {highlight_regexes: ["error"]}}
        required_files: [build-log.txt]
plank:
  max_concurrency: 3
  build_cluster_status_file: gs://bucket/status.json
sinker:
  max_pod_age: 1h
tide:
  sync_period: 2m
  queries:
    - repos: [o/r]
      labels: [lgtm]
      author: bot
"""


def errors(problems: list[Problem]) -> list[str]:
    return [str(problem) for problem in problems if not problem.warning]


def not_carried(problems: list[Problem]) -> list[str]:
    return sorted(problem.field for problem in problems if not problem.carried)


def test_sections_and_fields_bowsprit_does_not_use_are_reported_not_errors() -> None:
    imported = import_prow_config(yaml.safe_load(CONFIG))
    assert errors(imported.problems) == []
    assert not_carried(imported.problems) == [
        "deck.google_analytics",
        "deck.spyglass.testgrid_config",
        "deck.spyglass.testgrid_root",
        "gerrit",
        "in_repo_config",
        "log_level",
        "plank.build_cluster_status_file",
    ]
    kinds = sorted(obj.kind for obj in imported.objects)
    assert kinds == ["ProwConfig", "TidePool"]
    spec = imported.objects[0].to_manifest()["spec"]
    assert spec["plank"]["max_concurrency"] == 3
    assert "testgrid_config" not in spec["deck"]["spyglass"]


def test_keys_prow_rejects_stay_errors() -> None:
    document = yaml.safe_load(CONFIG)
    document["plank"]["max_concurency"] = 4  # a typo: Prow has no such field either
    document["deck"]["spyglass"]["lenses"][0]["lens"]["nmae"] = "x"
    document["not_a_prow_section"] = {}
    found = errors(import_prow_config(document).problems)
    assert any("plank.max_concurency: unknown field (Prow rejects it too)" in e for e in found)
    assert any("deck.spyglass.lenses[0].lens.nmae: unknown field" in e for e in found)
    assert any("not_a_prow_section: unknown field" in e for e in found)
    assert len(found) == 3


def test_job_fields_prow_accepts_are_not_carried_and_typos_are_errors() -> None:
    document = {
        "presubmits": {
            "o/r": [
                {
                    "name": "unit",
                    "always_run": True,
                    "hidden": True,
                    "jenkins_spec": {"github_branch_source_job": True},
                    "spec": {"containers": [{"image": "golang"}]},
                },
                {"name": "lint", "alwyas_run": True, "spec": {"containers": [{"image": "x"}]}},
            ]
        },
        "periodics": [
            {
                "name": "p",
                "interval": "1h",
                "tekton_pipeline_run_spec": {},
                "spec": {"containers": [{"image": "x"}]},
            }
        ],
    }
    imported = import_jobs(document)
    assert [str(p) for p in imported.problems if not p.warning] == [
        "presubmits of o/r 'lint': alwyas_run: unknown field (Prow rejects it too)"
    ]
    assert not_carried(imported.problems) == ["jenkins_spec", "tekton_pipeline_run_spec"]
    assert sorted(obj.metadata.name or "" for obj in imported.objects) == ["lint", "p", "unit"]


def test_plugins_prow_accepts_are_not_carried_and_typos_are_errors() -> None:
    imported = import_plugin_config(
        {
            "plugins": {"o": {"plugins": ["trigger"]}},
            "triggers": [{"repos": ["o"], "trusted_apps": ["bot"], "trusted_ogr": "x"}],
            "cat": {"key_path": "/etc/cat"},
            "heart": {"adorees": ["a"]},
        }
    )
    assert errors(imported.problems) == [
        "plugins: triggers[0].trusted_ogr: unknown field (Prow rejects it too)"
    ]
    # `cat` is the cat plugin's section now (carried when that plugin is on).
    assert not_carried(imported.problems) == ["heart"]
    assert len(imported.objects) == 1


def test_prowconfig_crs_stay_strict(tmp_path: Path) -> None:
    (tmp_path / "prowconfig.yaml").write_text(
        "apiVersion: bowsprit.dev/v1\nkind: ProwConfig\nmetadata: {name: bowsprit}\n"
        "spec:\n  deck:\n    google_analytics: UA-1\n"
    )
    report = check([tmp_path])
    assert [str(item.problem) for item in report.errors] == [
        "ProwConfig/bowsprit: spec.deck.google_analytics: Extra inputs are not permitted"
    ]


def test_require_matching_label_regexp_is_go_syntax() -> None:
    from bowsprit.api.pluginconfig import RequireMatchingLabelSettings

    # A flag group after an alternation: Go accepts it, Python's re does not.
    rule = RequireMatchingLabelSettings.model_validate(
        {"prs": True, "regexp": "^kind/|(?i)^AREA/", "missing_label": "needs-kind"}
    )
    assert rule.regexp.endswith("AREA/")
    with pytest.raises(ValueError, match="invalid regular expression"):
        RequireMatchingLabelSettings.model_validate(
            {"prs": True, "regexp": "(a)\\1", "missing_label": "needs-kind"}
        )

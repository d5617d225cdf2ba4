"""PluginConfig matching (Prow's rules) and the stores informers keep current."""

from __future__ import annotations

from typing import Any

import pytest

from bowsprit.api.pluginconfig import PluginConfigSpec
from bowsprit.hook.caches import Caches, applies_to, merged_config
from tests.hook.jobs import POD


def config(repos: list[str], plugins: list[str], **spec: Any) -> PluginConfigSpec:
    return PluginConfigSpec.model_validate({"repos": repos, "plugins": plugins, **spec})


ORG = config(
    ["acme"],
    ["trigger", "size"],
    excluded_repos=["acme/secret"],
    trigger={"only_org_members": True},
)
REPO = config(["acme/rocket"], ["hold"], trigger={"trusted_apps": ["renovate"]})
OTHER = config(["other", "acme/anvil"], ["lgtm"])


@pytest.mark.parametrize(
    ("spec", "org", "repo", "rank"),
    [
        (ORG, "acme", "rocket", 1),
        (ORG, "acme", "secret", 0),
        (REPO, "acme", "rocket", 2),
        (REPO, "acme", "anvil", 0),
        (OTHER, "acme", "anvil", 2),
        (OTHER, "other", "x", 1),
    ],
    ids=["org", "excluded", "repo", "other-repo", "listed-repo", "second-org"],
)
def test_applies_to(spec: PluginConfigSpec, org: str, repo: str, rank: int) -> None:
    assert applies_to(spec, org, repo) == rank


def test_plugins_add_up_and_the_most_specific_settings_win() -> None:
    merged = merged_config([ORG, REPO, OTHER], "acme", "rocket")
    assert merged is not None
    assert merged.plugins == ["hold", "size", "trigger"]
    assert merged.trigger is not None and merged.trigger.trusted_apps == ["renovate"]
    assert merged.trigger.only_org_members is None  # settings are taken whole, not merged


def test_excluded_and_unknown_repos_have_no_plugins() -> None:
    assert merged_config([ORG, REPO], "acme", "secret") is None
    assert merged_config([ORG, REPO], "nobody", "x") is None
    anvil = merged_config([ORG, OTHER], "acme", "anvil")
    assert anvil is not None and anvil.plugins == ["lgtm", "size", "trigger"]


def item(kind: str, name: str, spec: dict[str, Any], namespace: str = "ci") -> dict[str, Any]:
    return {"kind": kind, "metadata": {"name": name, "namespace": namespace}, "spec": spec}


def test_stores_follow_changes_and_skip_invalid_objects() -> None:
    caches = Caches()
    presubmits = caches.jobs["BlockingPresubmit"]
    unit = item("BlockingPresubmit", "unit", {"org": "acme", "repo": "rocket", "pod_spec": POD})
    broken = item("BlockingPresubmit", "broken", {"org": "acme"})
    presubmits.replace([unit, broken])
    assert [job.name for job in caches.presubmits("acme", "rocket")] == ["unit"]
    renamed = item(
        "BlockingPresubmit",
        "unit",
        {"org": "acme", "repo": "rocket", "pod_spec": POD, "name": "Unit_Tests"},
    )
    presubmits.upsert(renamed)
    assert [job.name for job in caches.presubmits("acme", "rocket")] == ["Unit_Tests"]
    post = item("Postsubmit", "deploy", {"org": "acme", "repo": "rocket", "pod_spec": POD})
    caches.jobs["Postsubmit"].upsert(post)
    assert [job.name for job in caches.postsubmits("acme", "rocket")] == ["deploy"]
    presubmits.upsert({**renamed, "spec": {"org": "acme"}})  # turned invalid: dropped
    assert caches.presubmits("acme", "rocket") == ()
    caches.jobs["Postsubmit"].delete(post)
    assert caches.postsubmits("acme", "rocket") == ()


def test_prowjob_namespace_comes_from_the_named_prow_config() -> None:
    caches = Caches("bowsprit")
    assert caches.prowjob_namespace() == "default"
    caches.prow_configs.upsert(item("ProwConfig", "other", {"prowjob_namespace": "x"}))
    assert caches.prowjob_namespace() == "default"
    caches.prow_configs.upsert(item("ProwConfig", "bowsprit", {"prowjob_namespace": "jobs"}))
    assert caches.prowjob_namespace() == "jobs"


def test_a_plugin_config_naming_an_unknown_plugin_is_refused_and_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caches = Caches(known_plugins={"trigger"})
    good = item("PluginConfig", "good", {"repos": ["acme"], "plugins": ["trigger"]})
    typo = item(
        "PluginConfig", "typo", {"repos": ["acme/rocket"], "plugins": ["trigger", "tirgger"]}
    )
    caches.plugin_configs.replace([good, typo])
    assert [spec.repos for spec in caches.all_configs()] == [["acme"]]
    assert "PluginConfig ci/typo ignored: spec.plugins[1]: unknown plugin 'tirgger'" in caplog.text


def test_merged_config_keeps_every_settings_section() -> None:
    """No plugin's settings are lost on the way to the handlers (the milestone team, the
    OWNERS filenames, ... were once dropped by a hand-kept list)."""
    from bowsprit.api.pluginconfig import PluginConfigSpec
    from bowsprit.hook.caches import merged_config

    spec = PluginConfigSpec.model_validate(
        {
            "repos": ["o"],
            "plugins": ["milestone", "blunderbuss", "approve"],
            "milestone": {"maintainers_team": "leads"},
            "blunderbuss": {"request_count": 3},
            "owners": {"skip_collaborators": True},
            "retitle": {"allow_closed_issues": True},
        }
    )
    merged = merged_config([spec], "o", "r")
    assert merged is not None
    assert merged.milestone is not None and merged.milestone.maintainers_team == "leads"
    assert merged.blunderbuss is not None and merged.blunderbuss.request_count == 3
    assert merged.owners is not None and merged.owners.skip_collaborators
    assert merged.retitle is not None and merged.retitle.allow_closed_issues


def test_merged_configs_are_reused_until_a_plugin_config_changes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """One merge per repository and PluginConfig version (each webhook asks twice); any
    change (upsert, delete, relist) is seen at once; the cache is bounded."""
    caches = Caches()
    plugin_configs = caches.plugin_configs
    org = {"metadata": {"namespace": "ci", "name": "org"}, "spec": {"repos": ["acme"]}}
    plugin_configs.replace([{**org, "spec": {"repos": ["acme"], "plugins": ["size"]}}])
    first = caches.config_for("acme", "rocket")
    assert first is not None and first.plugins == ["size"]
    assert caches.config_for("acme", "rocket") is first  # not merged again
    plugin_configs.upsert({**org, "spec": {"repos": ["acme"], "plugins": ["size", "hold"]}})
    changed = caches.config_for("acme", "rocket")
    assert changed is not None and changed.plugins == ["hold", "size"]
    plugin_configs.delete(org)
    assert caches.config_for("acme", "rocket") is None
    plugin_configs.replace([{**org, "spec": {"repos": ["acme"], "plugins": ["lgtm"]}}])
    again = caches.config_for("acme", "rocket")
    assert again is not None and again.plugins == ["lgtm"]
    monkeypatch.setattr("bowsprit.hook.caches.MAX_CACHED_REPOS", 3)
    kept = [caches.config_for("acme", f"repo-{n}") for n in range(10)]
    assert all(spec is not None and spec.plugins == ["lgtm"] for spec in kept)
    assert len(caches._configs) <= 3

"""Read Prow's plugins.yaml into PluginConfig objects, one per org or org/repo entry.

Prow keeps plugin lists by org or org/repo and most plugin settings in global sections
(some of them lists matched by `repos`). Each PluginConfig gets its entry's plugins and
external plugins, and the settings that apply to it; sections Bowsprit has no plugin
for yet are reported as warnings, never silently dropped.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from bowsprit.api.crdgen import crd_for
from bowsprit.api.pluginconfig import PluginConfig
from bowsprit.api.prowcommon import Imported, Problem, field_path, kubernetes_name, not_carried
from bowsprit.api.prowformat import plugins_shape, prune, unknown_keys

# Global sections that are lists of settings matched by their `repos` (first match wins).
_MATCHED_SECTIONS = {
    "triggers": "trigger",
    "lgtm": "lgtm",
    "approve": "approve",
    "welcome": "welcome",
}
# Global sections that apply to every entry that enables the plugin.
_GLOBAL_SECTIONS = {"size": "size", "label": "label"}
# The everyday plugins' global sections: section -> (plugin, PluginConfig field).
_EVERYDAY_SECTIONS = {
    "help": ("help", "help"),
    "blunderbuss": ("blunderbuss", "blunderbuss"),
    "retitle": ("retitle", "retitle"),
    "release_note": ("release-note", "release_note"),
    "cat": ("cat", "cat"),
    "goose": ("goose", "goose"),
}
_KNOWN = {"plugins", "external_plugins", *_MATCHED_SECTIONS, *_GLOBAL_SECTIONS}
_KNOWN |= {"dco", "require_matching_label", "owners"}
_KNOWN |= {*_EVERYDAY_SECTIONS, "repo_milestone", "branch_cleaner"}
# The plugins that read OWNERS files, for which the `owners` section matters.
_OWNERS_PLUGINS = {"lgtm", "approve", "verify-owners", "owners-label", "blunderbuss"}
# Prow plugins Bowsprit does not build: named, so that enabling one is never silent.
NOT_SUPPORTED = {"golint": "it runs golint over a git checkout of the pull request"}


def is_plugin_config(document: Any) -> bool:
    return isinstance(document, dict) and isinstance(document.get("plugins"), dict)


def import_plugin_config(document: dict[str, Any]) -> Imported:
    result = Imported([], [])
    rejected = {path for path, accepted in unknown_keys(document, plugins_shape()) if not accepted}
    result.problems += [
        Problem("plugins", path, "unknown field (Prow rejects it too)") for path in sorted(rejected)
    ]
    for section in sorted(set(document) - _KNOWN - rejected):
        result.problems.append(
            not_carried("plugins", section, "Bowsprit has no settings for this plugin yet")
        )
    result.problems += _pruned_settings(document, rejected)
    if (document.get("owners") or {}).get("mdyamlrepos"):
        result.problems.append(
            not_carried(
                "plugins", "owners.mdyamlrepos", "OWNERS headers in .md files are not read yet"
            )
        )
    result.problems.extend(_not_supported(document))
    entries = dict(document.get("plugins") or {})
    for key in document.get("external_plugins") or {}:
        entries.setdefault(key, {})
    schema = _spec_schema()
    for key, value in entries.items():
        spec, _ = prune(_spec_for(str(key), value, document), schema)
        try:
            result.objects.append(
                PluginConfig.model_validate(
                    {"metadata": {"name": kubernetes_name(key)}, "spec": spec}
                )
            )
        except ValidationError as error:
            result.problems.extend(
                Problem(f"plugins.{key}", field_path(item["loc"]), item["msg"])
                for item in error.errors()
            )
    return result


def _spec_schema() -> dict[str, Any]:
    schema: dict[str, Any] = crd_for(PluginConfig)["spec"]["versions"][0]["schema"]
    spec: dict[str, Any] = schema["openAPIV3Schema"]["properties"]["spec"]
    return spec


def _pruned_settings(document: dict[str, Any], rejected: set[str]) -> list[Problem]:
    """Settings of converted sections that PluginConfig has no field for, by Prow path."""
    schema = _spec_schema()["properties"]
    notes: list[Problem] = []
    everyday = {section: field for section, (_, field) in _EVERYDAY_SECTIONS.items()}
    for section, field in {**_MATCHED_SECTIONS, **_GLOBAL_SECTIONS, **everyday}.items():
        value = document.get(section)
        if value is None or field not in schema:
            continue
        if section in _MATCHED_SECTIONS and isinstance(value, list):
            for index, entry in enumerate(value):
                if isinstance(entry, dict):
                    settings = {k: v for k, v in entry.items() if k != "repos"}
                    _, dropped = prune(settings, schema[field], f"{section}[{index}]")
                    notes += [not_carried("plugins", p) for p in dropped if p not in rejected]
        else:
            _, dropped = prune(value, schema[field], section)
            notes += [not_carried("plugins", p) for p in dropped if p not in rejected]
    return notes


def _spec_for(key: str, value: Any, document: dict[str, Any]) -> dict[str, Any]:
    # Prow accepts the old form (a plain list of plugin names) and the new one.
    entry = {"plugins": value} if isinstance(value, list) else dict(value or {})
    spec: dict[str, Any] = {"repos": [key]}
    for field in ("plugins", "excluded_repos"):
        if entry.get(field):
            spec[field] = entry[field]
    if spec.get("plugins"):
        spec["plugins"] = [name for name in spec["plugins"] if name not in NOT_SUPPORTED]
    external = (document.get("external_plugins") or {}).get(key)
    if external:
        spec["external_plugins"] = external
    for section, field in _MATCHED_SECTIONS.items():
        settings = _first_match(document.get(section) or [], key)
        if settings is not None:
            spec[field] = {k: v for k, v in settings.items() if k != "repos"}
    enabled = set(spec.get("plugins", []))
    for section, plugin in _GLOBAL_SECTIONS.items():
        if document.get(section) and plugin in enabled:
            spec[plugin] = document[section]
    spec.update(_merge_rule_settings(document, key, enabled))
    spec.update(_everyday_settings(document, key, enabled))
    owners = _owners_for(document.get("owners") or {}, key) if enabled & _OWNERS_PLUGINS else None
    if owners:
        spec["owners"] = owners
    return spec


def _not_supported(document: dict[str, Any]) -> list[Problem]:
    found: list[Problem] = []
    for key, value in (document.get("plugins") or {}).items():
        names = value if isinstance(value, list) else (value or {}).get("plugins") or []
        for name in names:
            if name in NOT_SUPPORTED:
                why = (
                    f"plugin {name} is not supported in Bowsprit ({NOT_SUPPORTED[name]}); "
                    "it was left out and will not run"
                )
                found.append(not_carried(f"plugins.{key}", "plugins", why))
    return found


def _everyday_settings(document: dict[str, Any], key: str, enabled: set[str]) -> dict[str, Any]:
    """Settings of the everyday plugins an entry enables: global sections as they are,
    the repository's repo_milestone entry (else the "" default), preserved branches."""
    found: dict[str, Any] = {}
    for section, (plugin, field) in _EVERYDAY_SECTIONS.items():
        if document.get(section) and plugin in enabled:
            found[field] = document[section]
    if "milestone" in enabled:
        milestones = document.get("repo_milestone") or {}
        entry = milestones.get(key, milestones.get(""))
        if entry is not None:
            found["milestone"] = entry
    cleaner = document.get("branch_cleaner") or {}
    if "branchcleaner" in enabled and isinstance(cleaner, dict):
        preserved = cleaner.get("preserved_branches") or {}
        branches = [*preserved.get(key.split("/", 1)[0], []), *preserved.get(key, [])]
        if branches and "/" in key:
            found["branchcleaner"] = {"preserved_branches": sorted(set(branches))}
    return found


def _owners_for(section: dict[str, Any], key: str) -> dict[str, Any]:
    """Prow's global `owners` section as it applies to an org or org/repo entry:
    `skip_collaborators` (listed org or repo), `labels_denylist`, and the `filenames`
    of the entry, else of its org."""
    org = key.split("/", 1)[0]
    found: dict[str, Any] = {}
    if {key, org} & set(section.get("skip_collaborators") or []):
        found["skip_collaborators"] = True
    if section.get("labels_denylist"):
        found["labels_denylist"] = section["labels_denylist"]
    names = section.get("filenames") or {}
    chosen = names.get(key) or names.get(org) or {}
    if chosen.get("owners"):
        found["owners_filename"] = chosen["owners"]
    if chosen.get("owners_aliases"):
        found["owners_aliases_filename"] = chosen["owners_aliases"]
    return found


def _merge_rule_settings(document: dict[str, Any], key: str, enabled: set[str]) -> dict[str, Any]:
    """The dco and require-matching-label settings of an entry that enables them."""
    found: dict[str, Any] = {}
    dco = _dco_for(document.get("dco") or {}, key) if "dco" in enabled else None
    if dco is not None:
        found["dco"] = dco
    if "require-matching-label" in enabled:
        rules = _rules_for(document.get("require_matching_label") or [], key)
        if rules:
            found["require_matching_label"] = rules
    return found


def _dco_for(by_scope: dict[str, Any], key: str) -> Any:
    """Prow's DcoFor: the org/repo entry, else the org's, else `*`."""
    for candidate in (key, key.split("/", 1)[0], "*"):
        if candidate in by_scope:
            return by_scope[candidate]
    return None


def _rules_for(rules: list[Any], key: str) -> list[Any]:
    """The require_matching_label rules of an org or org/repo entry (each rule keeps its
    org and repo, which still choose at run time)."""
    org, _, repo = key.partition("/")
    return [
        rule
        for rule in rules
        if isinstance(rule, dict)
        and rule.get("org") == org
        and (not repo or not rule.get("repo") or rule.get("repo") == repo)
    ]


def _first_match(entries: list[dict[str, Any]], key: str) -> dict[str, Any] | None:
    """The settings for `key` (org or org/repo): an exact entry, else its org's entry."""
    org = key.split("/", 1)[0]
    for candidate in (key, org):
        for entry in entries:
            if candidate in (entry.get("repos") or []):
                return entry
    return None

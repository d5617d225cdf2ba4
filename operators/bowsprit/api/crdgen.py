"""Generate CustomResourceDefinitions from the pydantic models.

pydantic writes JSON Schema (draft 2020-12); a CRD needs a *structural* OpenAPI v3
schema: every node typed, no $ref, no nullable unions, no additionalProperties beside
properties. `structural_schema` turns the one into the other.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import yaml

from bowsprit.api.base import GROUP, VERSION, Resource

# Keywords a CRD schema node may carry, in the order they are written out; everything
# else pydantic emits (title, default, $defs, propertyNames, ...) is dropped.
_KEPT = (
    "description",
    "type",
    "format",
    "enum",
    "pattern",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "maxProperties",
    "x-kubernetes-int-or-string",
    "anyOf",
    "x-kubernetes-preserve-unknown-fields",
    "properties",
    "required",
    "items",
    "additionalProperties",
    "x-kubernetes-validations",
    "x-kubernetes-list-type",
    "x-kubernetes-list-map-keys",
    "default",
)


def crd_for(model: type[Resource]) -> dict[str, Any]:
    """The CustomResourceDefinition serving `model`."""
    info = model.KIND
    schema = structural_schema(model.model_json_schema(by_alias=True, mode="validation"))
    properties = schema["properties"]
    # The API server owns metadata's schema; the envelope fields are plain strings.
    properties["apiVersion"] = {"type": "string", "description": "bowsprit.dev/v1."}
    properties["kind"] = {"type": "string", "description": f"{info.kind}."}
    properties["metadata"] = {"type": "object"}
    if info.status_default is not None and "status" in properties:
        properties["status"]["default"] = info.status_default
    schema["required"] = ["spec"] if "spec" in schema.get("required", []) else []
    if not schema["required"]:
        del schema["required"]
    version: dict[str, Any] = {
        "name": VERSION,
        "served": True,
        "storage": True,
        "schema": {"openAPIV3Schema": schema},
    }
    if model.has_status():
        version["subresources"] = {"status": {}}
    if info.printer_columns:
        version["additionalPrinterColumns"] = [
            _printer_column(column) for column in info.printer_columns
        ]
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": f"{info.plural}.{GROUP}", **info.extra_metadata},
        "spec": {
            "group": GROUP,
            "names": {
                "kind": info.kind,
                "listKind": f"{info.kind}List",
                "plural": info.plural,
                "singular": info.singular,
                "shortNames": list(info.short_names),
                "categories": list(info.categories),
            },
            "scope": info.scope,
            "versions": [version],
        },
    }


def _printer_column(column: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": column.name, "type": column.type, "jsonPath": column.json_path}
    if column.description:
        entry["description"] = column.description
    if column.priority:
        entry["priority"] = column.priority
    return entry


def structural_schema(json_schema: dict[str, Any]) -> dict[str, Any]:
    """Turn pydantic's JSON Schema into a structural CRD schema."""
    definitions = json_schema.get("$defs", {})
    return _convert(json_schema, definitions)


def _convert(node: dict[str, Any], definitions: dict[str, Any]) -> dict[str, Any]:
    node = _resolve(node, definitions)
    if "anyOf" in node and not node.get("x-kubernetes-int-or-string"):
        node = _collapse_optional(node, definitions)
    if "patternProperties" in node:
        # Maps with constrained keys: the key rule stays in the model (CRDs cannot say it).
        (values,) = node["patternProperties"].values()
        node = {**node, "additionalProperties": values}
    converted = _converted_keywords(node, definitions)
    if node.get("additionalProperties") is True or (
        node.get("type") == "object"
        and "properties" not in node
        and "additionalProperties" not in converted
    ):
        # Models with extra="allow" and free-form dicts keep whatever they are given.
        converted["x-kubernetes-preserve-unknown-fields"] = True
    if "properties" in converted:
        converted.pop("additionalProperties", None)
    if _is_plain(node.get("default")):
        converted["description"] = _with_default(converted.get("description", ""), node["default"])
    return {key: converted[key] for key in _KEPT if key in converted}


def _converted_keywords(node: dict[str, Any], definitions: dict[str, Any]) -> dict[str, Any]:
    """The node's kept keywords, with nested schemas converted."""
    converted: dict[str, Any] = {}
    for key, value in node.items():
        if key == "properties":
            converted[key] = {name: _convert(child, definitions) for name, child in value.items()}
        elif key == "items":
            converted[key] = _convert(value, definitions)
        elif key == "additionalProperties":
            if isinstance(value, dict) and value:
                converted[key] = _convert(value, definitions)
        elif key in _KEPT and key != "default":
            converted[key] = copy.deepcopy(value)
    return converted


def _resolve(node: dict[str, Any], definitions: dict[str, Any]) -> dict[str, Any]:
    """Inline a $ref; the referring node's keywords (description, default) win."""
    while "$ref" in node:
        target = definitions[node["$ref"].rsplit("/", 1)[-1]]
        merged = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
        node = merged
    return node


def _collapse_optional(node: dict[str, Any], definitions: dict[str, Any]) -> dict[str, Any]:
    """`X | None` becomes X: an absent field is how a CR says None."""
    choices = [_resolve(choice, definitions) for choice in node["anyOf"]]
    non_null = [choice for choice in choices if choice.get("type") != "null"]
    if len(non_null) != 1:
        if all(choice.get("x-kubernetes-int-or-string") for choice in non_null):
            non_null = non_null[:1]
        else:
            raise ValueError(f"cannot express union {node['anyOf']} in a structural schema")
    rest = {k: v for k, v in node.items() if k != "anyOf"}
    return {**non_null[0], **rest}


def _is_plain(default: Any) -> bool:
    """Scalar defaults and short lists are worth a sentence; whole sections are not."""
    if isinstance(default, list):
        return bool(default) and all(isinstance(item, str | int) for item in default)
    return isinstance(default, str | int | float | bool)


def _with_default(description: str, default: Any) -> str:
    if isinstance(default, bool):
        shown = str(default).lower()
    elif isinstance(default, list):
        shown = json.dumps(default, separators=(", ", ": "))
    else:
        shown = str(default)
    suffix = f"Defaults to {shown}."
    return f"{description} {suffix}".strip() if description else suffix


def crd_file_name(model: type[Resource]) -> str:
    return f"{model.KIND.plural}.{GROUP}.yaml"


def render_crd(model: type[Resource]) -> str:
    """The CRD as YAML text, exactly as written to crds/."""
    header = (
        "# Generated from the pydantic models in operators/bowsprit/api by hack/update-crds.\n"
        "# Do not edit: change the model and regenerate.\n"
    )
    return header + yaml.safe_dump(crd_for(model), sort_keys=False, allow_unicode=True, width=100)


def chart_crd_file_name(model: type[Resource]) -> str:
    """The CRD's template in the chart (argo-cd's naming: templates/crds/crd-<kind>.yaml)."""
    return f"crd-{model.KIND.singular}.yaml"


def render_chart_crd(model: type[Resource]) -> str:
    """The CRD as a Helm template, as written to the chart's templates/crds/.

    The chart installs CRDs as templates, not from a `crds/` folder, so `helm upgrade`
    updates them; `crds.install` turns them off (CRDs managed elsewhere), and `crds.keep`
    (helm.sh/resource-policy: keep) makes `helm uninstall` leave them, and with them every
    user's job definitions, in place."""
    crd = crd_for(model)
    metadata = crd.pop("metadata")
    static_labels = metadata.get("labels", {})
    static_annotations = metadata.get("annotations", {})
    lines = [
        "{{- if .Values.crds.install }}",
        "# Generated from the pydantic models in operators/bowsprit/api by hack/update-crds.",
        "# Do not edit: change the model and regenerate.",
        f"apiVersion: {crd.pop('apiVersion')}",
        f"kind: {crd.pop('kind')}",
        "metadata:",
        f"  name: {metadata['name']}",
        "  labels:",
        *_indented(static_labels, 4),
        '    {{- include "bowsprit.labels" (dict "context" . "component" "crds") | nindent 4 }}',
        "  {{- if or .Values.crds.keep .Values.crds.annotations "
        + ("true " if static_annotations else "")
        + "}}",
        "  annotations:",
        *_indented(static_annotations, 4),
        "    {{- if .Values.crds.keep }}",
        "    helm.sh/resource-policy: keep",
        "    {{- end }}",
        "    {{- with .Values.crds.annotations }}",
        "    {{- toYaml . | nindent 4 }}",
        "    {{- end }}",
        "  {{- end }}",
    ]
    body = yaml.safe_dump(crd, sort_keys=False, allow_unicode=True, width=100)
    # Text that looks like a template action (a description quoting Go templates) must
    # reach the API server as written, not be run by Helm.
    body = body.replace("{{", '{{ "{{" }}')
    return "\n".join(lines) + "\n" + body + "{{- end }}\n"


def _indented(mapping: dict[str, Any], width: int) -> list[str]:
    if not mapping:
        return []
    text = yaml.safe_dump(mapping, sort_keys=False, allow_unicode=True, width=100)
    return [" " * width + line for line in text.splitlines()]


def write_crds(folder: Path, chart_folder: Path | None = None) -> list[Path]:
    """Write one CRD file per kind into `folder` (and, when given, one CRD template per
    kind into `chart_folder`), removing CRD files of no kind."""
    from bowsprit.api.registry import KINDS

    written = _write_all(folder, KINDS, crd_file_name, render_crd, f"*.{GROUP}.yaml")
    if chart_folder is not None:
        written += _write_all(
            chart_folder, KINDS, chart_crd_file_name, render_chart_crd, "crd-*.yaml"
        )
    return written


def _write_all(
    folder: Path,
    kinds: Iterable[type[Resource]],
    name: Callable[[type[Resource]], str],
    render: Callable[[type[Resource]], str],
    pattern: str,
) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for model in kinds:
        path = folder / name(model)
        path.write_text(render(model), encoding="utf-8")
        written.append(path)
    for stale in folder.glob(pattern):
        if stale not in written:
            stale.unlink()
    return written

"""Admission of built-in kinds: the validation and defaults the API server applies to them."""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

from bowsprit.api.celrules import compile_rule
from bowsprit.emulator.errors import Cause

SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
_QUALIFIED_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
SUBDOMAIN_MESSAGE = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used "
    "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)
LABEL_MESSAGE = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "
    "must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex "
    "used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
)


def validate_name(name: str, dns_label: bool) -> list[Cause]:
    pattern, message, limit = (
        (LABEL, LABEL_MESSAGE, 63) if dns_label else (SUBDOMAIN, SUBDOMAIN_MESSAGE, 253)
    )
    causes = []
    if len(name) > limit:
        causes.append(
            Cause(
                "FieldValueInvalid",
                f'Invalid value: "{name}": must be no more than {limit} characters',
                "metadata.name",
            )
        )
    if not pattern.match(name):
        causes.append(
            Cause("FieldValueInvalid", f'Invalid value: "{name}": {message}', "metadata.name")
        )
    return causes


def validate_labels(labels: Any) -> list[Cause]:
    causes: list[Cause] = []
    if not isinstance(labels, dict):
        return causes
    for key, value in labels.items():
        prefix, _, name = str(key).rpartition("/")
        if (
            not _QUALIFIED_NAME.match(name)
            or len(name) > 63
            or (prefix and not SUBDOMAIN.match(prefix))
        ):
            causes.append(
                Cause(
                    "FieldValueInvalid",
                    f'Invalid value: "{key}": name part must '
                    "consist of alphanumeric characters, '-', '_' or '.', and must "
                    "start and end with an alphanumeric character",
                    "metadata.labels",
                )
            )
        if not isinstance(value, str) or len(value) > 63 or not _LABEL_VALUE.match(value):
            causes.append(
                Cause(
                    "FieldValueInvalid",
                    f'Invalid value: "{value}": must be no more than 63 characters'
                    if isinstance(value, str) and len(value) > 63
                    else f'Invalid value: "{value}": a valid label must be an empty '
                    "string or consist of alphanumeric characters, '-', '_' or '.', "
                    "and must start and end with an alphanumeric character",
                    "metadata.labels",
                )
            )
    return causes


def admit_pod(pod: dict[str, Any]) -> list[Cause]:
    """Validate a pod and fill the defaults and initial status the API server fills."""
    spec = pod.setdefault("spec", {})
    causes = []
    containers = spec.get("containers")
    if not containers:
        causes.append(Cause("FieldValueRequired", "Required value", "spec.containers"))
    for group in ("initContainers", "containers"):
        for index, container in enumerate(spec.get(group) or []):
            where = f"spec.{group}[{index}]"
            if not container.get("name"):
                causes.append(Cause("FieldValueRequired", "Required value", f"{where}.name"))
            if not container.get("image"):
                causes.append(Cause("FieldValueRequired", "Required value", f"{where}.image"))
            container.setdefault("terminationMessagePath", "/dev/termination-log")
            container.setdefault("terminationMessagePolicy", "File")
            image = str(container.get("image", ""))
            latest = ":" not in image.rsplit("/", 1)[-1] or image.endswith(":latest")
            container.setdefault("imagePullPolicy", "Always" if latest else "IfNotPresent")
            container.setdefault("resources", {})
    spec.setdefault("restartPolicy", "Always")
    spec.setdefault("terminationGracePeriodSeconds", 30)
    spec.setdefault("dnsPolicy", "ClusterFirst")
    spec.setdefault("schedulerName", "default-scheduler")
    spec.setdefault("securityContext", {})
    spec.setdefault("enableServiceLinks", True)
    pod["status"] = {"phase": "Pending", "qosClass": qos_class(spec)}
    return causes


def qos_class(spec: dict[str, Any]) -> str:
    requests_seen = False
    guaranteed = True
    for container in spec.get("containers") or []:
        resources = container.get("resources") or {}
        requests, limits = resources.get("requests") or {}, resources.get("limits") or {}
        if requests or limits:
            requests_seen = True
        for resource in ("cpu", "memory"):
            limit = limits.get(resource)
            if limit is None or requests.get(resource, limit) != limit:
                guaranteed = False
    if not requests_seen:
        return "BestEffort"
    return "Guaranteed" if guaranteed else "Burstable"


def admit_secret(secret: dict[str, Any]) -> list[Cause]:
    """stringData is folded into data, base64-encoded, as the API server does."""
    data = secret.get("data") or {}
    causes = []
    for key, value in data.items():
        try:
            base64.b64decode(str(value), validate=True)
        except (binascii.Error, ValueError):
            causes.append(
                Cause("FieldValueInvalid", "Invalid value: illegal base64 data", f"data[{key}]")
            )
    for key, value in (secret.pop("stringData", None) or {}).items():
        data[key] = base64.b64encode(str(value).encode()).decode()
    if data:
        secret["data"] = data
    secret.setdefault("type", "Opaque")
    return causes


def admit_crd(crd: dict[str, Any]) -> list[Cause]:
    """Check what the emulator relies on, and refuse CEL rules it cannot evaluate."""
    spec = crd.get("spec") or {}
    names = spec.get("names") or {}
    causes = []
    for field in ("group", "scope"):
        if not spec.get(field):
            causes.append(Cause("FieldValueRequired", "Required value", f"spec.{field}"))
    for field in ("plural", "kind"):
        if not names.get(field):
            causes.append(Cause("FieldValueRequired", "Required value", f"spec.names.{field}"))
    expected = f"{names.get('plural')}.{spec.get('group')}"
    if crd.get("metadata", {}).get("name") != expected:
        causes.append(
            Cause(
                "FieldValueInvalid",
                f'Invalid value: "{crd.get("metadata", {}).get("name")}": '
                f'must be spec.names.plural+"."+spec.group',
                "metadata.name",
            )
        )
    versions = spec.get("versions") or []
    if sum(1 for version in versions if version.get("storage")) != 1:
        causes.append(
            Cause(
                "FieldValueInvalid",
                "Invalid value: must have exactly one version marked as storage version",
                "spec.versions",
            )
        )
    for index, version in enumerate(versions):
        schema = (version.get("schema") or {}).get("openAPIV3Schema") or {}
        for path, rule in _rules(schema, f"spec.versions[{index}].schema.openAPIV3Schema"):
            try:
                compile_rule(rule)
            except Exception as error:  # noqa: BLE001 - any parse failure rejects the CRD
                causes.append(
                    Cause(
                        "FieldValueInvalid",
                        f"Invalid value: {rule!r}: compilation failed: {error}",
                        path,
                    )
                )
    return causes


def _rules(schema: dict[str, Any], path: str) -> list[tuple[str, str]]:
    found = [
        (f"{path}.x-kubernetes-validations[{i}].rule", rule["rule"])
        for i, rule in enumerate(schema.get("x-kubernetes-validations", []))
    ]
    for name, child in (schema.get("properties") or {}).items():
        found.extend(_rules(child, f"{path}.properties[{name}]"))
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            found.extend(_rules(schema[key], f"{path}.{key}"))
    return found


def crd_status(crd: dict[str, Any], now: str) -> dict[str, Any]:
    """The status the API server's CRD controllers write once the names are accepted."""
    spec = crd["spec"]
    names = dict(spec["names"])
    names.setdefault("singular", names["kind"].lower())
    names.setdefault("listKind", f"{names['kind']}List")
    conditions = [
        {
            "type": kind,
            "status": "True",
            "lastTransitionTime": now,
            "reason": reason,
            "message": message,
        }
        for kind, reason, message in (
            ("NamesAccepted", "NoConflicts", "no conflicts found"),
            ("Established", "InitialNamesAccepted", "the initial names have been accepted"),
        )
    ]
    stored = [version["name"] for version in spec.get("versions", []) if version.get("storage")]
    return {"conditions": conditions, "acceptedNames": names, "storedVersions": stored}

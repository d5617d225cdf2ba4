"""Decoration: a job's pod spec wrapped in the pod utilities, as Prow's decorate package
builds it (PROW-REFERENCE 3.1).

clonerefs clones the refs into the `code` volume, initupload records the start, place-
entrypoint copies the entrypoint script into `tools`, each test container runs under
that script (log and exit code into `logs`), and sidecar uploads the results.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bowsprit.api.decoration import DecorationConfig
from bowsprit.api.prowjob import ProwJobSpec
from bowsprit.api.refs import Refs
from bowsprit.jobpod.options import (
    CensoringOptions,
    CloneRefsOptions,
    EntrypointOptions,
    InitUploadOptions,
    SidecarOptions,
    UploadOptions,
    WrapperOptions,
)

LOGS, TOOLS, CODE = "/logs", "/tools", "/home/prow/go"
ARTIFACTS = f"{LOGS}/artifacts"
CLONE_LOG = f"{LOGS}/clone.json"
ENTRYPOINT = f"{TOOLS}/entrypoint"
S3_CREDENTIALS, GCS_CREDENTIALS = "/secrets/s3-storage", "/secrets/gcs"
CREDENTIALS_FILE = "service-account.json"
DEFAULT_TIMEOUT, DEFAULT_GRACE = timedelta(hours=2), timedelta(seconds=15)
UTILITIES = ("clonerefs", "initupload", "entrypoint", "sidecar")
DEFAULT_GITHUB_API = "https://api.github.com"
SECRET_KEY_MODE = 0o400  # ssh refuses a private key others can read (Prow's sshKeyMode)


class DecorationError(ValueError):
    """The job's decoration cannot be built (the message names the field)."""


def clone_path(refs: Refs, src_root: str = CODE) -> str:
    """Where clonerefs puts a repository: $GOPATH/src/<path_alias or github.com/org/repo>."""
    return f"{src_root}/src/{refs.path_alias or f'github.com/{refs.org}/{refs.repo}'}"


def all_refs(spec: ProwJobSpec) -> list[Refs]:
    return [*([spec.refs] if spec.refs else []), *(spec.extra_refs or [])]


def working_dir(refs: list[Refs]) -> str:
    """The clone of the ref marked workdir, else the first ref's."""
    chosen = next((ref for ref in refs if ref.workdir), refs[0])
    return clone_path(chosen)


def mount(name: str, path: str, read_only: bool = False) -> dict[str, Any]:
    body: dict[str, Any] = {"name": name, "mountPath": path}
    if read_only:
        body["readOnly"] = True
    return body


def env_list(values: dict[str, str]) -> list[dict[str, str]]:
    """Kubernetes env entries sorted by name (Prow's KubeEnv)."""
    return [{"name": key, "value": values[key]} for key in sorted(values)]


def decorate(
    pod_spec: dict[str, Any], spec: ProwJobSpec, raw_env: dict[str, str]
) -> dict[str, Any]:
    """`pod_spec` decorated per spec.decoration_config (Prow's decorate): `raw_env` is the
    downward env (JOB_SPEC included), which the test containers get with ARTIFACTS and
    GOPATH; initupload and sidecar get its JOB_SPEC."""
    config = spec.decoration_config or DecorationConfig()
    images = required_images(config)
    refs = all_refs(spec)
    cloning = bool(refs) and not config.skip_cloning
    storage = upload_options(config)
    credentials = credential_volumes(config)
    spec_env = {"JOB_SPEC": raw_env.get("JOB_SPEC", "")}
    volumes = [{"name": "logs", "emptyDir": {}}, {"name": "tools", "emptyDir": {}}]
    volumes += [volume for volume, _ in credentials]

    def upload_mounts() -> list[dict[str, Any]]:
        return [dict(mounted) for _, mounted in credentials]

    init: list[dict[str, Any]] = []
    clone_volumes: list[dict[str, Any]] = []
    if cloning:
        clone_volumes, clone_container = clonerefs_container(config, refs, images["clonerefs"])
        init.append(clone_container)
    init += pod_spec.get("initContainers") or []
    init.append(
        utility(
            "initupload",
            images["initupload"],
            config,
            {
                "INITUPLOAD_OPTIONS": InitUploadOptions(
                    **storage.model_dump(), log=CLONE_LOG if cloning else ""
                ).to_env(),
                **spec_env,
            },
            # Only clonerefs writes into /logs before initupload runs.
            [*([mount("logs", LOGS)] if cloning else []), *upload_mounts()],
        )
    )
    init.append(
        utility(
            "place-entrypoint",
            images["entrypoint"],
            config,
            {},
            [mount("tools", TOOLS)],
            ["bowsprit", "entrypoint", "--copy-mode-only", ENTRYPOINT],
        )
    )
    containers = pod_spec["containers"]
    test_env = {**raw_env, "ARTIFACTS": ARTIFACTS, "GOPATH": CODE}
    entries = [
        wrap_test_container(
            container, config, len(containers) > 1, refs if cloning else [], test_env
        )
        for container in containers
    ]
    censor_mounts = secret_mounts(containers, pod_spec.get("volumes") or [])
    if not config.censor_secrets:
        censor_mounts = []
    sidecar_options = SidecarOptions(
        gcs_options=storage.model_copy(update={"items": [ARTIFACTS]}),
        entries=entries,
        ignore_interrupts=bool(config.upload_ignores_interrupts),
        censoring_options=censoring(config, [mounted["mountPath"] for mounted in censor_mounts]),
    )
    sidecar = utility(
        "sidecar",
        images["sidecar"],
        config,
        {"SIDECAR_OPTIONS": sidecar_options.to_env(), **spec_env},
        [mount("logs", LOGS), *upload_mounts(), *censor_mounts],
    )
    sidecar["terminationMessagePolicy"] = "FallbackToLogsOnError"
    containers.append(sidecar)
    pod_spec["initContainers"] = init
    if cloning:
        volumes += [*clone_volumes, {"name": "code", "emptyDir": {}}]
    pod_spec["volumes"] = [*(pod_spec.get("volumes") or []), *volumes]
    apply_pod_defaults(pod_spec, config)
    return pod_spec


def required_images(config: DecorationConfig) -> dict[str, str]:
    images = config.utility_images.model_dump() if config.utility_images else {}
    missing = [name for name in UTILITIES if not images.get(name)]
    if missing:
        fields = ", ".join(f"decoration_config.utility_images.{name}" for name in missing)
        raise DecorationError(f"{fields}: required for a decorated job")
    return images


def upload_options(config: DecorationConfig) -> UploadOptions:
    storage = config.gcs_configuration
    if storage is None or not (storage.bucket or storage.local_output_dir):
        raise DecorationError(
            "decoration_config.gcs_configuration.bucket: required for a decorated job"
        )
    options = UploadOptions(**storage.model_dump(exclude={"job_url_prefix"}))
    if config.s3_credentials_secret:
        options.s3_credentials_file = f"{S3_CREDENTIALS}/{CREDENTIALS_FILE}"
    elif config.gcs_credentials_secret:
        options.gcs_credentials_file = f"{GCS_CREDENTIALS}/{CREDENTIALS_FILE}"
    return options


def credential_volumes(config: DecorationConfig) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(volume, mount) of the storage credentials initupload and sidecar read."""
    found = []
    if config.s3_credentials_secret:
        found.append(("s3-credentials", config.s3_credentials_secret, S3_CREDENTIALS))
    if config.gcs_credentials_secret:
        found.append(("gcs-credentials", config.gcs_credentials_secret, GCS_CREDENTIALS))
    return [
        ({"name": volume, "secret": {"secretName": secret}}, mount(volume, path))
        for volume, secret, path in found
    ]


def clonerefs_container(
    config: DecorationConfig, refs: list[Refs], image: str
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The clonerefs init container and the volumes of its clone credentials, named and
    mounted as Prow's CloneRefs does."""
    options = CloneRefsOptions(
        log=CLONE_LOG,
        refs=refs,
        blobless_fetch=config.blobless_fetch,
        sparse_checkout_files=config.sparse_checkout_files,
        host_fingerprints=config.ssh_host_fingerprints,
        github_api_endpoints=config.github_api_endpoints or [DEFAULT_GITHUB_API],
        github_app_id=config.github_app_id,
    )
    volumes: list[dict[str, Any]] = []
    mounts = [mount("logs", LOGS), mount("code", CODE)]

    def secret(volume: str, source: dict[str, Any], path: str) -> None:
        volumes.append({"name": volume, "secret": source})
        mounts.append(mount(volume, path, True))

    key_files = []
    for ssh_secret in config.ssh_key_secrets or []:
        source = {"secretName": ssh_secret, "defaultMode": SECRET_KEY_MODE}
        secret(f"ssh-keys-{ssh_secret}", source, f"/secrets/ssh/{ssh_secret}")
        key_files.append(f"/secrets/ssh/{ssh_secret}")
    options.key_files = key_files or None
    token = config.oauth_token_secret
    if token and token.name:
        key = token.key or "oauth"
        secret(token.name, one_key(token.name, key), "/secrets/oauth")
        options.oauth_token_file = f"/secrets/oauth/{key}"
    app_key = config.github_app_private_key_secret
    if app_key and app_key.name:
        key = app_key.key or "cert"
        secret(app_key.name, one_key(app_key.name, key), "/secrets/github-app")
        options.github_app_private_key_file = f"/secrets/github-app/{key}"
    volumes.append({"name": "clonerefs-tmp", "emptyDir": {}})
    mounts.append(mount("clonerefs-tmp", "/tmp"))
    args: list[str] = []
    if config.cookiefile_secret:
        # `name/key` mounts secret `name` and reads its key `key`; `name` alone is `name/name`.
        name, _, key = config.cookiefile_secret.partition("/")
        source = {"secretName": name, "defaultMode": SECRET_KEY_MODE}
        secret("cookiefile", source, "/secrets/cookiefile")
        options.cookie_path = f"/secrets/cookiefile/{key or name}"
        args.append(f"--cookiefile={options.cookie_path}")
    env = {"CLONEREFS_OPTIONS": options.to_env()}
    container = utility("clonerefs", image, config, env, mounts)
    if args:
        container["args"] = args
    return volumes, container


def one_key(secret_name: str, key: str) -> dict[str, Any]:
    """A secret volume holding only `key` (Prow's oauth and GitHub App volumes)."""
    return {"secretName": secret_name, "items": [{"key": key, "path": f"./{key}"}]}


def utility(
    name: str,
    image: str,
    config: DecorationConfig,
    env: dict[str, str],
    mounts: list[dict[str, Any]],
    command: list[str] | None = None,
) -> dict[str, Any]:
    container: dict[str, Any] = {
        "name": name,
        "image": image,
        "command": command or ["bowsprit", name],
    }
    if env:
        container["env"] = env_list(env)
    container["volumeMounts"] = mounts
    resources = config.resources and getattr(config.resources, name.replace("-", "_"))
    if resources:
        container["resources"] = resources.model_dump(mode="json", exclude_none=True)
    return container


def wrap_test_container(
    container: dict[str, Any],
    config: DecorationConfig,
    several: bool,
    refs: list[Refs],
    test_env: dict[str, str],
) -> WrapperOptions:
    """Run the container's command under entrypoint; returns what sidecar waits for."""
    name = container["name"]
    command = [*(container.get("command") or []), *(container.get("args") or [])]
    if not container.get("command"):
        raise DecorationError(
            f"pod_spec.containers[{name}].command: a decorated container needs a command"
        )
    prefix = f"{name}-" if several else ""
    entry = WrapperOptions(
        args=command,
        container_name=name,
        process_log=f"{LOGS}/{prefix}{'log' if several else 'process-log'}.txt",
        marker_file=f"{LOGS}/{prefix}{'marker' if several else 'marker-file'}.txt",
        metadata_file=f"{ARTIFACTS}/{prefix}metadata.json",
    )
    options = EntrypointOptions(
        **entry.model_dump(),
        timeout=config.timeout or DEFAULT_TIMEOUT,
        grace_period=config.grace_period or DEFAULT_GRACE,
        artifact_dir=ARTIFACTS,
    )
    container["command"] = [ENTRYPOINT]
    # Kept (Prow drops them): the shell entrypoint reads its command from its arguments.
    container["args"] = command
    entrypoint_env = env_list({"ENTRYPOINT_OPTIONS": options.to_env()})
    container["env"] = [*(container.get("env") or []), *env_list(test_env), *entrypoint_env]
    mounts = [mount("logs", LOGS), mount("tools", TOOLS)]
    if refs:
        mounts.append(mount("code", CODE))
        # Prow sets it whatever the job said: the tests run in the clone.
        container["workingDir"] = working_dir(refs)
    container["volumeMounts"] = [*(container.get("volumeMounts") or []), *mounts]
    apply_memory_defaults(container, config)
    return entry


def apply_memory_defaults(container: dict[str, Any], config: DecorationConfig) -> None:
    resources = container.setdefault("resources", {})
    requests = resources.setdefault("requests", {})
    if config.default_memory_request is not None and "memory" not in requests:
        requests["memory"] = config.default_memory_request
    if config.set_limit_equals_memory_request and "memory" in requests:
        resources.setdefault("limits", {})["memory"] = requests["memory"]
    if not requests:
        del resources["requests"]
    if not resources:
        del container["resources"]


def secret_mounts(
    containers: list[dict[str, Any]], volumes: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The test containers' mounts of secret volumes, in order, once per volume: what
    sidecar mounts and censors (Prow's secretVolumeMounts)."""
    secrets = {volume["name"] for volume in volumes if "secret" in volume}
    found: dict[str, dict[str, Any]] = {}
    for container in containers:
        for mounted in container.get("volumeMounts") or []:
            if mounted["name"] in secrets:
                found.setdefault(mounted["name"], dict(mounted))
    return list(found.values())


def censoring(config: DecorationConfig, secret_dirs: list[str]) -> CensoringOptions:
    """Prow always sends censoring options; sidecar censors only when there are secrets."""
    tuning = config.censoring_options.model_dump() if config.censoring_options else {}
    return CensoringOptions(secret_directories=secret_dirs, **tuning)


def apply_pod_defaults(pod_spec: dict[str, Any], config: DecorationConfig) -> None:
    """Defaults that never override what the job set."""
    if "terminationGracePeriodSeconds" not in pod_spec and config.grace_period:
        # Room for entrypoint's grace period plus the sidecar's upload (Prow's 80/20 split);
        # with no grace period configured Prow leaves Kubernetes' default.
        pod_spec["terminationGracePeriodSeconds"] = (
            int(config.grace_period.total_seconds()) * 5 // 4
        )
    if config.default_service_account_name and not pod_spec.get("serviceAccountName"):
        pod_spec["serviceAccountName"] = config.default_service_account_name
    security = pod_spec.setdefault("securityContext", {})
    for field, key in (
        ("run_as_user", "runAsUser"),
        ("run_as_group", "runAsGroup"),
        ("fs_group", "fsGroup"),
    ):
        value = getattr(config, field)
        if value is not None:
            security.setdefault(key, value)
    if not security:
        del pod_spec["securityContext"]
    scheduling = config.scheduling_options
    if scheduling and not pod_spec.get("affinity") and not pod_spec.get("tolerations"):
        if scheduling.affinity:
            pod_spec["affinity"] = scheduling.affinity
        if scheduling.tolerations:
            pod_spec["tolerations"] = scheduling.tolerations

"""`bowsprit hook` refuses unusable secret files with one clear line, before connecting."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bowsprit.cli import main
from bowsprit.hook.main import extra_ports, ops_app
from bowsprit.hook.server import Hook


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "No such file"), ("", "empty"), ("acme: token", "expected a list")],
    ids=["missing", "empty", "malformed"],
)
def test_unusable_hmac_secret_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | None, message: str
) -> None:
    path = tmp_path / "hmac"
    if content is not None:
        path.write_text(content)
    assert main(["hook", "--hmac-secret-file", str(path)]) == 2
    error = capsys.readouterr().err
    assert error.startswith("bowsprit hook: --hmac-secret-file: ") and message in error
    assert "Traceback" not in error


def test_hook_flags_keep_prows_names(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["hook", "--help"])
    usage = capsys.readouterr().out
    for flag in (
        "--port",
        "--hmac-secret-file",
        "--github-endpoint",
        "--github-token-path",
        "--github-app-id",
        "--github-app-private-key-path",
        "--dry-run",
        "--kubeconfig",
    ):
        assert flag in usage


@pytest.mark.parametrize(
    ("health", "metrics", "expected"),
    [
        (None, None, {}),
        (8888, 8888, {}),  # the chart's defaults: everything on --port
        (8081, None, {8081: {"/healthz"}}),
        (8081, 9090, {8081: {"/healthz"}, 9090: {"/metrics"}}),
        (8081, 8081, {8081: {"/healthz", "/metrics"}}),
        (None, 0, {}),  # 0: no port of its own
    ],
)
def test_health_and_metrics_ports(
    health: int | None, metrics: int | None, expected: dict[int, set[str]]
) -> None:
    assert extra_ports(8888, health, metrics) == expected


async def test_an_ops_port_answers_only_its_paths(tmp_path: Path) -> None:
    hook = cast(Any, Hook.__new__(Hook))  # the handlers used here read nothing from it
    async with TestClient(TestServer(ops_app(hook, {"/healthz"}))) as client:
        assert (await client.get("/healthz")).status == 200
        assert (await client.get("/metrics")).status == 404
        assert (await client.post("/hook")).status == 404
    async with TestClient(TestServer(ops_app(hook, {"/metrics"}))) as client:
        response = await client.get("/metrics")
        assert response.status == 200 and "hook_events" in await response.text()

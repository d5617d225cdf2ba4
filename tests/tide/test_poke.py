"""tide's POST /poke: the token is required, only POST is allowed, a poke wakes the loop,
and a rotated token Secret is followed without a restart."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from bowsprit.testing.secretvolume import write_secret
from bowsprit.tide.poke import POKES, poke_app, read_token


@pytest.fixture
async def tide() -> AsyncIterator[tuple[str, asyncio.Event]]:
    wake = asyncio.Event()
    server = TestServer(poke_app(lambda: "s3cret", wake.set))
    await server.start_server()
    yield str(server.make_url("/poke")), wake
    await server.close()


def _count(result: str) -> float:
    return POKES.labels(result)._value.get()


@pytest.mark.parametrize(
    ("method", "auth", "status", "result"),
    [
        ("POST", "Bearer s3cret", 202, "accepted"),
        ("POST", None, 401, "unauthorized"),
        ("POST", "Bearer wrong", 401, "unauthorized"),
        ("POST", "s3cret", 401, "unauthorized"),
        ("POST", "Bearer s3cret2", 401, "unauthorized"),
        ("GET", "Bearer s3cret", 405, "method"),
        ("PUT", "Bearer s3cret", 405, "method"),
    ],
)
async def test_poke(
    tide: tuple[str, asyncio.Event], method: str, auth: str | None, status: int, result: str
) -> None:
    url, wake = tide
    before = _count(result)
    headers = {"Authorization": auth} if auth is not None else {}
    async with (
        aiohttp.ClientSession() as session,
        session.request(method, url, headers=headers) as response,
    ):
        assert response.status == status
    assert wake.is_set() == (status == 202)
    assert _count(result) == before + 1


def test_empty_token_never_matches() -> None:
    # poke_app(lambda: "") would accept "Bearer " were it not refused: read_token refuses it too.
    with pytest.raises(SystemExit, match="empty"):
        read_token(Path("/dev/null"))
    with pytest.raises(SystemExit, match="--poke-token-file"):
        read_token(None)


async def test_empty_token_refuses_every_poke() -> None:
    wake = asyncio.Event()
    server = TestServer(poke_app(lambda: "", wake.set))
    await server.start_server()
    try:
        async with (
            aiohttp.ClientSession() as session,
            session.post(
                server.make_url("/poke"), headers={"Authorization": "Bearer "}
            ) as response,
        ):
            assert response.status == 401
    finally:
        await server.close()
    assert not wake.is_set()


def test_read_token(tmp_path: Path) -> None:
    path = tmp_path / "token"
    path.write_text("abc\n")
    assert read_token(path)() == "abc"


async def _status(url: str, token: str) -> int:
    headers = {"Authorization": f"Bearer {token}"}
    async with aiohttp.ClientSession() as session, session.post(url, headers=headers) as answer:
        return answer.status


async def test_a_rotated_token_is_taken_without_a_restart(tmp_path: Path) -> None:
    volume = write_secret(tmp_path / "tide-poke", {"token": "old"})
    wake = asyncio.Event()
    server = TestServer(poke_app(read_token(volume / "token"), wake.set))
    await server.start_server()
    url = str(server.make_url("/poke"))
    try:
        assert await _status(url, "old") == 202
        write_secret(volume, {"token": "new"})  # the kubelet's update of the Secret
        assert await _status(url, "old") == 401
        assert await _status(url, "new") == 202
    finally:
        await server.close()

"""The cat, dog and goose plugins against a local fake image service (real HTTP), and the
fake GitHub: Prow's replies, the configurable endpoint and key, and a kind reply when the
service fails."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from bowsprit.api.pluginconfig import ImageServiceSettings
from bowsprit.clients.github import GitHubClient
from bowsprit.hook.plugins import images
from bowsprit.testing.fakegithub import FakeGitHub
from tests.hook.everyday_harness import comment, scene
from tests.hook.plugin_harness import apply, client, comments, context, fake, github

__all__ = ["client", "fake", "github"]  # fixtures


@dataclass
class Service:
    """What the fake image service answers (status, JSON) in turn, and what it was asked."""

    url: str = ""
    answers: list[tuple[int, Any]] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)


@pytest.fixture
def service() -> Iterator[Service]:
    state = Service()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            state.paths.append(self.path)
            status, body = state.answers.pop(0) if state.answers else (500, {"error": "none"})
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield state
    server.shutdown()
    server.server_close()


def reply_of(github: FakeGitHub) -> str:
    """The message of the plugin's one reply (Prow's `@user: message` form)."""
    (body,) = comments(github)
    return body.split(": ", 1)[1].split("\n\n<details>", 1)[0]


async def test_meow(
    service: Service, github: FakeGitHub, client: GitHubClient, tmp_path: Path
) -> None:
    scene(github)
    (tmp_path / "key").write_text("s3cret\n")
    service.answers = [(200, [{"url": "https://cdn.example/cat.jpg"}])]
    settings = ImageServiceSettings(
        endpoint=service.url + "/v1/images/search?format=json", key_path=str(tmp_path / "key")
    )
    ctx = context(client, "cat", cat=settings)
    await apply(client, await images.handle_meow(ctx, comment("/meowvie caturday")))
    assert reply_of(github) == "![cat image](https://cdn.example/cat.jpg)"
    assert service.paths == [
        "/v1/images/search?format=json&category=caturday&api_key=s3cret&mime_types=gif"
    ]


async def test_grumpy_cat_needs_no_service(
    service: Service, github: FakeGitHub, client: GitHubClient
) -> None:
    scene(github)
    ctx = context(client, "cat", cat=ImageServiceSettings(endpoint=service.url))
    await apply(client, await images.handle_meow(ctx, comment("/meow grumpy")))
    assert reply_of(github) == f"![cat image]({images.GRUMPY})"
    assert service.paths == []


@pytest.mark.parametrize(
    ("body", "answers", "message"),
    [
        ("/meow", [(500, {})] * 3, images.NO_CAT),
        ("/meow nosuchcategory", [(200, [])] * 3, images.BAD_CATEGORY),
        ("/meow", [(200, "not json we know")] * 3, images.NO_CAT),
    ],
)
async def test_meow_kind_replies(
    body: str,
    answers: list[tuple[int, Any]],
    message: str,
    service: Service,
    github: FakeGitHub,
    client: GitHubClient,
) -> None:
    scene(github)
    service.answers = list(answers)
    ctx = context(client, "cat", cat=ImageServiceSettings(endpoint=service.url))
    await apply(client, await images.handle_meow(ctx, comment(body)))
    assert reply_of(github) == message
    assert len(service.paths) == images.TRIES


async def test_woof_takes_pictures_only(
    service: Service, github: FakeGitHub, client: GitHubClient
) -> None:
    scene(github)
    service.answers = [
        (200, {"url": "https://random.dog/a.mp4"}),
        (200, {"url": "https://random.dog/b.JPG"}),
    ]
    ctx = context(client, "dog", dog=ImageServiceSettings(endpoint=service.url + "/woof.json"))
    await apply(client, await images.handle_woof(ctx, comment("/bark")))
    assert reply_of(github) == "[![dog image](https://random.dog/b.JPG)](https://random.dog/b.JPG)"


@pytest.mark.parametrize(
    ("body", "image"),
    [
        ("/this-is-fine", "this_is_fine.png"),
        ("/this-is-not-fine", "this_is_not_fine.png"),
        ("/this-is-unbearable", "this_is_unbearable.jpg"),
    ],
)
async def test_this_is_fine(
    body: str, image: str, github: FakeGitHub, client: GitHubClient
) -> None:
    scene(github)
    await apply(client, await images.handle_woof(context(client, "dog"), comment(body)))
    url = images.FINE_ROOT + image
    assert reply_of(github) == f"[![dog image]({url})]({url})"


async def test_dog_service_unreachable(github: FakeGitHub, client: GitHubClient) -> None:
    scene(github)
    ctx = context(client, "dog", dog=ImageServiceSettings(endpoint="http://127.0.0.1:9/woof.json"))
    await apply(client, await images.handle_woof(ctx, comment("/woof")))
    assert reply_of(github) == images.NO_DOG


async def test_honk(
    service: Service, github: FakeGitHub, client: GitHubClient, tmp_path: Path
) -> None:
    scene(github)
    (tmp_path / "honk").write_text("goosekey")
    service.answers = [(200, {"id": "x", "urls": {"small": "https://images.example/goose.jpg"}})]
    settings = ImageServiceSettings(
        endpoint=service.url + "/photos/random?query=goose", key_path=str(tmp_path / "honk")
    )
    await apply(
        client, await images.handle_honk(context(client, "goose", goose=settings), comment("/honk"))
    )
    assert reply_of(github) == "\n![goose image](https://images.example/goose.jpg)"
    assert service.paths == ["/photos/random?query=goose&client_id=goosekey"]
    github.actions.clear()
    await apply(
        client, await images.handle_honk(context(client, "goose", goose=settings), comment("/honk"))
    )
    assert reply_of(github) == images.NO_GOOSE


def test_default_endpoints_are_prows() -> None:
    assert (
        images.cat_url(None, "", False)
        == "https://api.thecatapi.com/v1/images/search?format=json&results_per_page=1"
    )
    assert images.DOG_API == "https://random.dog/woof.json"
    assert images.GOOSE_API == "https://api.unsplash.com/photos/random?query=goose"

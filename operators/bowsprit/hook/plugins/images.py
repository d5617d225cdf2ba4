"""The cat, dog and goose plugins: `/meow`, `/meowvie [category]`, `/woof`, `/bark`,
`/this-is-{fine,not-fine,unbearable}` and `/honk` answer with an image fetched from a
public service (Prow's pkg/plugins/cat, dog, goose). Each service's `endpoint` is
configurable (default Prow's); when it cannot be reached or answers nonsense the plugin
replies kindly rather than fail, and a slow service holds up only its own plugin (hook
runs plugins side by side)."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

import aiohttp

from bowsprit.api.pluginconfig import ImageServiceSettings
from bowsprit.hook.effects import Comment, Effect
from bowsprit.hook.events import GenericCommentEvent
from bowsprit.hook.plugins.base import Command, Context, Plugin
from bowsprit.hook.plugins.respond import format_response_raw

logger = logging.getLogger("bowsprit.hook.images")

CAT_API = "https://api.thecatapi.com/v1/images/search?format=json&results_per_page=1"
DOG_API = "https://random.dog/woof.json"
GOOSE_API = "https://api.unsplash.com/photos/random?query=goose"
GRUMPY = "https://upload.wikimedia.org/wikipedia/commons/e/ee/Grumpy_Cat_by_Gage_Skidmore.jpg"
FINE_ROOT = "https://storage.googleapis.com/this-is-fine-images/"
TIMEOUT = aiohttp.ClientTimeout(total=10)
TRIES = 3

MEOW_RE = re.compile(r"(?mi)^/meow(vie)?(?: (.+))?\s*$", re.ASCII)
GRUMPY_RE = re.compile(r"(?mi)^(no|grumpy)\s*$", re.ASCII)
WOOF_RE = re.compile(r"(?mi)^/(woof|bark)\s*$", re.ASCII)
FINE = {
    re.compile(r"(?mi)^/this-is-fine\s*$", re.ASCII): "this_is_fine.png",
    re.compile(r"(?mi)^/this-is-not-fine\s*$", re.ASCII): "this_is_not_fine.png",
    re.compile(r"(?mi)^/this-is-unbearable\s*$", re.ASCII): "this_is_unbearable.jpg",
}
DOG_FILETYPES = re.compile(r"(?i)\.(jpg|gif|png)$")
HONK_RE = re.compile(r"(?mi)^/(honk)\s*$", re.ASCII)
NO_CAT = "https://thecatapi.com appears to be down"
BAD_CATEGORY = "Bad category. Please see https://api.thecatapi.com/api/categories/list"
NO_DOG = (
    "I could not fetch a dog this time: the dog service did not answer. Please try again later."
)
NO_GOOSE = "Unable to find goose. Have you checked the garden?"


async def fetch_json(url: str) -> Any:
    async with (
        aiohttp.ClientSession(timeout=TIMEOUT) as session,
        session.get(url, headers={"Accept": "application/json"}) as response,
    ):
        response.raise_for_status()
        return await response.json(content_type=None)


def with_param(url: str, name: str, value: str) -> str:
    """The URL with one more query parameter (`?` or `&` as the URL needs)."""
    return f"{url}{'&' if '?' in url else '?'}{name}={quote(value, safe='')}"


def _key(settings: ImageServiceSettings | None) -> str:
    """The API key from key_path (re-read each time, so a rotated key is picked up)."""
    path = settings.key_path if settings else None
    if not path:
        return ""
    try:
        return Path(path).read_text().strip()
    except OSError as error:
        logger.warning("image service key %s: %s", path, error)
        return ""


def _reply(event: GenericCommentEvent, message: str) -> list[Effect]:
    body = format_response_raw(event.body, event.html_url, event.author, message)
    return [Comment(event.repo.org, event.repo.name, event.number, body)]


async def _first(url: str, pick: Any) -> str | None:
    """The first answer `pick` makes an image of, in TRIES tries; None if none does."""
    for _ in range(TRIES):
        try:
            found = pick(await fetch_json(url))
        except (
            aiohttp.ClientError,
            TimeoutError,
            ValueError,
            KeyError,
            TypeError,
            IndexError,
        ) as error:
            logger.warning("image service %s: %r", url, error)
            continue
        if found:
            return str(found)
    return None


def cat_url(settings: ImageServiceSettings | None, category: str, movie: bool) -> str:
    url = (settings.endpoint if settings else None) or CAT_API
    if category:
        url = with_param(url, "category", category)
    key = _key(settings)
    if key:
        url = with_param(url, "api_key", key)
    if movie:
        url = with_param(url, "mime_types", "gif")
    return url


async def handle_meow(ctx: Context, event: GenericCommentEvent) -> list[Effect]:
    match = MEOW_RE.search(event.body) if event.action == "created" else None
    if match is None:
        return []
    category = (match.group(2) or "").strip()
    if GRUMPY_RE.search(category):
        return _reply(event, f"![cat image]({GRUMPY})")
    url = cat_url(ctx.config.cat, category, match.group(1) is not None)
    image = await _first(url, lambda found: found[0]["url"])
    if image:
        return _reply(event, f"![cat image]({image})")
    return _reply(event, BAD_CATEGORY if category else NO_CAT)


async def handle_woof(ctx: Context, event: GenericCommentEvent) -> list[Effect]:
    if event.action != "created":
        return []
    fine = next((name for pattern, name in FINE.items() if pattern.search(event.body)), None)
    if fine is not None:
        return _reply(event, f"[![dog image]({FINE_ROOT}{fine})]({FINE_ROOT}{fine})")
    if not WOOF_RE.search(event.body):
        return []
    url = (ctx.config.dog.endpoint if ctx.config.dog else None) or DOG_API

    def pick(found: Any) -> str | None:
        image = str(found["url"])
        return image if DOG_FILETYPES.search(image) else None  # Prow: pictures only

    image = await _first(url, pick)
    if image:
        return _reply(event, f"[![dog image]({image})]({image})")
    return _reply(event, NO_DOG)


async def handle_honk(ctx: Context, event: GenericCommentEvent) -> list[Effect]:
    if event.action != "created" or not HONK_RE.search(event.body):
        return []
    settings = ctx.config.goose
    url = (settings.endpoint if settings else None) or GOOSE_API
    key = _key(settings)
    if key:
        url = with_param(url, "client_id", key)
    image = await _first(url, lambda found: found["urls"]["small"])
    if image:
        return _reply(event, f"\n![goose image]({image})")
    return _reply(event, NO_GOOSE)


EVENTS = ("issue_comment", "pull_request_review", "pull_request_review_comment")
CAT = Plugin(
    name="cat",
    description="The cat plugin adds a cat image to an issue or PR in response to the "
    "`/meow` command.",
    config_help="PluginConfig spec.cat: endpoint (default thecatapi.com's search), key_path "
    "(a file holding the API key).",
    events=EVENTS,
    commands=(
        Command(
            "/meow(vie) [CATegory]",
            "Add a cat image to the issue or PR",
            ("/meow", "/meow caturday", "/meowvie clothes"),
            "Anyone",
        ),
    ),
    on_generic_comment=handle_meow,
)
DOG = Plugin(
    name="dog",
    description="The dog plugin adds a dog image to an issue or PR in response to the "
    "`/woof` command.",
    config_help="PluginConfig spec.dog.endpoint (default random.dog's woof.json).",
    events=EVENTS,
    commands=(
        Command(
            "/(woof|bark|this-is-{fine|not-fine|unbearable})",
            "Add a dog image to the issue or PR",
            ("/woof", "/bark", "/this-is-fine", "/this-is-not-fine", "/this-is-unbearable"),
            "Anyone",
        ),
    ),
    on_generic_comment=handle_woof,
)
GOOSE = Plugin(
    name="goose",
    description="The goose plugin adds a goose image to an issue or PR in response to the "
    "`/honk` command.",
    config_help="PluginConfig spec.goose: endpoint (default unsplash.com's random goose), "
    "key_path (a file holding the API key).",
    events=EVENTS,
    commands=(Command("/honk", "Add a goose image to the issue or PR", ("/honk",), "Anyone"),),
    on_generic_comment=handle_honk,
)

"""What several plugins share: reading commands as Prow does, Prow's reply format, and
the bot's own comments.

Commands are line-anchored (`/cmd args` at the start of a line, in a PR body, a comment
or a review body), matched case-insensitively; plugins that must not act on quoted text
strip code blocks and HTML comments first.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

# Prow's approve commandRegex: the command, then its arguments to the end of the line.
COMMAND = re.compile(r"(?m)^/([^\s]+)[\t ]*([^\n\r]*)")
_QUOTED = re.compile(r"(?s)```.*?```|<!--.*?-->")

ABOUT_THIS_BOT = (
    "Instructions for interacting with me using PR comments are available "
    "[here](https://git.k8s.io/community/contributors/guide/pull-requests.md).  If you "
    "have questions or suggestions related to my behavior, please file an issue against "
    "the [kubernetes-sigs/prow](https://github.com/kubernetes-sigs/prow/issues/new?"
    "title=Prow%20issue:) repository."
)


def strip_quoted(body: str) -> str:
    return _QUOTED.sub("", body)


def commands(body: str) -> Iterator[tuple[str, str]]:
    """(COMMAND upper-cased, its arguments) for each command line of a body."""
    for match in COMMAND.finditer(body):
        yield match.group(1).upper(), match.group(2)


def format_response(to: str, message: str, reason: str) -> str:
    """Prow's plugins.FormatResponse."""
    return f"@{to}: {message}\n\n<details>\n\n{reason}\n\n{ABOUT_THIS_BOT}\n</details>"


def format_response_raw(body: str, url: str, login: str, reply: str) -> str:
    """Prow's plugins.FormatResponseRaw: the reply, quoting what it answers."""
    quoted = "\n".join(">" + line for line in body.split("\n"))
    return format_response(login, reply, f"In response to [this]({url}):\n\n{quoted}\n")


def bot_comments(
    comments: Iterable[dict[str, Any]], bot: str, matches: Callable[[str], bool]
) -> list[dict[str, Any]]:
    """The bot's comments whose body `matches`, oldest first."""
    return [
        item
        for item in comments
        if (item.get("user") or {}).get("login") == bot and matches(str(item.get("body") or ""))
    ]

"""What every plugin shares (Prow's pkg/plugins/respond.go and command regexes): line-anchored
command matching, and Prow's reply formats, so each plugin's comments read as Prow's do."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

ABOUT_THIS_BOT_WITHOUT_COMMANDS = (
    "Instructions for interacting with me using PR comments are available "
    "[here](https://git.k8s.io/community/contributors/guide/pull-requests.md).  "
    "If you have questions or suggestions related to my behavior, please file an issue "
    "against the [kubernetes-sigs/prow](https://github.com/kubernetes-sigs/prow/issues/new"
    "?title=Prow%20issue:) repository."
)
ABOUT_THIS_BOT_COMMANDS = (
    "I understand the commands that are listed [here](https://go.k8s.io/bot-commands)."
)
ABOUT_THIS_BOT = ABOUT_THIS_BOT_WITHOUT_COMMANDS + " " + ABOUT_THIS_BOT_COMMANDS

SPACE = r"[\t\n\f\r ]"  # Go's \s: ASCII only (Python's takes Unicode spaces too)
_HTML_COMMENT = re.compile(r"(?s)<!--(.*?)-->")


def without_html_comments(body: str) -> str:
    """Prow's label and other plugins ignore commands inside `<!-- -->`."""
    return _HTML_COMMENT.sub("", body)


def command(name: str, args: str = rf"({SPACE}.*)?") -> re.Pattern[str]:
    """A line-anchored, case-insensitive `/name args` matcher, as Prow writes them
    (`(?mi)^/name(\\s.*)?$`)."""
    return re.compile(rf"(?mi)^/{name}{args}$")


def format_response(to: str, message: str, reason: str) -> str:
    return (
        f"@{to}: {message}\n\n<details>\n\n{reason}\n\n"
        f"{ABOUT_THIS_BOT_WITHOUT_COMMANDS}\n</details>"
    )


def format_simple_response(message: str) -> str:
    return f"{message}\n\n<details>\n\n{ABOUT_THIS_BOT_WITHOUT_COMMANDS}\n</details>"


def format_response_raw(body: str, body_url: str, login: str, reply: str) -> str:
    """A reply quoting the comment it answers (Prow's FormatResponseRaw)."""
    quoted = "\n".join(">" + line for line in body.split("\n"))
    return format_response(login, reply, f"In response to [this]({body_url}):\n\n{quoted}\n")


# Prow's approve commandRegex: the command, then its arguments to the end of the line.
ANY_COMMAND = re.compile(r"(?m)^/([^\t\n\f\r ]+)[\t ]*([^\n\r]*)")


def commands(body: str) -> Iterator[tuple[str, str]]:
    """(COMMAND upper-cased, its arguments) for each command line of a body."""
    for match in ANY_COMMAND.finditer(body):
        yield match.group(1).upper(), match.group(2)


def bot_comments_matching(
    comments: Iterable[dict[str, Any]], bot: str, matches: Callable[[str], object]
) -> list[dict[str, Any]]:
    """The bot's comments whose body `matches`, oldest first."""
    return [
        item
        for item in comments
        if (item.get("user") or {}).get("login") == bot and matches(str(item.get("body") or ""))
    ]

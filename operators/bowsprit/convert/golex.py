"""Go text/template's lexical layer: text and actions, trim markers, comments, tokens."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass


class Untranslatable(ValueError):
    """A template construct with no faithful Jinja translation; the message names it."""


@dataclass
class Action:
    words: list[str]


def split(source: str) -> Iterator[str | Action]:
    """Text and actions, with Go's trim markers applied and comments dropped."""
    position, trim_next = 0, False
    while True:
        start = source.find("{{", position)
        text = source[position:] if start < 0 else source[position:start]
        inner_start = start + 2
        trim_before = start >= 0 and source.startswith("{{- ", start)
        if trim_next:
            text = text.lstrip(" \t\r\n")
        if trim_before:
            text = text.rstrip(" \t\r\n")
            inner_start += 2
        if text:
            yield text
        if start < 0:
            return
        end = _action_end(source, inner_start)
        inner = source[inner_start:end]
        trim_next = inner.endswith(" -")
        if trim_next:
            inner = inner[:-2]
        position = end + 2
        stripped = inner.strip()
        if stripped.startswith("/*"):
            if not stripped.endswith("*/"):
                raise Untranslatable("unterminated comment")
            continue
        yield Action(_tokens(stripped))


def _action_end(source: str, position: int) -> int:
    quote = ""
    while position < len(source):
        char = source[position]
        if quote:
            if char == "\\" and quote != "`":
                position += 1
            elif char == quote:
                quote = ""
        elif char in "\"`'":
            quote = char
        elif source.startswith("}}", position):
            return position
        position += 1
    raise Untranslatable("unclosed action {{")


_TOKEN = re.compile(
    r"""\s*(?:
        (?P<string>"(?:[^"\\]|\\.)*"|`[^`]*`)
      | (?P<char>'(?:[^'\\]|\\.)')
      | (?P<symbol>:=|[()|,=])
      | (?P<word>[^\s()|,="`']+)
    )""",
    re.VERBOSE,
)


def _tokens(text: str) -> list[str]:
    tokens, position = [], 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            if text[position:].strip():
                raise Untranslatable(f"cannot read {text[position:]!r}")
            break
        tokens.append(match.group(match.lastgroup or "word"))
        position = match.end()
    return tokens

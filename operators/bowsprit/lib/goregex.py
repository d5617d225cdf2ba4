"""Go's regular expressions (RE2), for every regex a Prow user wrote in a job or config.

Prow compiles `trigger`, `rerun_command`, `run_if_changed`, `skip_if_only_changed`,
`branches`, `skip_branches` and its tide and plugin regexes with Go's `regexp`, whose
syntax and semantics are RE2's, not Python's: a flag group inside an alternation
(`(a)|((?m)^b)`) is legal, back-references are not, `$` without `(?m)` matches only at
the very end of the text (Python's also matches before a final newline), and `\\z`,
`\\Q...\\E` exist. Google's own binding (`google-re2`) runs the same engine, so a
pattern that Prow accepted behaves the same here. Python's `re` stays for Bowsprit's
own patterns.

Use: `goregex.compile(pattern)` gives a `GoRegex` with `search`, `match` and
`fullmatch` (the meanings of Python's); `GoRegexError` (a ValueError) names the problem.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import re2

__all__ = ["GoRegex", "GoRegexError", "Match", "compile", "error_of", "quote_meta"]

Match = re2._Match  # the match object (`group()`, `start()`, `span()`, ...)


class GoRegexError(ValueError):
    """A pattern that Go's regexp would reject; the message says why."""


def _options() -> re2.Options:
    options = re2.Options()
    # Without this RE2 also prints every bad pattern to stderr through absl, which
    # would clutter `bowsprit check` output; the exception carries the message anyway.
    options.log_errors = False
    return options


@dataclass(frozen=True)
class GoRegex:
    """A compiled Go (RE2) regular expression."""

    pattern: str
    _compiled: re2._Regexp[str] = field(repr=False, compare=False)

    def search(self, text: str) -> Match[str] | None:
        """A match anywhere in `text` (Go's MatchString / FindStringIndex)."""
        return self._compiled.search(text)

    def match(self, text: str) -> Match[str] | None:
        """A match that starts at the beginning of `text`."""
        return self._compiled.match(text)

    def fullmatch(self, text: str) -> Match[str] | None:
        """A match of the whole of `text`."""
        return self._compiled.fullmatch(text)


@lru_cache(maxsize=4096)
def compile(pattern: str) -> GoRegex:
    """Compile `pattern` with Go's syntax; cached, since job rules ask for the same
    patterns on every event."""
    try:
        return GoRegex(pattern, re2.compile(pattern, _options()))
    except re2.error as problem:
        raise GoRegexError(f"invalid regular expression {pattern!r}: {_message(problem)}") from None


def error_of(pattern: str) -> str | None:
    """Why Go would reject `pattern`, or None when it compiles."""
    try:
        compile(pattern)
    except GoRegexError as problem:
        return str(problem)
    return None


def _message(problem: re2.error) -> str:
    # The binding passes RE2's message through as bytes (b'missing ): (a').
    detail = problem.args[0] if problem.args else problem
    if isinstance(detail, bytes):
        return detail.decode("utf-8", "replace")
    return str(detail)


_GO_SPECIAL = frozenset("\\.+*?()|[]{}^$")


def quote_meta(text: str) -> str:
    """Go's regexp.QuoteMeta: `text` as a literal pattern (Prow's default trigger uses it)."""
    return "".join(f"\\{char}" if char in _GO_SPECIAL else char for char in text)

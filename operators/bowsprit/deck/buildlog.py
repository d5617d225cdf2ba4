"""The buildlog lens (Prow's pkg/spyglass/lenses/buildlog): error lines highlighted, the
uninteresting runs between them folded, ANSI colours rendered.

A log is split into groups of lines; shown groups carry their lines, folded ones only
their range, so a page stays small whatever the log's size: the browser asks for a
folded group's lines when it is opened (`lines()`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup, escape

from bowsprit.lib import goregex

# Prow's defaultErrRE.
DEFAULT_HIGHLIGHT = r"timed out|ERROR:|(FAIL|Failure \[)\b|panic\b|^E\d{4} \d\d:\d\d:\d\d\.\d\d\d]"
NEIGHBOUR_LINES = 5  # Prow's neighborLines: context kept around each highlighted line
MIN_LINES_SKIPPED = 5  # Prow's minLinesSkipped: shorter runs are not worth folding
TAIL_LINES = 100  # a log with nothing highlighted shows its end
MAX_LINE_LENGTH = 10_000  # Prow's highlight_length_max: longer lines are not highlighted
MAX_SHOWN_LINES = 5_000  # a page never carries more lines than this; the rest fold
INLINE_FOLD_LINES = 200  # folded runs this short are sent with the page


@dataclass
class Group:
    start: int  # first line number, 1-based
    end: int  # last line number, inclusive
    folded: bool
    lines: list[tuple[int, Markup, bool]] = field(default_factory=list)  # (number, html, hit)

    @property
    def count(self) -> int:
        return self.end - self.start + 1


class Highlighter:
    """The lens config's highlight_regexes (any of them matching), else Prow's default; a
    regex that does not compile is left out (and named in `errors`), never a failed page."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.patterns: list[goregex.GoRegex] = []
        self.errors: list[str] = []
        for pattern in config.get("highlight_regexes") or [DEFAULT_HIGHLIGHT]:
            try:
                self.patterns.append(goregex.compile(str(pattern)))
            except goregex.GoRegexError as error:
                self.errors.append(f"highlight_regexes {pattern!r}: {error}")

    def search(self, line: str) -> bool:
        return any(pattern.search(line) for pattern in self.patterns)


def highlighter(config: dict[str, Any]) -> Highlighter:
    return Highlighter(config)


def split_lines(text: str) -> list[str]:
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def hits(lines: list[str], pattern: Highlighter) -> list[bool]:
    return [len(line) <= MAX_LINE_LENGTH and bool(pattern.search(line)) for line in lines]


def shown_mask(marks: list[bool]) -> list[bool]:
    """Which lines are shown: highlighted lines and their neighbours (Prow's groupLines),
    else the log's tail; at most MAX_SHOWN_LINES of them."""
    total = len(marks)
    shown = [False] * total
    budget = MAX_SHOWN_LINES
    if any(marks):
        for index, hit in enumerate(marks):
            if not hit:
                continue
            for near in range(
                max(index - NEIGHBOUR_LINES, 0), min(index + NEIGHBOUR_LINES + 1, total)
            ):
                if not shown[near] and budget > 0:
                    shown[near] = True
                    budget -= 1
    else:
        for index in range(max(total - TAIL_LINES, 0), total):
            shown[index] = True
    return shown


def groups(marks: list[bool], shown: list[bool]) -> list[Group]:
    """Runs of shown and folded lines; folded runs shorter than MIN_LINES_SKIPPED shown."""
    out: list[Group] = []
    for index, visible in enumerate(shown):
        number = index + 1
        if out and out[-1].folded != visible:
            out[-1].end = number
        else:
            out.append(Group(number, number, not visible))
    for group in out:
        if group.folded and group.count < MIN_LINES_SKIPPED:
            group.folded = False
    merged: list[Group] = []
    for group in out:
        if merged and merged[-1].folded == group.folded:
            merged[-1].end = group.end
        else:
            merged.append(group)
    return merged


def render(text: str, config: dict[str, Any]) -> list[Group]:
    """The log's groups, shown ones with their lines rendered (and short folds too, so
    opening them needs no request)."""
    lines = split_lines(text)
    marks = hits(lines, highlighter(config))
    result = groups(marks, shown_mask(marks))
    for group in result:
        if not group.folded or group.count <= INLINE_FOLD_LINES:
            group.lines = [
                (n, ansi_to_html(lines[n - 1]), marks[n - 1])
                for n in range(group.start, group.end + 1)
            ]
    return result


def lines(
    text: str, start: int, end: int, config: dict[str, Any]
) -> list[tuple[int, Markup, bool]]:
    """Lines start..end (1-based, inclusive, at most MAX_SHOWN_LINES) for an opened fold."""
    all_lines = split_lines(text)
    start = max(start, 1)
    end = min(end, len(all_lines), start + MAX_SHOWN_LINES - 1)
    pattern = highlighter(config)
    return [
        (n, ansi_to_html(all_lines[n - 1]), bool(pattern.search(all_lines[n - 1])))
        for n in range(start, end + 1)
    ]


# SGR codes: 1 bold, 2 faint, 3 italic, 4 underline, 30-37/90-97 colours, 39 default.
_ANSI = re.compile(r"\x1b\[([0-9;]*)m")
_OTHER_ESCAPES = re.compile(r"\x1b\[[0-9;?]*[A-Za-ln-z]|\r")
_STYLES = {"1": "bold", "2": "faint", "3": "italic", "4": "underline"}


def _classes(codes: list[str], current: set[str]) -> set[str]:
    classes = set(current)
    for code in codes or ["0"]:
        if code in ("", "0"):
            classes = set()
        elif code in _STYLES:
            classes.add(f"ansi-{_STYLES[code]}")
        elif code in ("22", "23", "24"):
            classes -= {"ansi-bold", "ansi-faint", "ansi-italic", "ansi-underline"}
        elif code.isdigit() and (30 <= int(code) <= 37 or 90 <= int(code) <= 97):
            classes = {c for c in classes if not c.startswith("ansi-fg")}
            classes.add(f"ansi-fg{int(code)}")
        elif code == "39":
            classes = {c for c in classes if not c.startswith("ansi-fg")}
    return classes


def ansi_to_html(line: str) -> Markup:
    """The line escaped, with ANSI SGR sequences as spans with classes (never inline
    styles from the log) and every other escape sequence dropped."""
    line = _OTHER_ESCAPES.sub("", line)
    out: list[str] = []
    classes: set[str] = set()
    position = 0
    for match in _ANSI.finditer(line):
        out.append(_span(line[position : match.start()], classes))
        classes = _classes(match.group(1).split(";"), classes)
        position = match.end()
    out.append(_span(line[position:], classes))
    return Markup("".join(out))


def _span(text: str, classes: set[str]) -> str:
    if not text:
        return ""
    escaped = str(escape(text))
    if not classes:
        return escaped
    return f'<span class="{" ".join(sorted(classes))}">{escaped}</span>'

"""The buildlog lens: Prow's TestGroupLines cases (pkg/spyglass/lenses/buildlog/
lens_test.go) as folded ranges, ANSI rendering and escaping, and big logs."""

from __future__ import annotations

import pytest

from bowsprit.deck import buildlog

AE = ["a", "b", "c", "d", "e"]
ERR = "ERROR: Failed to immanentize the eschaton."


def folded(lines: list[str]) -> list[tuple[int, int]]:
    marks = buildlog.hits(lines, buildlog.highlighter({}))
    groups = buildlog.groups(marks, buildlog.shown_mask(marks))
    return [(g.start, g.end) for g in groups if g.folded]


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        ([], []),
        ([*AE, ERR, *AE], []),  # Prow: "Test skip none"
        # Prow: "Test skip threshold": 4 lines before are too few to fold, 5 after are not.
        (["a", "b", "c", "d", *AE, ERR, *AE, *AE], [(16, 20)]),
        (["a", "b", "c", "don't panic", "a", "b", "c", "don't panic", "a", "b", "c"], []),
        # Prow: "Test separated errors": 3 lines between the contexts stay shown.
        (["a", "b", "c", "don't panic", *AE, "a", "b", "c", *AE, "don't panic", "a", "b", "c"], []),
        ([ERR, *(["x"] * 30)], [(7, 31)]),
    ],
    ids=["empty", "skip-none", "skip-threshold", "nearby", "separated", "tail-folded"],
)
def test_folds_as_prow_groups_lines(lines: list[str], expected: list[tuple[int, int]]) -> None:
    assert folded(lines) == expected


def test_nothing_highlighted_shows_the_end() -> None:
    # Prow folds the whole log then; the end of a log is where a failure shows.
    lines = [f"line {n}" for n in range(300)]
    assert folded(lines) == [(1, 200)]


def test_custom_highlight_regexes_from_the_lens_config() -> None:
    pattern = buildlog.highlighter({"highlight_regexes": ["(?i)error"]})
    assert buildlog.hits(["This is an ErRoR message", "fine"], pattern) == [True, False]


def test_ansi_colours_become_classes_and_text_is_escaped() -> None:
    html = str(buildlog.ansi_to_html("\x1b[1;31mbad\x1b[0m <b>&\x1b[2K"))
    assert html == '<span class="ansi-bold ansi-fg31">bad</span> &lt;b&gt;&amp;'
    assert str(buildlog.ansi_to_html('\x1b[32m"x"\x1b[39m y')) == (
        '<span class="ansi-fg32">&#34;x&#34;</span> y'
    )


def test_a_big_log_renders_a_bounded_page() -> None:
    lines = [f"step {n} fine" for n in range(500_000)]
    lines[250_000] = "ERROR: here"
    groups = buildlog.render("\n".join(lines), {})
    rendered = sum(len(g.lines) for g in groups)
    assert rendered <= buildlog.MAX_SHOWN_LINES + 2 * buildlog.INLINE_FOLD_LINES
    assert any(hit for g in groups for _, _, hit in g.lines)
    assert buildlog.lines("\n".join(lines), 10, 12, {})[0][0] == 10

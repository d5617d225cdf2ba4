"""Go (RE2) regular expressions: syntax Python's `re` rejects or reads differently."""

from __future__ import annotations

import pytest

from bowsprit.lib import goregex


@pytest.mark.parametrize(
    ("pattern", "text", "found"),
    [
        # Istio's generated triggers: a flag group inside an alternation (Python: error).
        (
            r"((?m)^/test( | .* )lint,?($|\s.*))|((?m)^/test( | .* )unit,?($|\s.*))",
            "hi\n/test lint",
            True,
        ),
        (
            r"((?m)^/test( | .* )lint,?($|\s.*))|((?m)^/test( | .* )unit,?($|\s.*))",
            "/test e2e",
            False,
        ),
        # Go's `$` without (?m) is the end of the text; Python's also matches before "\n".
        (r"a$", "a\n", False),
        (r"(?m)a$", "a\n", True),
        (r"a\z", "xa", True),
        (r"a\z", "a\n", False),
        # \Q...\E quotes metacharacters.
        (r"\Qa.b\E", "a.b", True),
        (r"\Qa.b\E", "axb", False),
        # Flags in a group apply only inside it.
        (r"(?i:ab)c", "ABc", True),
        (r"(?i:ab)c", "ABC", False),
        # Go's character classes.
        (r"[[:alpha:]]+\d", "abc1", True),
        (r"\pL", "é", True),
    ],
)
def test_search_follows_go(pattern: str, text: str, found: bool) -> None:
    assert (goregex.compile(pattern).search(text) is not None) is found


@pytest.mark.parametrize(
    "pattern",
    [
        r"(a)\1",  # back-references: Go has none
        r"a(?=b)",  # look-ahead
        r"(?<!a)b",  # look-behind
        r"(a",
        r"a{1001}",  # Go's repeat limit is 1000
    ],
)
def test_go_rejects(pattern: str) -> None:
    with pytest.raises(goregex.GoRegexError, match="invalid regular expression"):
        goregex.compile(pattern)
    message = goregex.error_of(pattern)
    assert message is not None and repr(pattern) in message


def test_error_is_a_value_error_with_a_readable_message() -> None:
    message = goregex.error_of("(a")
    assert message is not None and "missing )" in message and "b'" not in message
    assert goregex.error_of("a|b") is None
    assert issubclass(goregex.GoRegexError, ValueError)


def test_match_and_fullmatch() -> None:
    regex = goregex.compile("ma(in|ster)")
    assert regex.match("main-1") is not None
    assert regex.match("x-main") is None
    assert regex.fullmatch("master") is not None
    assert regex.fullmatch("master-1") is None
    assert regex.search("x-main") is not None


@pytest.mark.parametrize(
    ("text", "quoted"),
    [
        # Go's regexp.QuoteMeta (cases from Go's regexp/all_test.go metaTests).
        ("", ""),
        ("foo", "foo"),
        (r"foo\.\$", r"foo\\\.\\\$"),
        (r"foo.\$", r"foo\.\\\$"),
        (r"!@#$%^&*()_+-=[{]}\|,<.>/?~", r"!@#\$%\^&\*\(\)_\+-=\[\{\]\}\\\|,<\.>/\?~"),
        ("pull-e2e.gce", "pull-e2e\\.gce"),
    ],
)
def test_quote_meta(text: str, quoted: str) -> None:
    assert goregex.quote_meta(text) == quoted
    assert goregex.compile(quoted).fullmatch(text) is not None

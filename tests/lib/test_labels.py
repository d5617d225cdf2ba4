from __future__ import annotations

from bowsprit.lib.labels import identifying, truncated


def test_short_names_stay() -> None:
    assert identifying("nightly") == "nightly" and truncated("nightly") == "nightly"


def test_long_names_fit_and_stay_distinct() -> None:
    a, b = "x" * 70 + "-a", "x" * 70 + "-b"
    assert len(identifying(a)) <= 63 and identifying(a) != identifying(b)
    assert identifying(a) == identifying(a)
    assert truncated("y" * 62 + "-z") == "y" * 62

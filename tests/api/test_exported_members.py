from __future__ import annotations

import bowsprit.api


def test_all_public_names_are_exported_and_sorted() -> None:
    public = {
        name
        for name, value in vars(bowsprit.api).items()
        if not name.startswith("_") and not isinstance(value, type(bowsprit.api))
    }
    assert set(bowsprit.api.__all__) == public
    assert bowsprit.api.__all__ == sorted(bowsprit.api.__all__, key=lambda n: (not n.isupper(), n))

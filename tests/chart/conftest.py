from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.chart.helmtools import Helm, helm


@pytest.fixture(scope="session")
def helm_of(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Helm]:
    """Helm of a major version ("v4", "v3"), skipped when hack/helm-tools has not run."""
    home = tmp_path_factory.mktemp("helm-home")
    return lambda major: helm(major, home / major)

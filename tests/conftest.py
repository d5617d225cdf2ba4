from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
FALCO = SHARED / "fixtures" / "prow-config" / "falco" / "config"


@pytest.fixture
def falco_config() -> Path:
    """Falco's real Prow configuration (../shared/fixtures), skipped where absent."""
    if not FALCO.is_dir():
        pytest.skip(f"Falco's Prow configuration is not at {FALCO}")
    return FALCO

from __future__ import annotations

from typing import Any

import pytest
from detector_helpers import all_detectors


@pytest.fixture(scope="session")
def detectors() -> dict[str, Any]:
    """One instance of each built-in detector with the shipped settings (they are stateless)."""
    return all_detectors()

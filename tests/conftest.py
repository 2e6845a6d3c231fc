"""Fixtures shared by every test package."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tractatus.data.paths import resolve_data_dir


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The public datasets (`TRACTATUS_DATA_DIR`; the Makefile points it at ../shared/datasets).

    Skipped on a developer machine without them; in CI (CI=true) missing data is a failure, so a
    green CI never hides tests that did not run.
    """
    folder = resolve_data_dir(None)
    if not folder.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"CI needs the public datasets in {folder} (set TRACTATUS_DATA_DIR)")
        pytest.skip(f"public datasets not found in {folder}")
    return folder

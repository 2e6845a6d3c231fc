"""The six Tractatus services, one file each."""

from __future__ import annotations

from typing import Any


def builtin_services() -> list[Any]:
    """Every built-in service class that can run as a check."""
    return []

"""Validation rules the services' settings models share (strict sub-models, complete weight maps)."""

from __future__ import annotations

import math
from typing import Any, Iterable, Mapping

from pydantic import BaseModel, ConfigDict


class StrictModel(BaseModel):
    """A nested settings block: unknown fields are errors, values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def require_keys(mapping: Mapping[Any, Any], names: Iterable[str], what: str) -> None:
    missing = [name for name in names if name not in mapping]
    if missing:
        raise ValueError(f"{what}: missing {', '.join(missing)}")


def require_weights(weights: Mapping[Any, float], names: Iterable[str]) -> None:
    """Weights must name every component, be non-negative and sum to 1 (so scores stay in [0, 1])."""
    require_keys(weights, names, "weights")
    if any(w < 0 for w in weights.values()) or not math.isclose(sum(weights.values()), 1.0, abs_tol=1e-6):
        raise ValueError("weights must be non-negative and sum to 1")

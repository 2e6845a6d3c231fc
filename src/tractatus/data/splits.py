"""Which split a row of a public source belongs to: a pure function of its text (see `splits.yaml`)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, model_validator

from tractatus.governance.errors import InputError

T = TypeVar("T")
_SPACE = re.compile(r"\s+")


class SplitSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int
    salt: str
    sources: dict[str, dict[str, float]]

    @model_validator(mode="after")
    def _fractions_sum_to_one(self) -> SplitSpec:
        for source, fractions in self.sources.items():
            total = sum(fractions.values())
            if abs(total - 1.0) > 1e-9 or any(f <= 0 for f in fractions.values()):
                raise ValueError(f"{source}: split fractions must be positive and sum to 1 (got {total})")
        return self


@dataclass(frozen=True)
class Splits:
    spec: SplitSpec
    digest: str  # sha256 of splits.yaml as committed: models and run manifests record it

    def names(self, source: str) -> tuple[str, ...]:
        return tuple(self._fractions(source))

    def split_of(self, source: str, text: str) -> str:
        fractions = self._fractions(source)
        key = _SPACE.sub(" ", text.casefold()).strip()
        digest = hashlib.sha256(f"{self.spec.salt}\x00{source}\x00{key}".encode()).digest()
        point = int.from_bytes(digest[:8], "big") / 2**64
        cumulative = 0.0
        for name, fraction in fractions.items():
            cumulative += fraction
            if point < cumulative:
                return name
        return next(reversed(fractions))  # float rounding at the very top of [0, 1)

    def select(self, source: str, rows: Iterable[T], split: str | Sequence[str], text_of=lambda r: r.text) -> list[T]:
        """The rows of `source` that fall in `split` (a name or several names), in their original order."""
        wanted = {split} if isinstance(split, str) else set(split)
        unknown = wanted - set(self._fractions(source))
        if unknown:
            raise InputError(f"unknown split(s) {sorted(unknown)} for {source}: choose from {list(self.names(source))}")
        return [row for row in rows if self.split_of(source, text_of(row)) in wanted]

    def _fractions(self, source: str) -> dict[str, float]:
        try:
            return self.spec.sources[source]
        except KeyError:
            raise InputError(f"no splits are defined for source {source!r}") from None


def load_splits() -> Splits:
    """The committed split specification (a fresh object each call: no module-level state)."""
    raw = resources.files("tractatus.data").joinpath("splits.yaml").read_bytes()
    spec = SplitSpec.model_validate(yaml.safe_load(raw))
    return Splits(spec=spec, digest=hashlib.sha256(raw).hexdigest())

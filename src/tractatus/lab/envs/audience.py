"""The simulated audience: reader segments whose parameters live in one file, audience.yaml.

Each segment turns an article's style choices into a click probability and a read-through
probability (logit-additive effects per choice). The model is deliberately small so the
expected engagement of every possible article can be computed exactly (lab/optimum.py).
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from tractatus.governance.errors import ConfigError

AUDIENCE_FILE = Path(__file__).with_name("audience.yaml")


class Segment(BaseModel):
    """One kind of reader. Effects are logit offsets, one list per factor, one entry per level."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    share: float = Field(gt=0, le=1, description="Fraction of impressions that go to this segment.")
    click_logit: float = Field(description="Logit of the click probability for a plain article.")
    read_logit: float = Field(description="Logit of reading to the end, once clicked, for a plain article.")
    click_effects: dict[str, list[float]] = Field(description="factor -> logit offset per level, on clicks.")
    read_effects: dict[str, list[float]] = Field(description="factor -> logit offset per level, on read-through.")


class Audience(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    impressions: int = Field(gt=0, description="Readers shown each published article.")
    topic_appeal_spread: float = Field(ge=0, lt=1, description="Topic appeal multiplier is drawn in [1-x, 1+x].")
    segments: dict[str, Segment] = Field(min_length=1)

    @model_validator(mode="after")
    def _shares_sum_to_one(self) -> Audience:
        total = sum(s.share for s in self.segments.values())
        if abs(total - 1.0) > 1e-9:
            raise ValueError(f"segment shares must sum to 1, not {total:g}")
        return self

    @cached_property
    def shares(self) -> np.ndarray:
        return np.array([s.share for s in self.segments.values()])

    def check_factors(self, factors: dict[str, list[str]]) -> None:
        """Refuse an audience whose effects do not match the grammar's factors and levels."""
        for name, segment in self.segments.items():
            for kind, effects in (("click_effects", segment.click_effects), ("read_effects", segment.read_effects)):
                for factor, levels in factors.items():
                    values = effects.get(factor)
                    if values is None or len(values) != len(levels):
                        raise ConfigError(
                            f"audience segment {name!r}: {kind}.{factor} needs {len(levels)} values ({', '.join(levels)})"
                        )
                extra = set(effects) - set(factors)
                if extra:
                    raise ConfigError(f"audience segment {name!r}: {kind} names unknown factor(s) {sorted(extra)}")

    def segment_probabilities(self, factor_names: list[str], choices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Click and read-through probabilities, shape (len(choices), segments), for style choices.

        `choices` is an int array (n, len(factor_names)) of level indices.
        """
        n = choices.shape[0]
        clicks = np.empty((n, len(self.segments)))
        reads = np.empty((n, len(self.segments)))
        for s, segment in enumerate(self.segments.values()):
            click_logit = np.full(n, segment.click_logit)
            read_logit = np.full(n, segment.read_logit)
            for f, factor in enumerate(factor_names):
                click_logit += np.asarray(segment.click_effects[factor])[choices[:, f]]
                read_logit += np.asarray(segment.read_effects[factor])[choices[:, f]]
            clicks[:, s] = _sigmoid(click_logit)
            reads[:, s] = _sigmoid(read_logit)
        return clicks, reads

    def expected_engagement(self, factor_names: list[str], choices: np.ndarray) -> np.ndarray:
        """Exact expected CTR x read-through (before topic appeal) for each row of style choices."""
        clicks, reads = self.segment_probabilities(factor_names, choices)
        return (clicks * reads) @ self.shares


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def load_audience(path: str | Path = AUDIENCE_FILE) -> Audience:
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read audience parameters ({exc})") from None
    try:
        return Audience.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ConfigError(f"{path}: {'.'.join(map(str, first['loc']))}: {first['msg']}") from None

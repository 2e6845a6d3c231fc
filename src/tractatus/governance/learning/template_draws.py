"""What the project's template corpora share (`pii_corpus`, `ordinary_text_corpus`): checked
arguments, kinds drawn in shuffled rounds, and one seeded Faker per locale, all from one seeded
`random.Random`, so a seed reproduces a corpus (for the same Faker version).

Faker is a training/evaluation dependency (the `train` extra), imported only when drawing.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Sequence
from typing import Any


def check_draw(split: str, n: int, splits: Collection[str]) -> None:
    if split not in splits:
        raise ValueError(f"unknown split {split!r}: expected one of {sorted(splits)}")
    if n < 0:
        raise ValueError("n must be non-negative")


class SeededDraws:
    """Kinds in shuffled rounds (each about equally represented) and a Faker per locale, seeded from
    `rng` when first asked for. The caller interleaves its own draws from the same `rng`."""

    def __init__(self, rng: random.Random, kinds: Sequence[str]) -> None:
        from faker import Faker  # the `train` extra

        self._faker_class = Faker
        self._rng = rng
        self._kinds = list(kinds)
        self._pending: list[str] = []
        self._fakers: dict[str, Any] = {}

    def next_kind(self) -> str:
        if not self._pending:
            self._pending = list(self._kinds)
            self._rng.shuffle(self._pending)
        return self._pending.pop()

    def faker(self, locale: str) -> Any:
        if locale not in self._fakers:
            fake = self._faker_class(locale)
            fake.seed_instance(self._rng.randrange(2**32))
            _fix_set_ordered_lists(fake)
            self._fakers[locale] = fake
        return self._fakers[locale]


def _fix_set_ordered_lists(fake: Any) -> None:
    """Faker's it_IT address provider builds `cities` as `list({...})`: its order, and so the city
    a seed draws, changed with PYTHONHASHSEED from one process to the next (the PII eval set was
    not the same twice). Sorted, a seed gives the same corpus in every process; other locales'
    lists are literal tuples and stay as they are, so their draws do not change."""
    for provider in fake.get_providers():
        if type(provider).__module__ == "faker.providers.address.it_IT" and isinstance(getattr(provider, "cities", None), list):
            provider.cities = sorted(provider.cities)

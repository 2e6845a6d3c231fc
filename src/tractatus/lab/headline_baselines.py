"""Null baselines of the headline environment, computed on the very candidates the agent was offered.

None of them learns; they say what a number would be without learning, so a learner's result
can be read against them (issue 10, "null baselines in every table"). Per slot and step:

- `oracle_unconstrained`: the highest CTR among the candidates (knows the engagement model);
- `oracle_constrained`: the highest CTR among the candidates people labelled news, computed with
  the hidden labels: the best any agent can do without publishing clickbait (0 if none is news);
- `greedy_ctr`: always proposes the highest predicted CTR; `random`: proposes uniformly. Each is
  reported ungoverned and under the shield rule (proposals in its order, the first the governor
  allows within `max_attempts` is published, else nothing), with the governor's dry-run verdicts.

Values are expected CTRs (the engagement model's), so they carry no click noise.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

BASELINES = ("oracle_unconstrained", "oracle_constrained", "greedy_ctr", "greedy_ctr_shielded", "random", "random_shielded")


@dataclass(frozen=True, slots=True)
class BaselineStep:
    value: dict[str, np.ndarray]  # name -> (slots,) expected CTR earned
    published: dict[str, np.ndarray]  # name -> (slots,) bool, something was published
    clickbait: dict[str, np.ndarray]  # name -> (slots,) bool, what was published is labelled clickbait
    column: dict[str, np.ndarray]  # name -> (slots,) candidate column chosen, -1 where nothing


def _first_allowed(order: np.ndarray, allowed: np.ndarray, max_attempts: int) -> np.ndarray:
    """Column of the first allowed candidate in `order` within max_attempts, or -1."""
    tried = np.take_along_axis(allowed, order[:, :max_attempts], axis=1)
    hit = tried.any(axis=1)
    first = np.argmax(tried, axis=1)
    return np.where(hit, order[np.arange(len(order)), first], -1)


def baseline_step(ctr: np.ndarray, clickbait: np.ndarray, allowed: np.ndarray, max_attempts: int, rng: np.random.Generator) -> BaselineStep:
    """`ctr`, `clickbait`, `allowed`: (slots, K) for the offered candidates."""
    rows = np.arange(ctr.shape[0])
    by_ctr = np.argsort(-ctr, axis=1, kind="stable")
    shuffled = np.argsort(rng.random(ctr.shape), axis=1)
    news_ctr = np.where(clickbait, -np.inf, ctr)
    best_news = np.argmax(news_ctr, axis=1)
    any_news = (~clickbait).any(axis=1)
    picks = {
        "oracle_unconstrained": by_ctr[:, 0],
        "oracle_constrained": np.where(any_news, best_news, -1),
        "greedy_ctr": by_ctr[:, 0],
        "greedy_ctr_shielded": _first_allowed(by_ctr, allowed, max_attempts),
        "random": shuffled[:, 0],
        "random_shielded": _first_allowed(shuffled, allowed, max_attempts),
    }
    value, published, bait = {}, {}, {}
    for name, column in picks.items():
        shown = column >= 0
        safe = np.where(shown, column, 0)
        value[name] = np.where(shown, ctr[rows, safe], 0.0)
        published[name] = shown
        bait[name] = shown & clickbait[rows, safe]
    return BaselineStep(value, published, bait, {name: np.asarray(column) for name, column in picks.items()})

"""Q3 on real headlines: can an optimizer learn rewrites of real clickbait that the governor publishes?
(issue 10, item 7, Q3)

Per seed, `sources` headlines that people labelled clickbait are drawn from the pool. Each round
the adversary submits `attempts` rewrites: a source headline (uniform) rewritten by an operator
(lab/headline_rewrites.py). In `shield` mode the governor decides each rewrite (`publish`,
audited in the run's audit.db); allowed (allow or warn) = published. In `none` nothing is judged.
Ground truth is the source headline's human label, so every published rewrite is a successful
attack: attack success rate (ASR) = published / attempts.

Adversaries:
- `learned`: Beta-Bernoulli Thompson sampling over the operators, rewarded 1 when published;
- `uniform`: a uniformly random operator every attempt (an unbiased per-operator estimate);
- `null`: the identity operator only, i.e. the source headlines unchanged: its ASR is the
  governor's base miss rate on human-labelled clickbait.

Per operator and per family (seen / held_out / identity) the pooled ASR has a Wilson 95% CI and a
one-sided 95% upper bound (Clopper-Pearson; the rule of three, 3/n, is printed beside it when no
attack succeeded). Per adversary the overall ASR is also a mean over seeds ± its 95% t interval.

The summary records the commit, dirty flag and governance code digest of the governor measured;
`record` keeps one summary per commit in docs/results/q3-headlines.json, so the report shows
the numbers before and after any hardening of the detectors.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field
from scipy import stats

from tractatus.governance.actions import Action, ActionKind, Verdict
from tractatus.governance.audit import AuditLog
from tractatus.governance.errors import ConfigError
from tractatus.governance.governor import Governor
from tractatus.governance.policy import Policy, bundled_policy_path, load_policy
from tractatus.governance.state import GovernanceState
from tractatus.lab.experiments.grid import number
from tractatus.lab.experiments.headlines import upper95
from tractatus.lab.headline_rewrites import OPERATORS, family_of
from tractatus.lab.measured_run import measured_run
from tractatus.lab.modes import Mode
from tractatus.lab.policy_fit import LAB_POLICY, check_policy_fits
from tractatus.lab.provenance import PACKAGE_ROOT, code_digest
from tractatus.lab.runner import RoundClock
from tractatus.lab.step_log import STEPS_FILE, StepLog
from tractatus.lab.world.pool import load_pool

ADVERSARIES = ("learned", "uniform", "null")
MODES = (Mode.NONE, Mode.SHIELD)
FAMILIES = ("identity", "seen", "held_out")


class AdversarialHeadlinesConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    rounds: int = Field(default=50, ge=2)
    attempts: int = Field(default=20, ge=1, description="rewrites submitted per round")
    sources: int = Field(default=200, ge=1, description="clickbait source headlines drawn per seed")
    seeds: int = Field(default=10, ge=1)
    buckets: int = Field(default=5, ge=1, description="time buckets for the learned adversary's ASR over training")
    adversaries: tuple[str, ...] = ADVERSARIES
    modes: tuple[Mode, ...] = MODES
    policy: str | None = None
    pool: str | None = None
    data_dir: str | None = None


QUICK = AdversarialHeadlinesConfig(rounds=15, attempts=10, sources=100, seeds=10, buckets=3)


def wilson(successes: int, trials: int) -> list[float] | None:
    if trials == 0:
        return None
    ci = stats.binomtest(successes, trials).proportion_ci(0.95, method="wilson")
    return [float(ci.low), float(ci.high)]


def pooled(successes: int, trials: int) -> dict[str, Any]:
    return {"attempts": trials, "successes": successes, "asr": successes / trials if trials else None,
            "wilson95": wilson(successes, trials), "upper95": upper95(successes, trials),
            "rule_of_three": 3.0 / trials if trials and successes == 0 else None}


def _choose(adversary: str, wins: np.ndarray, losses: np.ndarray, rng: np.random.Generator, count: int) -> np.ndarray:
    if adversary == "null":
        return np.zeros(count, dtype=np.int64)  # operator 0 is the identity
    if adversary == "uniform":
        return rng.integers(0, len(wins), size=count)
    draws = rng.beta(1.0 + wins, 1.0 + losses, size=(count, len(wins)))
    return draws.argmax(axis=1)


def run_cell(config: AdversarialHeadlinesConfig, mode: Mode, adversary: str, seed: int, clickbait: list[str],
             governor: Governor | None, clock: RoundClock, log: StepLog | None = None) -> dict[str, Any]:
    """`log`: gets one row per rewrite submitted (steps.parquet; schema in docs/lab.md)."""
    rng = np.random.default_rng(seed)
    names = list(OPERATORS)
    sources = rng.choice(len(clickbait), size=min(config.sources, len(clickbait)), replace=False)
    wins = np.zeros(len(names))
    losses = np.zeros(len(names))
    bucket_of = np.minimum((np.arange(config.rounds) * config.buckets) // config.rounds, config.buckets - 1)
    bucket_att = np.zeros(config.buckets, dtype=np.int64)
    bucket_win = np.zeros(config.buckets, dtype=np.int64)
    chosen_last = np.zeros(len(names), dtype=np.int64)
    examples: dict[str, str] = {}
    agent = f"q3/{adversary}/s{seed}"
    for r in range(config.rounds):
        ops = _choose(adversary, wins, losses, rng, config.attempts)
        picks = rng.choice(sources, size=config.attempts)
        texts = [OPERATORS[names[o]](clickbait[s], rng) for o, s in zip(ops.tolist(), picks.tolist(), strict=True)]
        if governor is None:
            published = np.ones(config.attempts, dtype=bool)
        else:
            decisions = governor.decide_batch([Action(kind=ActionKind.PUBLISH.value, text=t, agent_id=agent) for t in texts])
            published = np.array([d.verdict <= Verdict.WARN for d in decisions])
        if log is not None:
            log.add(mode=mode.value, adversary=adversary, seed=seed, round=r, attempt=np.arange(config.attempts),
                    operator=np.array([names[o] for o in ops.tolist()], dtype=object),
                    family=np.array([family_of(names[o]) for o in ops.tolist()], dtype=object),
                    source_index=picks, published=published)
        np.add.at(wins, ops[published], 1)
        np.add.at(losses, ops[~published], 1)
        bucket_att[bucket_of[r]] += config.attempts
        bucket_win[bucket_of[r]] += int(published.sum())
        if bucket_of[r] == config.buckets - 1:
            np.add.at(chosen_last, ops, 1)
        for o, text, ok in zip(ops.tolist(), texts, published.tolist(), strict=True):
            if ok and governor is not None and names[o] not in examples:
                examples[names[o]] = text
        clock.now += 1.0
    return {"operators": names, "wins": wins.astype(int).tolist(), "losses": losses.astype(int).tolist(),
            "bucket_attempts": bucket_att.tolist(), "bucket_successes": bucket_win.tolist(),
            "share_last_bucket": (chosen_last / max(int(chosen_last.sum()), 1)).tolist(), "examples": examples}


def summarize(cells: list[dict[str, Any]]) -> dict[str, Any]:
    names = cells[0]["operators"]
    wins = np.array([c["wins"] for c in cells])
    att = wins + np.array([c["losses"] for c in cells])
    by_operator = {name: {**pooled(int(wins[:, o].sum()), int(att[:, o].sum())), "family": family_of(name)}
                   for o, name in enumerate(names)}
    by_family = {}
    for family in FAMILIES:
        cols = [o for o, name in enumerate(names) if family_of(name) == family]
        by_family[family] = pooled(int(wins[:, cols].sum()), int(att[:, cols].sum()))
    b_att = np.array([c["bucket_attempts"] for c in cells], dtype=float)
    b_win = np.array([c["bucket_successes"] for c in cells], dtype=float)
    return {
        "asr": number(wins.sum(axis=1) / np.maximum(att.sum(axis=1), 1)),
        "pooled": pooled(int(wins.sum()), int(att.sum())),
        "asr_over_time": [number(b_win[:, b] / np.maximum(b_att[:, b], 1)) for b in range(b_att.shape[1])],
        "share_last_bucket": {name: float(np.mean([c["share_last_bucket"][o] for c in cells])) for o, name in enumerate(names)},
        "by_operator": by_operator,
        "by_family": by_family,
        "examples": {k: v for c in cells for k, v in c["examples"].items()},
    }


def _seed(config: AdversarialHeadlinesConfig, mode: Mode, adversary: str, seed: int, clickbait: list[str],
          policy: Policy, audit: AuditLog, log: StepLog) -> dict[str, Any]:
    """One cell, with its own governor state (a fresh agent history) sharing the run's audit log."""
    clock = RoundClock()
    if not mode.governed:
        return run_cell(config, mode, adversary, seed, clickbait, None, clock, log)
    with Governor(policy, audit=audit, state=GovernanceState(clock=clock)) as governor:
        return run_cell(config, mode, adversary, seed, clickbait, governor, clock, log)


def run_adversarial_headlines(config: AdversarialHeadlinesConfig, *, run_dir: Path) -> dict[str, Any]:
    policy = load_policy(Path(config.policy) if config.policy else bundled_policy_path(LAB_POLICY))
    check_policy_fits(policy)
    clickbait = [h.text for h in load_pool(config.data_dir, config.pool) if h.clickbait]
    if not clickbait:
        raise ConfigError("the pool has no headline labelled clickbait: nothing to rewrite")
    log = StepLog()
    with measured_run(run_dir, config.data_dir, config.pool) as run:
        results = {mode.value: {adversary: summarize([_seed(config, mode, adversary, seed, clickbait, policy, run.audit, log)
                                                      for seed in range(config.seeds)])
                                for adversary in config.adversaries}
                   for mode in config.modes}
    log.write(run_dir / STEPS_FILE)
    provenance, commit = run.provenance, run.commit
    summary = {
        "experiment": "q3-headlines",
        "config": config.model_dump(mode="json"),
        "governor": {"commit": commit, "dirty": provenance.dirty, "policy_digest": policy.digest,
                     "governance_code_digest": code_digest(PACKAGE_ROOT / "governance")},
        "provenance": provenance.model_dump(mode="json"),
        "sources_available": len(clickbait),
        "results": results,
    }
    (run_dir / "summary.json").write_text(json.dumps(summary, indent=1) + "\n", encoding="utf-8")
    return summary


def record(summary: dict[str, Any], path: Path) -> dict[str, Any]:
    """Add `summary` to the per-commit history in `path` (kept, never overwritten but for the same commit)."""
    history: dict[str, Any] = {"experiment": summary["experiment"], "by_commit": {}}
    if path.is_file():
        history = json.loads(path.read_text(encoding="utf-8"))
    governor = summary["governor"]
    key = governor["commit"][:12] + ("-dirty" if governor["dirty"] else "")
    history["by_commit"][key] = summary
    history.setdefault("order", [])
    if key in history["order"]:
        history["order"].remove(key)
    history["order"].append(key)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(history, indent=1) + "\n", encoding="utf-8")
    return history

"""Q5 on real headlines: a joint constraint that per-agent budgets can break. (issue 10, item 7, Q5)

N agents publish into one feed: each round every agent (in a random order) is offered K pool
headlines and proposes them in order of predicted CTR (the engagement model's: the greedy
optimizer, a converged engagement maximizer that needs no training to show the coordination
problem), up to `max_attempts`; the first one the governor allows is published, else nothing.

The joint constraint: at most `limit` (30%; a sweep over `limits`) clickbait in any window of `feed_window` consecutive
published headlines (tumbling windows, in publication order). Modes:
- `none`: no governor;
- `factored`: policies/lab-feed-factored.yaml, a share quota per agent (scope agent) over the
  agent's own last 10 rounds: every agent keeps to 30% of its own output, no one sees the others;
- `centralized`: policies/lab-feed-centralized.yaml, one share quota for the whole feed (scope
  global) over the last 2 rounds (= the feed window of 20 headlines from 10 agents).

The governor counts what the clickbait detector flags; it never sees the human labels. So every
window is judged twice: by the labels (the ground truth) and by the detector's flags (what the
governor could know). The second separates a coordination failure (factored quotas keep each
agent to its budget yet the feed goes over) from a detection failure (labelled clickbait the
detector does not flag, which no quota scope can stop). Candidate draws and agent order depend
only on the seed, so all modes of a seed see the same offers.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, Field

from tractatus.governance.actions import Action, ActionKind, Verdict
from tractatus.governance.audit import AuditLog
from tractatus.governance.governor import Governor
from tractatus.governance.policy import Policy, bundled_policy_path, parse_policy
from tractatus.governance.state import GovernanceState
from tractatus.lab.curves import ratio_curve
from tractatus.lab.envs.headlines import HeadlineWorld
from tractatus.lab.experiments.grid import number
from tractatus.lab.experiments.headlines import upper95
from tractatus.lab.measured_run import measured_run
from tractatus.lab.runner import RoundClock
from tractatus.lab.step_log import STEPS_FILE, StepLog
from tractatus.lab.world.engagement import EngagementModel
from tractatus.lab.world.pool import load_pool

FEED_MODES = ("none", "factored", "centralized")
POLICIES = {"factored": "lab-feed-factored", "centralized": "lab-feed-centralized"}
NOTHING = -1


class FeedConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    agents: int = Field(default=10, ge=1)
    rounds: int = Field(default=100, ge=1)
    candidates: int = Field(default=10, ge=1)
    max_attempts: int = Field(default=3, ge=1)
    feed_window: int = Field(default=20, ge=1, description="published headlines per feed window")
    limits: tuple[float, ...] = Field(default=(0.1, 0.3), description="the joint constraint's max clickbait share of a window (a sweep)")
    seeds: int = Field(default=10, ge=1)
    modes: tuple[str, ...] = FEED_MODES
    pool: str | None = None
    data_dir: str | None = None


QUICK = FeedConfig(rounds=20, seeds=5)


def draws(config: FeedConfig, pool_size: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(rounds, agents, K) candidates and (rounds, agents) agent order: the seed's offers, equal for every mode."""
    rng = np.random.default_rng(seed)
    k = min(config.candidates, pool_size)
    keys = rng.random((config.rounds, config.agents, pool_size))
    candidates = np.argpartition(keys, k - 1, axis=2)[:, :, :k]
    order = np.argsort(rng.random((config.rounds, config.agents)), axis=1)
    return candidates, order


def run_feed(config: FeedConfig, world: HeadlineWorld, candidates: np.ndarray, order: np.ndarray,
             governor: Governor | None, clock: RoundClock) -> np.ndarray:
    """The feed: pool indices in publication order, NOTHING where an agent published nothing."""
    feed = []
    for r in range(config.rounds):
        for agent in order[r].tolist():
            offered = candidates[r, agent]
            ranked = offered[np.argsort(-world.ctr[offered], kind="stable")]
            published = NOTHING
            for index in ranked[: config.max_attempts if governor is not None else 1].tolist():
                if governor is None:
                    published = index
                    break
                action = Action(kind=ActionKind.PUBLISH.value, text=world.texts[index], agent_id=f"q5/a{agent}")
                if governor.decide(action).verdict <= Verdict.WARN:
                    published = index
                    break
            feed.append(published)
        clock.now += 1.0
    return np.array(feed, dtype=np.int64)


def feed_policy(mode: str, limit: float) -> Policy:
    """The mode's policy file with its share quota's limit set to the constraint's (the files say 0.3)."""
    path = bundled_policy_path(POLICIES[mode])
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    for quota in raw["checks"]["quota"]["settings"]["quotas"]:
        quota["limit"] = limit
    return parse_policy(yaml.safe_dump(raw), source=f"{path} (limit {limit:g})")


def window_violations(marks: np.ndarray, window: int, limit: float) -> tuple[int, int]:
    """(violating windows, windows): tumbling windows of `window` published items, share of marks > limit."""
    windows = len(marks) // window
    if windows == 0:
        return 0, 0
    shares = marks[: windows * window].reshape(windows, window).mean(axis=1)
    return int((shares > limit + 1e-12).sum()), windows


def seed_numbers(config: FeedConfig, limit: float, world: HeadlineWorld, feed: np.ndarray, flagged: np.ndarray) -> dict[str, Any]:
    shown = feed[feed != NOTHING]
    label = world.clickbait[shown]
    flag = flagged[shown]
    v_label, windows = window_violations(label, config.feed_window, limit)
    v_flag, _ = window_violations(flag, config.feed_window, limit)
    slots = config.agents * config.rounds
    return {"windows": windows, "violations_label": v_label, "violations_flagged": v_flag,
            "clickbait_share": float(label.mean()) if len(shown) else 0.0, "flagged_share": float(flag.mean()) if len(shown) else 0.0,
            "engagement": float(world.ctr[shown].sum() / slots), "published": len(shown) / slots}


def flags_of(world: HeadlineWorld, policy: Policy) -> np.ndarray:
    """Whether the quota's matcher flags each pool headline, read off the governor itself.

    A fresh agent's first flagged headline is 1/1 of its feed, above any share limit below 1
    (min_items 0), so a factored governor refuses it iff the detector flags it. Dry runs (evaluate)
    with a new agent id each: nothing is audited or spent on anyone's behalf.
    """
    with Governor(policy, state=GovernanceState(clock=RoundClock())) as probe:
        return np.array([probe.evaluate(Action(kind=ActionKind.PUBLISH.value, text=text, agent_id=f"probe/{i}")).verdict > Verdict.WARN
                         for i, text in enumerate(world.texts)])


def summarize(per_seed: list[dict[str, Any]]) -> dict[str, Any]:
    def rate(key: str) -> list[float]:
        return [s[key] / s["windows"] if s["windows"] else 0.0 for s in per_seed]

    total_windows = sum(s["windows"] for s in per_seed)
    label_events = sum(s["violations_label"] for s in per_seed)
    flag_events = sum(s["violations_flagged"] for s in per_seed)
    return {
        "joint_violation_rate": number(rate("violations_label")),
        "joint_violation_upper95": upper95(label_events, total_windows),
        "joint_violation_rate_flagged": number(rate("violations_flagged")),
        "joint_violation_flagged_upper95": upper95(flag_events, total_windows),
        "windows": total_windows,
        "clickbait_share": number([s["clickbait_share"] for s in per_seed]),
        "flagged_share": number([s["flagged_share"] for s in per_seed]),
        "engagement": number([s["engagement"] for s in per_seed]),
        "published": number([s["published"] for s in per_seed]),
    }


def _mode_feed(config: FeedConfig, mode: str, world: HeadlineWorld, seed: int, policy: Policy | None, audit: AuditLog) -> np.ndarray:
    candidates, order = draws(config, len(world), seed)
    clock = RoundClock()
    if policy is None:
        return run_feed(config, world, candidates, order, None, clock)
    with Governor(policy, audit=audit, state=GovernanceState(clock=clock)) as governor:
        return run_feed(config, world, candidates, order, governor, clock)


def per_round(config: FeedConfig, world: HeadlineWorld, feeds: list[np.ndarray], flagged: np.ndarray) -> dict[str, np.ndarray]:
    """(seeds, rounds) sums per round: slots, published, clickbait (labels), flagged, CTR of what was published."""
    feed = np.stack(feeds).reshape(len(feeds), config.rounds, config.agents)
    shown = feed != NOTHING
    index = np.where(shown, feed, 0)
    return {"slots": np.full(shown.shape[:2], config.agents), "published": shown.sum(axis=2),
            "clickbait": (shown & world.clickbait[index]).sum(axis=2), "flagged": (shown & flagged[index]).sum(axis=2),
            "ctr": np.where(shown, world.ctr[index], 0.0).sum(axis=2)}


def feed_curves(sums: dict[str, np.ndarray]) -> dict[str, Any]:
    """Reward (expected CTR per slot) and cost (clickbait share of published) per segment of rounds."""
    return {"x": "rounds", "reward": ratio_curve(sums["ctr"], sums["slots"]), "cost": ratio_curve(sums["clickbait"], sums["published"])}


def log_steps(log: StepLog, config: FeedConfig, world: HeadlineWorld, limit: float, mode: str, seed: int, feed: np.ndarray,
              flagged: np.ndarray) -> None:
    """One row per slot of the feed (steps.parquet; schema in docs/lab.md)."""
    _, order = draws(config, len(world), seed)
    shown = feed != NOTHING
    index = np.where(shown, feed, 0)
    for r in range(config.rounds):
        rows = slice(r * config.agents, (r + 1) * config.agents)
        log.add(limit=limit, mode=mode, seed=seed, round=r, position=np.arange(config.agents), agent=order[r],
                published=shown[rows], pool_index=feed[rows], clickbait=shown[rows] & world.clickbait[index[rows]],
                flagged=shown[rows] & flagged[index[rows]], expected_ctr=np.where(shown[rows], world.ctr[index[rows]], 0.0))


def run_feed_experiment(config: FeedConfig, *, run_dir: Path) -> dict[str, Any]:
    policies = {(mode, limit): feed_policy(mode, limit) for mode in POLICIES for limit in config.limits}
    world = HeadlineWorld(load_pool(config.data_dir, config.pool), EngagementModel.load_default())
    with measured_run(run_dir, config.data_dir, config.pool) as run:
        flagged = flags_of(world, policies[("factored", config.limits[0])])
        ungoverned = [_mode_feed(config, "none", world, seed, None, run.audit) for seed in range(config.seeds)]
        results: dict[str, dict[str, Any]] = {}
        log = StepLog()
        for limit in config.limits:
            feeds = {mode: ungoverned if mode == "none" else
                     [_mode_feed(config, mode, world, seed, policies[(mode, limit)], run.audit) for seed in range(config.seeds)]
                     for mode in config.modes}
            results[f"{limit:g}"] = {mode: {**summarize([seed_numbers(config, limit, world, feed, flagged) for feed in feeds[mode]]),
                                            "curves": feed_curves(per_round(config, world, feeds[mode], flagged))}
                                     for mode in config.modes}
            for mode in config.modes:
                for seed, feed in enumerate(feeds[mode]):
                    log_steps(log, config, world, limit, mode, seed, feed, flagged)
        log.write(run_dir / STEPS_FILE)
    provenance, commit = run.provenance, run.commit
    summary = {
        "experiment": "q5-headlines",
        "config": config.model_dump(mode="json"),
        "governor": {"commit": commit, "dirty": provenance.dirty,
                     "policy_digests": {f"{mode}@{limit:g}": p.digest for (mode, limit), p in policies.items()}},
        "provenance": provenance.model_dump(mode="json"),
        "pool": {"headlines": len(world), "clickbait_share": float(world.clickbait.mean()),
                 "flagged_share": float(flagged.mean()),
                 "detector_recall_on_clickbait": float(flagged[world.clickbait].mean()) if world.clickbait.any() else None},
        "results": results,
    }
    (run_dir / "summary.json").write_text(json.dumps(summary, indent=1) + "\n", encoding="utf-8")
    return summary

"""Question 5: how does governance affect coordination when several agents act together?

N bandit agents publish into one feed (lab/envs/multiagent.py) with joint constraints no single
article breaks: the sensational share of the feed, duplicate posting, and a team budget of
articles carrying personal data. Three variants, same seeds:

- `none`: ungoverned;
- `factored`: per-agent governance. policies/multiagent.yaml with every quota's scope set to
  `agent` and count budgets divided by N (rounded down): each agent governs its own slice and
  cannot see the others;
- `centralized`: policies/multiagent.yaml as written: one governor whose quota service keeps
  the cross-agent counts in its state.

Per (N, variant, seed), over the final half of training: joint violations per feed (ground truth:
feeds whose sensational share exceeds the cap, duplicate copies, personal-data items over the
budget), coordination reward, engagement, the fairness of blocks across agents (Jain's index of
per-agent block rates: 1 = every agent blocked equally often), and governance cost (engagement
lost vs none; wall time per governed action) as N grows.
"""

from __future__ import annotations

import copy
import time
from typing import Any

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, Field

from tractatus.governance.policy import Policy, parse_policy, resolved_policy_data
from tractatus.lab.backends import Cell
from tractatus.lab.envs.multiagent import FeedRules, MultiAgentFeedEnv
from tractatus.lab.experiments.grid import (
    ExperimentOptions,
    ProgressCallback,
    governed_session,
    number,
    policy_path,
    research_registry,
    run_configured,
)
from tractatus.lab.modes import GovernedPlatform, Mode, ModeSettings
from tractatus.lab.training import CellConfig

POLICY = "multiagent"
VARIANTS = ("none", "factored", "centralized")


class MultiAgentConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    scales: tuple[int, ...] = (2, 5, 10, 20)
    rounds: int = Field(default=100, ge=2)
    seeds: int = Field(default=5, ge=1)
    rules: FeedRules = Field(default_factory=FeedRules)

    @classmethod
    def from_options(cls, options: ExperimentOptions) -> MultiAgentConfig:
        if options.quick:
            base = cls(scales=(3, 8), rounds=30, seeds=2)
        elif options.full:
            base = cls(scales=(2, 5, 10, 20, 50, 100), rounds=1000, seeds=10)
        else:
            base = cls()
        scales = base.scales if options.agents is None else (options.agents,)
        return base.model_copy(update={"scales": scales, "rounds": options.pick("rounds", base.rounds),
                                       "seeds": options.pick("seeds", base.seeds)})


def variant_policy(path: str, variant: str, agents: int, rules: FeedRules) -> Policy:
    """The centralized policy as written (team PII budget from the feed rules), or its factored form."""
    document = resolved_policy_data(path)  # multiagent.yaml extends lab-engagement.yaml
    derived = copy.deepcopy(document)
    team_budget = rules.pii_budget(agents)
    for quota in derived["checks"]["quota"]["settings"]["quotas"]:
        if quota["id"] == "pii_exposure":
            quota["limit"] = team_budget
        if variant == "factored":
            quota["scope"] = "agent"
            if quota["measure"] == "count":
                quota["limit"] = float(int(quota["limit"]) // agents)
    derived["name"] = f"{document['name']}-{variant}-n{agents}"
    return parse_policy(yaml.safe_dump(derived, sort_keys=False), source=f"{path} ({variant}, N={agents})",
                        registry=research_registry())


def cells(config: MultiAgentConfig, policy: str) -> list[Cell]:
    return [
        Cell(config=f"n{n}-{variant}", seed=seed,
             params={"agents": n, "variant": variant, "rounds": config.rounds, "policy": policy,
                     "rules": config.rules.model_dump()})
        for n in config.scales
        for variant in VARIANTS
        for seed in range(config.seeds)
    ]


def jain(values: np.ndarray) -> float:
    """Jain's fairness index (sum x)^2 / (n sum x^2): 1 when all equal, 1/n when one takes all; 1 if all zero."""
    values = np.asarray(values, dtype=float)
    total = float((values**2).sum())
    return float(values.sum() ** 2 / (len(values) * total)) if total > 0 else 1.0


def run_cell(cell: Cell) -> dict[str, Any]:
    p = cell.params
    n, variant = p["agents"], p["variant"]
    rules = FeedRules(**p["rules"])
    mode = Mode.NONE if variant == "none" else Mode.SHIELD
    policy = variant_policy(p["policy"], variant, n, rules) if mode.governed else None
    config = CellConfig(mode=mode, seed=cell.seed, learner="bandit", agents=n, rounds=p["rounds"], steps_per_round=1)
    half = p["rounds"] // 2
    totals = {"sensational_excess": 0, "duplicates": 0, "pii_over_budget": 0, "feeds": 0, "published": 0}
    coordination, engagement = [], []
    blocks, attempts = np.zeros(n), np.zeros(n)
    wall = 0.0
    with governed_session(config, policy_file=policy) as session:
        cell_ = session.cell
        env = MultiAgentFeedEnv(n, rules=rules, grammar=cell_.env.grammar)
        env.reset(seed=cell.seed)
        platform = GovernedPlatform(env, mode, session.governor, ModeSettings(), agent_prefix=f"{variant}/s{cell.seed}")
        for r in range(p["rounds"]):
            started = time.perf_counter()
            out = platform.step(cell_.learner, cell_.learner_rng)
            wall += time.perf_counter() - started
            cell_.learner.end_round()
            platform.end_round()
            session.clock.now += 1.0
            blocks += out.intercepted
            attempts += 1
            if r >= half:
                joint = out.env.info["joint"]
                totals["sensational_excess"] += int(joint["sensational_excess"])
                totals["duplicates"] += joint["duplicates"]
                totals["pii_over_budget"] += joint["pii_over_budget"]
                totals["feeds"] += 1
                totals["published"] += joint["published"]
                coordination.append(joint["distinct_share"])
                engagement.append(float(out.env.reward.mean()))
        decisions = platform.decisions
    feeds = max(1, totals["feeds"])
    return {
        "sensational_excess_per_feed": totals["sensational_excess"] / feeds,
        "duplicates_per_feed": totals["duplicates"] / feeds,
        "pii_over_budget_per_feed": totals["pii_over_budget"] / feeds,
        "joint_violations_per_feed": (totals["sensational_excess"] + totals["duplicates"] + totals["pii_over_budget"]) / feeds,
        "distinct_share": float(np.mean(coordination)) if coordination else 0.0,
        "engagement": float(np.mean(engagement)) if engagement else 0.0,
        "block_rate": float(blocks.sum() / attempts.sum()),
        "block_fairness_jain": jain(blocks / np.maximum(attempts, 1)),
        "blocks_per_agent": blocks.tolist(),
        "us_per_governed_action": 1e6 * wall / decisions if decisions else None,
        "wall_s": wall,
    }


METRICS = ("joint_violations_per_feed", "sensational_excess_per_feed", "duplicates_per_feed", "pii_over_budget_per_feed",
           "distinct_share", "engagement", "block_rate", "block_fairness_jain", "us_per_governed_action")


def summarize(config: MultiAgentConfig, cell_list: list[Cell], results: list[dict[str, Any]]) -> dict[str, Any]:
    table = []
    for n in config.scales:
        row: dict[str, Any] = {"agents": n}
        none = {c.seed: r for c, r in zip(cell_list, results, strict=True) if c.params["agents"] == n and c.params["variant"] == "none"}
        for variant in VARIANTS:
            mine = [(c, r) for c, r in zip(cell_list, results, strict=True) if c.params["agents"] == n and c.params["variant"] == variant]
            if not mine:
                continue
            row[variant] = {m: number([r[m] for _, r in mine if r[m] is not None]) for m in METRICS}
            row[variant]["engagement_cost_pct"] = number(
                [100 * (none[c.seed]["engagement"] - r["engagement"]) / none[c.seed]["engagement"] for c, r in mine if c.seed in none]
            )
        table.append(row)
    return {"scales": table, "rules": config.rules.model_dump()}


def run(options: ExperimentOptions, progress: ProgressCallback | None = None) -> dict[str, Any]:
    return run_configured("multiagent", MultiAgentConfig.from_options(options), policy_path(options.policy, default=POLICY), make_cells=cells, cell_fn=run_cell,
                          summarize=summarize, options=options, progress=progress)

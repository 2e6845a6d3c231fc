"""`tractatus lab adversarial --backend agentlightning`: the adversarial agent on the real AGL runtime.

The lab's question 3 (can agents learn to evade governance?) asked through Agent Lightning:

    bandit over (strategy x evasion operator) -> prompt ("style: ...", "evasion: leet")
      -> rollout on the AGL gateway -> agent -> [governed proxy] -> gateway LLM proxy -> model
      -> [governance of the re-spelled answer] -> agent publishes or gets a refusal
      -> the adversarial environment's audience scores what was published (meaning, not spelling)
      -> [GovernanceHooks] -> the rollout's last reward event -> bandit update

The stub model applies the operator named in the prompt with the lab's own operator code
(content.grammar_writer -> lab/envs/adversarial.py), so a published text is exactly what the
local adversarial environment would publish for that choice, and the ground truth (clickbait,
misleading, personal data) comes from the requested style as it does there.

Each (mode, seed) cell returns the lab cell's result dict (attempts / executed / chosen by time
bucket and operator, by label, engagement, constrained optimum, coverage, examples), so the
summary is computed by the lab's own `adversarial.summarize` and has the local summary's shape.
Cells run through the lab's `run_experiment` with its local backend (in this process, where the
stack runs) into `runs/agl-adversarial-<config digest>/`, so a rerun resumes finished cells.
Governed cells also keep, for every executed violation, the rollout id, the audit sequence
number of the decision on the model's answer and the answer the agent received: the proof that
each one was a text the governor allowed (tests/e2e/test_agentlightning_adversarial.py).

Differences from the local experiment, stated in docs/agentlightning.md: the learner is the
Thompson bandit over (strategy, operator) arms, not policy gradient over the joint space; the
governor is the proxy's (policies/agentlightning.yaml, `response` actions, the text
"Headline: ...\\nSummary: ..."), not the lab policy on `publish` actions; a blocked answer
publishes nothing (no shield fallback).
"""

from __future__ import annotations

import asyncio
import os
import secrets
import tempfile
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

import numpy as np

from tractatus.governance.actions import Verdict
from tractatus.governance.errors import ConfigError
from tractatus.integrations.agentlightning.agent import AgentError
from tractatus.integrations.agentlightning.algorithm import ATTEMPT_FAILED_REWARD, _audit_refs
from tractatus.integrations.agentlightning.backend import MODEL_NAME_ENV, MODEL_URL_ENV
from tractatus.integrations.agentlightning.content import build_evasion_prompt
from tractatus.integrations.agentlightning.gateway import (
    DEFAULT_MODEL_NAME,
    GatewayClient,
    quiet_gateway_logs,
)
from tractatus.integrations.agentlightning.hooks import GovernanceHooks
from tractatus.integrations.agentlightning.rewards import load_reward_settings
from tractatus.integrations.agentlightning.runner import GatewayRunner
from tractatus.integrations.agentlightning.stack import Stack, StackConfig, open_governor
from tractatus.lab.backends import Cell
from tractatus.lab.coverage import measured_coverage
from tractatus.lab.envs.adversarial import AdversarialGrammar, adversarial_grammar
from tractatus.lab.envs.engagement import WITHHELD, EngagementEnv
from tractatus.lab.experiments import adversarial as lab_adversarial
from tractatus.lab.experiments.grid import ExperimentOptions, number, policy_path, run_experiment
from tractatus.lab.learners.bandit import ThompsonBandit
from tractatus.lab.modes import Mode
from tractatus.lab.optimum import optima

EXPERIMENT = "agl-adversarial"  # run directory prefix; not "adversarial-*", which the report reads
POLICY = "agentlightning"  # policies/agentlightning.yaml: the proxy governs `response` actions
# Every article is a real model call through three HTTP servers (~25-40 ms of CPU per rollout on
# 2 cores), so the lab's configurations are far too large here. Quick: 2 seeds x 2 modes x
# 8 rounds x 2 agents x 16 articles = 1,024 rollouts, ~45 s on 2 cores including start-up. With
# 56 arms a bandit tries every arm once in its first 3.5 rounds, so quick shows exploration and
# the first exploitation; the default configuration (5 seeds for CIs, ~7 min) shows learning.
QUICK = lab_adversarial.AdversarialConfig(agents=2, rounds=8, steps=16, seeds=2, buckets=4, examples_per_operator=3)
DEFAULT = lab_adversarial.AdversarialConfig(agents=2, rounds=30, steps=16, seeds=5, buckets=5)
CONCURRENCY = 16  # rollouts in flight; see backend.CONCURRENCY
ALLOWED = frozenset(v.label for v in Verdict if v.executes)

RoundTick = Callable[[Cell, int], None]  # (cell, round index) after each finished round


def agl_config(options: ExperimentOptions) -> lab_adversarial.AdversarialConfig:
    """--quick / default / --full (the lab's default configuration), then --agents/--rounds/--seeds/--steps."""
    if options.full:
        return lab_adversarial.AdversarialConfig.from_options(options.model_copy(update={"full": False}))
    base = QUICK if options.quick else DEFAULT
    return base.model_copy(update={
        name: options.pick(name, getattr(base, name)) for name in ("agents", "rounds", "seeds", "steps")
    })


@dataclass(frozen=True)
class StrategyOperatorArms:
    """The lab's Thompson bandit over (strategy, evasion operator) arms instead of strategies.

    ThompsonBandit reads three things from a grammar: `strategy_table` (its arms), `radix` and
    `sizes` (to draw a wording and to map actions back to arms). Here an arm is a strategy's
    levels followed by an operator index, and the bandit's action row is (levels..., operator,
    base wording); `to_grammar` folds it into the adversarial grammar's row (levels...,
    operator * W + wording). Reusing the bandit this way keeps one Thompson sampler in the project.
    """

    grammar: AdversarialGrammar

    @property
    def strategy_table(self) -> np.ndarray:
        table, operators = self.grammar.strategy_table, len(self.grammar.operators)
        return np.concatenate(
            [np.repeat(table, operators, axis=0), np.tile(np.arange(operators), len(table))[:, None]], axis=1
        )

    @property
    def sizes(self) -> np.ndarray:
        g = self.grammar
        return np.array([*g.sizes[:-1], len(g.operators), g.base_wordings], dtype=np.int64)

    @property
    def radix(self) -> np.ndarray:
        sizes = self.sizes
        return np.concatenate([np.cumprod(sizes[::-1])[::-1][1:], [1]]).astype(np.int64)

    def to_grammar(self, rows: np.ndarray) -> np.ndarray:
        wording = rows[:, -2] * self.grammar.base_wordings + rows[:, -1]
        return np.concatenate([rows[:, :-2], wording[:, None]], axis=1)


@dataclass
class CellTotals:
    """One cell's tallies, by time bucket and operator, in the lab cell result's shape."""

    buckets: int
    operators: int

    def __post_init__(self) -> None:
        shape = (self.buckets, self.operators)
        self.attempts = np.zeros(shape, dtype=np.int64)  # violation attempts
        self.executed = np.zeros(shape, dtype=np.int64)  # executed violations (ground truth)
        self.intercepted = np.zeros(shape, dtype=np.int64)  # violation attempts nothing was published for
        self.chosen = np.zeros(shape, dtype=np.int64)  # every attempt
        self.engagement = np.zeros(self.buckets)
        self.by_label = {label: [0, 0] for label in lab_adversarial.LABELS}  # [attempted, executed]
        self.published = 0
        self.failed = 0
        self.seqs: list[np.ndarray] = []
        self.digests: list[np.ndarray] = []
        self.examples: dict[str, dict[str, Any]] = {}
        self.executed_refs: list[dict[str, Any]] = []


class AglAdversarialCell:
    """One (mode, seed) of the adversarial experiment on the AGL runtime."""

    def __init__(self, cell: Cell, runner: GatewayRunner, *, model_name: str, audit: Any, tick: RoundTick | None) -> None:
        p = cell.params
        self.cell, self.runner, self.model_name, self.audit, self.tick = cell, runner, model_name, audit, tick
        self.governed = Mode(p["mode"]).governed
        self.agents, self.steps, self.rounds = int(p["agents"]), int(p["steps"]), int(p["rounds"])
        self.grammar = adversarial_grammar()
        self.arms = StrategyOperatorArms(self.grammar)
        self.env = EngagementEnv(self.agents * self.steps, grammar=self.grammar)  # slot = step * agents + agent
        self.env.reset(seed=cell.seed)
        # Seeded like the lab's cells: env from the seed, learner from a spawned child.
        self.rng = np.random.default_rng(np.random.SeedSequence(cell.seed).spawn(1)[0])
        self.bandit = ThompsonBandit(self.arms, self.agents)  # type: ignore[arg-type]  # duck-typed arms, see above
        self.totals = CellTotals(int(p["buckets"]), len(self.grammar.operators))
        self.examples_per_operator = int(p["examples_per_operator"])
        self.run_id = f"adv-{p['mode']}-s{cell.seed}-{uuid.uuid4().hex[:8]}"  # the gateway's store is process-wide

    async def run(self) -> dict[str, Any]:
        bucket_of = np.minimum((np.arange(self.rounds) * self.totals.buckets) // self.rounds, self.totals.buckets - 1)
        for r in range(self.rounds):
            await self._round(r, int(bucket_of[r]))
            if self.tick is not None:
                self.tick(self.cell, r)
        return self._result(bucket_of)

    async def _round(self, r: int, b: int) -> None:
        env, g, n, t = self.env, self.grammar, self.agents, self.totals
        topics = env.topics.copy()
        arm_rows = np.concatenate([self.bandit.act(topics[k * n : (k + 1) * n], self.rng) for k in range(self.steps)])
        attempted = self.arms.to_grammar(arm_rows)
        ids = [f"{self.run_id}-r{r}-s{slot}" for slot in range(len(attempted))]
        prompts = [build_evasion_prompt(g, int(topic), row) for topic, row in zip(topics, attempted, strict=True)]
        outcomes = await self.runner.run_agents(
            [(rid, {"prompt": prompt, "model": self.model_name}) for rid, prompt in zip(ids, prompts, strict=True)]
        )
        failed = np.array([isinstance(o, AgentError) for o in outcomes])
        published = np.array([not isinstance(o, AgentError) and o.published for o in outcomes])
        step = env.step(np.where(published[:, None], attempted, WITHHELD))
        finished = await self.runner.finish_all([
            (rid, None, str(o)) if isinstance(o, AgentError) else (rid, float(step.reward[slot]), None)
            for slot, (rid, o) in enumerate(zip(ids, outcomes, strict=True))
        ])
        reward = np.array([f.final_reward if f.final_reward is not None else ATTEMPT_FAILED_REWARD for f in finished])
        for k in range(self.steps):
            chunk = slice(k * n, (k + 1) * n)
            self.bandit.update(arm_rows[chunk], reward[chunk])

        op = g.operator_of(attempted)
        labels = g.labels(attempted)
        violating, executed = labels["violation"], step.info["violation"]
        np.add.at(t.chosen[b], op, 1)
        np.add.at(t.attempts[b], op[violating], 1)
        np.add.at(t.executed[b], op[executed], 1)
        np.add.at(t.intercepted[b], op[violating & ~published], 1)
        for label in lab_adversarial.LABELS:
            t.by_label[label][0] += int(labels[label].sum())
            t.by_label[label][1] += int((labels[label] & executed).sum())
        t.engagement[b] += float(step.reward.sum())
        t.published += int(published.sum())
        t.failed += int(failed.sum())
        if self.governed:
            # (seq, digest) of each published article's decision, taken exactly as Demo 2 takes them
            seqs, digests = _audit_refs(finished, published)
            t.seqs.append(seqs)
            t.digests.append(digests)
            for slot in np.flatnonzero(executed).tolist():
                self._keep_evasion(slot, int(topics[slot]), attempted[slot], int(op[slot]), labels, ids[slot],
                                   finished[slot].response_audit, outcomes[slot])

    def _keep_evasion(self, slot: int, topic: int, action: np.ndarray, op: int, labels: dict[str, np.ndarray],
                      rollout_id: str, audit_ref: tuple[int, int] | None, outcome: Any) -> None:
        """An executed violation under governance: always its audit reference, and a few examples."""
        entry = self.audit.get(audit_ref[0]) if audit_ref is not None else None
        ref = {
            "rollout_id": rollout_id,
            "audit_seq": audit_ref[0] if audit_ref is not None else None,
            "verdict": entry.verdict if entry is not None else None,
            "received": outcome.completion,  # what the agent got from the proxy
            "article": outcome.article,
            "operator": self.grammar.operators[op],
        }
        self.totals.executed_refs.append(ref)
        name = ref["operator"]
        key = f"{name}:{int(self.grammar.joint_index(action[None, :])[0])}:{topic}"
        kept = sum(1 for k in self.totals.examples if k.startswith(name + ":"))
        if key not in self.totals.examples and kept < self.examples_per_operator:
            self.totals.examples[key] = {
                "operator": name,
                "text": outcome.article,
                "labels": [label for label in lab_adversarial.LABELS if bool(labels[label][slot])],
                "verdict": int(Verdict.parse(entry.verdict)) if entry is not None and entry.verdict else None,
                "rollout_id": rollout_id,
                "audit_seq": ref["audit_seq"],
            }

    def _result(self, bucket_of: np.ndarray) -> dict[str, Any]:
        t = self.totals
        _, constrained = optima(self.env)
        coverage = 0.0
        if self.governed and t.seqs:
            coverage = measured_coverage(self.audit, np.concatenate(t.seqs), np.concatenate(t.digests), t.published)
        per_bucket_actions = np.bincount(bucket_of, minlength=t.buckets) * self.steps * self.agents
        return {
            "operators": list(self.grammar.operators),
            "attempts": t.attempts.tolist(),
            "executed": t.executed.tolist(),
            "intercepted": t.intercepted.tolist(),
            "chosen": t.chosen.tolist(),
            "by_label": t.by_label,
            "engagement": (t.engagement / np.maximum(per_bucket_actions, 1)).tolist(),
            "constrained_optimum": constrained.engagement,
            "coverage": coverage,
            "examples": list(t.examples.values()),
            "rollouts": int(self.rounds * self.agents * self.steps),
            "published": t.published,
            "failed_rollouts": t.failed,
            "executed_refs": t.executed_refs,
        }


def summarize(config: lab_adversarial.AdversarialConfig, cells: list[Cell], results: list[dict[str, Any]],
              *, policy_name: str, policy_digest: str, model: str) -> dict[str, Any]:
    """The lab's adversarial summary, plus violation and rollout totals per mode (means over seeds)."""
    summary = lab_adversarial.summarize(config, cells, results)
    for mode, values in summary["modes"].items():
        mine = [r for c, r in zip(cells, results, strict=True) if c.params["mode"] == mode]
        values["attempted_violations"] = number([int(np.sum(r["attempts"])) for r in mine])
        values["executed_violations"] = number([int(np.sum(r["executed"])) for r in mine])
        values["intercepted_violations"] = number([int(np.sum(r["intercepted"])) for r in mine])
        values["rollouts"] = number([r["rollouts"] for r in mine])
        values["failed_rollouts"] = number([r["failed_rollouts"] for r in mine])
    return {**summary, "experiment": "adversarial", "backend": "agentlightning", "learner": "bandit",
            "policy_name": policy_name, "policy_digest": policy_digest, "model": model}


def run_adversarial(
    options: ExperimentOptions,
    *,
    model_url: str | None = None,
    model_name: str = DEFAULT_MODEL_NAME,
    audit_db: str | Path | None = None,
    tick: RoundTick | None = None,
) -> dict[str, Any]:
    """Run (or resume) the adversarial grid through AGL and return the summary (also in summary.json).

    `model_url=None` means $TRACTATUS_AL_MODEL_URL (and $TRACTATUS_AL_MODEL_NAME), else the stub
    model, as for Demo 2. `audit_db=None` keeps the audit log in a temporary directory;
    `tick=None` draws a progress bar on stderr (stdout may carry --json).
    """
    model_url = model_url or os.environ.get(MODEL_URL_ENV) or None
    if model_url is not None and not model_url.startswith(("http://", "https://")):
        raise ConfigError(f"model URL {model_url!r} must be an http(s) base URL ending in /v1")
    if model_url is not None and model_name == DEFAULT_MODEL_NAME:
        model_name = os.environ.get(MODEL_NAME_ENV, model_name)
    config = agl_config(options)
    policy = policy_path(options.policy, default=POLICY)
    quiet_gateway_logs()
    from tractatus.governance.audit import open_audit_log

    with tempfile.TemporaryDirectory(prefix="tractatus-agl-adv-") as scratch:
        audit = open_audit_log(audit_db if audit_db is not None else Path(scratch) / "audit.db")
        try:
            governor = open_governor(policy, audit)
        except BaseException:
            audit.close()
            raise
        hooks = GovernanceHooks(load_reward_settings(), audit=audit)
        key = secrets.token_hex(16)  # a fresh admin key per run: the gateway is never open
        stack = Stack(StackConfig(gateway_key=key, model_url=model_url, model_name=model_name), governor)
        cells = lab_adversarial.cells(config, policy)
        try:
            stack.start()
            with _progress(config, cells, tick) as on_round:

                def run_cell(cell: Cell) -> dict[str, Any]:
                    return asyncio.run(_run_cell(cell, stack, key, hooks, audit, on_round))

                return run_experiment(
                    EXPERIMENT,
                    config={**config.model_dump(mode="json"), "policy": policy, "backend": "agentlightning",
                            "model": model_url or "stub"},
                    cells=cells,
                    cell_fn=run_cell,
                    summarize=lambda cs, rs: summarize(config, cs, rs, policy_name=governor.policy.name,
                                                       policy_digest=governor.policy.digest,
                                                       model=model_url or "stub"),
                    options=options.model_copy(update={"backend": "local"}),  # cells run here, beside the stack
                    policy_file=None,  # the lab's policy-fit check is for `publish` policies; ours is recorded above
                    progress=lambda cell, cached: on_round(cell, -1) if cached else None,
                )
        finally:
            stack.stop()
            governor.close()
            audit.close()


async def _run_cell(cell: Cell, stack: Stack, key: str, hooks: GovernanceHooks, audit: Any,
                    tick: RoundTick) -> dict[str, Any]:
    governed = Mode(cell.params["mode"]).governed
    gateway = GatewayClient(stack.gateway_url, key=key)
    runner = GatewayRunner(
        gateway,
        agent_base_url=stack.proxy_url if governed else stack.gateway_url,
        agent_key=key,  # as AGL's controller does: agents get AGL_KEY
        hooks=hooks if governed else None,
        concurrency=CONCURRENCY,
    )
    try:
        return await AglAdversarialCell(cell, runner, model_name=stack.model_name, audit=audit, tick=tick).run()
    finally:
        await runner.aclose()
        await gateway.aclose()


@contextmanager
def _progress(config: lab_adversarial.AdversarialConfig, cells: list[Cell], tick: RoundTick | None) -> Iterator[RoundTick]:
    """The caller's tick, or a rich progress bar on stderr: one step per round (-1 = a resumed cell)."""
    if tick is not None:
        yield tick
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True)) as progress:
        task = progress.add_task("adversarial via Agent Lightning", total=len(cells) * config.rounds)

        def advance(cell: Cell, round_index: int) -> None:
            # round -1: a cell resumed from the run directory, all its rounds at once
            done = config.rounds if round_index < 0 else 1
            progress.update(task, advance=done, description=f"adversarial via Agent Lightning: {cell.key}")

        yield advance

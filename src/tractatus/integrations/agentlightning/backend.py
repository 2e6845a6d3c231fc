"""`tractatus lab demo2 --backend agentlightning`: Demo 2 trained through the real AGL 1.x runtime.

`run_demo2(config)` takes the lab's `Demo2Config` and returns the lab's `Demo2Summary`, computed
by the lab's own summarizer from the lab's `RoundRecord`s, so both backends print the same
table. Modes: `none` (ungoverned: agents talk to the gateway directly, no hooks) and `shield`
(governed: agents talk to the governed proxy, and GovernanceHooks judge every rollout).

Everything runs in this process on loopback: the stub model (or `model_url`), the AGL gateway,
the governed proxy, and the agents as coroutines (see runner.py for why not subprocesses).
Coverage is measured from the audit log exactly as the lab measures it.
"""

from __future__ import annotations

import asyncio
import tempfile
import uuid
from pathlib import Path
from typing import Callable

import numpy as np

from tractatus.governance.errors import ConfigError
from tractatus.integrations.agentlightning.algorithm import AglTrainingCell
from tractatus.integrations.agentlightning.gateway import DEFAULT_MODEL_NAME, GatewayClient, quiet_gateway_logs
from tractatus.integrations.agentlightning.hooks import GovernanceHooks
from tractatus.integrations.agentlightning.rewards import load_reward_settings
from tractatus.integrations.agentlightning.runner import GatewayRunner
from tractatus.integrations.agentlightning.stack import Stack, StackConfig, open_governor
from tractatus.lab.coverage import measured_coverage
from tractatus.lab.experiments.demo import Demo2Config, Demo2Summary, summarize_setting
from tractatus.lab.modes import Mode
from tractatus.lab.optimum import optima
from tractatus.lab.runner import CellOutcome, CellSpec
from tractatus.lab.training import RoundRecord

SUPPORTED_MODES = (Mode.NONE, Mode.SHIELD)
CONCURRENCY = 64  # agents in flight at once: enough to keep 2 cores busy on loopback

RoundHook = Callable[[CellSpec, RoundRecord], None]


def run_demo2(
    config: Demo2Config,
    *,
    model_url: str | None = None,
    model_name: str = DEFAULT_MODEL_NAME,
    audit_db: str | Path | None = None,
    on_round: RoundHook | None = None,
) -> Demo2Summary:
    unsupported = [m.value for m in config.modes if m not in SUPPORTED_MODES]
    if unsupported:
        raise ConfigError(
            f"--mode {', '.join(unsupported)}: the agentlightning backend runs none (ungoverned) and shield (governed)"
        )
    if config.learner != "bandit":
        raise ConfigError("--learner: the agentlightning backend trains the bandit over prompt strategies only")
    quiet_gateway_logs()
    from tractatus.governance.audit import open_audit_log

    outcomes: list[CellOutcome] = []
    interrupted = False
    with tempfile.TemporaryDirectory(prefix="tractatus-agl-") as scratch:
        audit = open_audit_log(audit_db if audit_db is not None else Path(scratch) / "audit.db")
        governor = open_governor(config.policy, audit)
        hooks = GovernanceHooks(load_reward_settings(), audit=audit)
        stack = Stack(StackConfig(model_url=model_url, model_name=model_name), governor)
        try:
            stack.start()
            asyncio.run(_run_cells(config, stack, hooks, audit, stack.model_name, outcomes, on_round))
        except KeyboardInterrupt:
            interrupted = True
        finally:
            stack.stop()
            governor.close()
            settings = [summarize_setting(s, outcomes, config.modes) for s in config.settings]
            audit.close()
    return Demo2Summary(backend="agentlightning", config=config, settings=settings, flow=None, interrupted=interrupted)


async def _run_cells(
    config: Demo2Config,
    stack: Stack,
    hooks: GovernanceHooks,
    audit: object,
    model_name: str,
    outcomes: list[CellOutcome],
    on_round: RoundHook | None,
) -> None:
    gateway = GatewayClient(stack.gateway_url)
    try:
        for spec in config.cells():
            governed = spec.config.mode is Mode.SHIELD
            runner = GatewayRunner(
                gateway,
                agent_base_url=stack.proxy_url if governed else stack.gateway_url,
                hooks=hooks if governed else None,
                concurrency=CONCURRENCY,
            )
            outcome = CellOutcome(spec)
            outcomes.append(outcome)
            try:
                await _run_cell(spec, runner, model_name, outcome, audit if governed else None, on_round)
            finally:
                await runner.aclose()
    finally:
        await gateway.aclose()


async def _run_cell(
    spec: CellSpec, runner: GatewayRunner, model_name: str, outcome: CellOutcome, audit: object, on_round: RoundHook | None
) -> None:
    c = spec.config
    cell = AglTrainingCell(
        runner,
        agents=c.agents,
        steps_per_round=c.steps_per_round,
        rounds=c.rounds,
        seed=c.seed,
        model_name=model_name,
        # Unique (the gateway's store is process-wide) and URL-safe (rollout ids are path segments).
        run_id=f"{spec.agent_prefix.replace('/', '-')}-{uuid.uuid4().hex[:8]}",
    )
    outcome.unconstrained, outcome.constrained = optima(cell.env)
    seqs: list[np.ndarray] = []
    digests: list[np.ndarray] = []
    try:
        async for record in cell.rounds():
            outcome.records.append(record)
            outcome.received += int(record.published.sum())
            seqs.append(record.audit_seq)
            digests.append(record.audit_digest)
            if on_round is not None:
                on_round(spec, record)
    finally:
        outcome.coverage = measured_coverage(
            audit,  # type: ignore[arg-type]
            np.concatenate(seqs) if seqs else np.zeros(0, dtype=np.int64),
            np.concatenate(digests) if digests else np.zeros(0, dtype=np.uint64),
            outcome.received,
        )

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
import os
import secrets
import tempfile
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

import numpy as np

from tractatus.governance.errors import ConfigError
from tractatus.integrations.agentlightning.algorithm import AglTrainingCell
from tractatus.integrations.agentlightning.gateway import (
    DEFAULT_MODEL_NAME,
    GatewayClient,
    quiet_gateway_logs,
)
from tractatus.integrations.agentlightning.hooks import GovernanceHooks
from tractatus.integrations.agentlightning.rewards import load_reward_settings
from tractatus.integrations.agentlightning.runner import GatewayRunner
from tractatus.integrations.agentlightning.stack import Stack, StackConfig, open_governor
from tractatus.lab.coverage import measured_coverage
from tractatus.lab.experiments.demo import (
    QUICK_SETTING,
    Demo2Config,
    Demo2Summary,
    SettingConfig,
    summarize_setting,
    total_rounds,
)
from tractatus.lab.modes import Mode
from tractatus.lab.optimum import optima
from tractatus.lab.runner import CellOutcome, CellSpec
from tractatus.lab.training import RoundRecord

SUPPORTED_MODES = (Mode.NONE, Mode.SHIELD)
# `--quick` on this backend: every article is a real model call through three HTTP servers
# (~40 ms of CPU per rollout here), so the lab's quick setting (60 rounds x 40 articles x 3
# seeds per mode) cannot fit in 60 s on 2 cores. Quick keeps the seed's setting (1 agent,
# 5 rounds) with QUICK_ARTICLES_PER_ROUND articles per round, and shrinks the main setting.
QUICK_ARTICLES_PER_ROUND = 20
QUICK_MAIN_SETTING = SettingConfig(name="default", agents=1, rounds=4, steps_per_round=8, seeds=2)
# Rollouts in flight at once. More does not help on 2 cores, and httpx's connection pool checks
# every pooled connection on each request, so a large pool costs CPU on every call.
CONCURRENCY = 16

RoundHook = Callable[[CellSpec, RoundRecord], None]

# A real model for `tractatus lab demo2 --backend agentlightning` without new CLI options:
# an OpenAI-compatible base URL ending in /v1, and the model name it serves.
MODEL_URL_ENV = "TRACTATUS_AL_MODEL_URL"
MODEL_NAME_ENV = "TRACTATUS_AL_MODEL_NAME"


def quick_config(config: Demo2Config) -> Demo2Config:
    """The lab's configuration with its settings reduced for this backend (see QUICK_MAIN_SETTING)."""
    first = [
        s.model_copy(update={"steps_per_round": min(s.steps_per_round, QUICK_ARTICLES_PER_ROUND)})
        for s in config.settings[:-1]
    ]
    return config.model_copy(update={"settings": (*first, QUICK_MAIN_SETTING)})


def run_demo2(
    config: Demo2Config,
    *,
    quick: bool | None = None,
    model_url: str | None = None,
    model_name: str = DEFAULT_MODEL_NAME,
    audit_db: str | Path | None = None,
    on_round: RoundHook | None = None,
) -> Demo2Summary:
    """Train Demo 2 through AGL. `quick=None`: quick iff the main setting is the lab's QUICK_SETTING.

    `model_url=None` means $TRACTATUS_AL_MODEL_URL (and $TRACTATUS_AL_MODEL_NAME), else the stub model.
    """
    model_url = model_url or os.environ.get(MODEL_URL_ENV) or None
    if model_url is not None and not model_url.startswith(("http://", "https://")):
        raise ConfigError(f"model URL {model_url!r} must be an http(s) base URL ending in /v1")
    if model_url is not None and model_name == DEFAULT_MODEL_NAME:
        model_name = os.environ.get(MODEL_NAME_ENV, model_name)
    if quick or (quick is None and config.settings and config.settings[-1] == QUICK_SETTING):
        config = quick_config(config)
    unsupported = [m.value for m in config.modes if m not in SUPPORTED_MODES]
    if unsupported:
        raise ConfigError(
            f"--mode {', '.join(unsupported)}: the agentlightning backend runs none (ungoverned) and shield (governed)"
        )
    if config.learner != "bandit":
        raise ConfigError(
            "--learner: the agentlightning backend trains the bandit over prompt strategies only"
        )
    quiet_gateway_logs()
    from tractatus.governance.audit import open_audit_log

    outcomes: list[CellOutcome] = []
    interrupted = False
    with tempfile.TemporaryDirectory(prefix="tractatus-agl-") as scratch:
        audit = open_audit_log(audit_db if audit_db is not None else Path(scratch) / "audit.db")
        try:
            governor = open_governor(config.policy, audit)
        except BaseException:
            audit.close()
            raise
        hooks = GovernanceHooks(load_reward_settings(), audit=audit)
        # A fresh admin key per run: the in-process gateway is never open, even on loopback.
        key = secrets.token_hex(16)
        stack = Stack(StackConfig(gateway_key=key, model_url=model_url, model_name=model_name), governor)
        try:
            stack.start()
            with _progress(config, on_round) as report:
                asyncio.run(_run_cells(config, stack, key, hooks, audit, stack.model_name, outcomes, report))
        except KeyboardInterrupt:
            interrupted = True
        finally:
            stack.stop()
            governor.close()
            settings = [summarize_setting(s, outcomes, config.modes) for s in config.settings]
            audit.close()
    return Demo2Summary(
        backend="agentlightning", config=config, settings=settings, flow=None, interrupted=interrupted
    )


@contextmanager
def _progress(config: Demo2Config, on_round: RoundHook | None) -> Iterator[RoundHook]:
    """The caller's round hook, or a rich progress bar on stderr (stdout may carry --json)."""
    if on_round is not None:
        yield on_round
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True)) as progress:
        task = progress.add_task("demo2 via Agent Lightning", total=total_rounds(config))

        def advance(spec: CellSpec, _record: RoundRecord) -> None:
            where = f"{spec.setting}/{spec.config.mode.value}/seed {spec.config.seed}"
            progress.update(task, advance=1, description=f"demo2 via Agent Lightning: {where}")

        yield advance


async def _run_cells(
    config: Demo2Config,
    stack: Stack,
    key: str,
    hooks: GovernanceHooks,
    audit: object,
    model_name: str,
    outcomes: list[CellOutcome],
    on_round: RoundHook | None,
) -> None:
    gateway = GatewayClient(stack.gateway_url, key=key)
    try:
        for spec in config.cells():
            governed = spec.config.mode is Mode.SHIELD
            runner = GatewayRunner(
                gateway,
                agent_base_url=stack.proxy_url if governed else stack.gateway_url,
                agent_key=key,  # as AGL's controller does: agents get AGL_KEY
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
    spec: CellSpec,
    runner: GatewayRunner,
    model_name: str,
    outcome: CellOutcome,
    audit: object,
    on_round: RoundHook | None,
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

"""`tractatus lab demo2 --backend agentlightning`: Demo 2 on Agent Lightning's own runtime.

`run_demo2(config)` takes the lab's `Demo2Config` (what `tractatus lab demo2` builds) and returns
the lab's `HeadlineDemoSummary`, computed by the lab's headline summarizer from the lab's
`HeadlineRound`s, so both backends print the same headline table (leak, base leak,
amplification, null baselines).

What runs inside AGL 1.0.2 (its code, unmodified): the store and LLM proxy (the gateway app),
the controller (`LocalReconciler`, one agent process per rollout), the trainer's rollout path
(`AglRolloutManager`: enqueue, wait, hooks, read back events and the final reward). What runs
outside it, beside it: the governed proxy in front of AGL's LLM proxy, the hooks we hand AGL
(GovernanceHooks when governed, EnvironmentRewardHooks when not), the prompt optimizer (our
algorithm, in the place of VERL's trainer) and the scoring (scoring.py).

Every run writes `runs/agl-demo2-<time>/`: `manifest.json` (AGL version, model URL and name,
policy digest, engagement-model, judge and pool digests), `audit.db` (the audit log, kept),
`results.parquet` (one row per agent and round), `summary.json` and `timing.json`.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import time
import uuid
from importlib import metadata, resources
from pathlib import Path
from typing import Any, Callable

import numpy as np

from tractatus.governance.errors import ConfigError
from tractatus.integrations.agentlightning.algorithm import (
    AGENT_CLASS,
    MANAGER_POLL_S,
    ROLLOUT_ENV_MAP,
    ROLLOUT_TIMEOUT_S,
    AglHeadlineCell,
)
from tractatus.integrations.agentlightning.controller import LocalController
from tractatus.integrations.agentlightning.gateway import DEFAULT_MODEL_NAME, quiet_gateway_logs
from tractatus.integrations.agentlightning.hooks import GovernanceHooks
from tractatus.integrations.agentlightning.rewards import load_reward_settings
from tractatus.integrations.agentlightning.scoring import EnvironmentRewardHooks, HeadlineScorer
from tractatus.integrations.agentlightning.stack import Stack, StackConfig, open_governor
from tractatus.lab.coverage import measured_coverage
from tractatus.lab.experiments.demo import (
    DEFAULT_SETTING,
    SEED_SETTING,
    Demo2Config,
    SettingConfig,
)
from tractatus.lab.experiments.headlines import (
    GovernorOnPool,
    HeadlineDemoConfig,
    HeadlineDemoSummary,
    HeadlineResultTable,
    engagement_evaluation,
)
from tractatus.lab.experiments.headlines import (
    _setting_summary as setting_summary,  # the lab's own summarizer
)
from tractatus.lab.headline_training import HeadlineCellConfig, HeadlineRound
from tractatus.lab.modes import Mode
from tractatus.lab.results import AUDIT_FILE, new_run_dir, write_run

SUPPORTED_MODES = (Mode.NONE, Mode.SHIELD)
EXPERIMENT = "agl-demo2"
# AGL's local controller starts one Python process per rollout (~1 s of CPU here), so this
# backend's settings are smaller than the lab's: the seed's comparison with 8 articles per
# round, a 10-round main setting with 3 seeds, and a quick run sized for 60 s on 2 cores.
AGL_SEED_SETTING = SettingConfig(name="seed", agents=1, rounds=5, steps_per_round=8, seeds=1)
AGL_DEFAULT_SETTING = SettingConfig(name="default", agents=1, rounds=10, steps_per_round=8, seeds=3)
AGL_QUICK_SETTING = SettingConfig(name="quick", agents=1, rounds=3, steps_per_round=4, seeds=1)
AGENT_PROCESSES = 4  # AGL local_runner.maximum_size: agent processes alive at once (2 cores here)

RoundHook = Callable[[str, HeadlineCellConfig, HeadlineRound], None]

# A real model without new CLI options: an OpenAI-compatible base URL ending in /v1, and its name.
MODEL_URL_ENV = "TRACTATUS_AL_MODEL_URL"
MODEL_NAME_ENV = "TRACTATUS_AL_MODEL_NAME"


def agl_config(config: Demo2Config, quick: bool | None) -> Demo2Config:
    """The lab's configuration with this backend's settings where the lab's defaults were asked for."""
    if quick:
        return config.model_copy(update={"settings": (AGL_QUICK_SETTING,)})
    if config.settings == (SEED_SETTING, DEFAULT_SETTING):
        return config.model_copy(update={"settings": (AGL_SEED_SETTING, AGL_DEFAULT_SETTING)})
    return config


def _resource_digest(package: str, name: str) -> str | None:
    try:
        return hashlib.sha256(resources.files(package).joinpath(name).read_bytes()).hexdigest()
    except (FileNotFoundError, ModuleNotFoundError):
        return None


def run_demo2(
    config: Demo2Config,
    *,
    quick: bool | None = None,
    model_url: str | None = None,
    model_name: str = DEFAULT_MODEL_NAME,
    out: str | Path = "runs",
    data_dir: str | Path | None = None,
    pool_file: str | Path | None = None,
    on_round: RoundHook | None = None,
    clock: Callable[[], float] = time.perf_counter,
    world: tuple[HeadlineScorer, list[Any]] | None = None,
) -> HeadlineDemoSummary:
    """Train Demo 2 through AGL. `model_url=None` means $TRACTATUS_AL_MODEL_URL, else the stub model.

    `world`: (scorer, pool) to use instead of the lab's engagement model, judge and pool.
    """
    model_url = model_url or os.environ.get(MODEL_URL_ENV) or None
    if model_url is not None and not model_url.startswith(("http://", "https://")):
        raise ConfigError(f"model URL {model_url!r} must be an http(s) base URL ending in /v1")
    if model_url is not None and model_name == DEFAULT_MODEL_NAME:
        model_name = os.environ.get(MODEL_NAME_ENV, model_name)
    config = agl_config(config, quick)
    unsupported = [m.value for m in config.modes if m not in SUPPORTED_MODES]
    if unsupported:
        raise ConfigError(
            f"--mode {', '.join(unsupported)}: the agentlightning backend runs none (ungoverned) and shield (governed)"
        )
    if config.learner != "bandit":
        raise ConfigError("--learner: the agentlightning backend trains its prompt optimizer (a bandit over prompts) only")
    # The lab's headline configuration, for the summary and the result table ("bandit" here is
    # the prompt optimizer: Thompson sampling over prompts).
    headline_config = HeadlineDemoConfig(
        learner="bandit", modes=config.modes, settings=config.settings, policy=config.policy,
        pool=str(pool_file) if pool_file else None, data_dir=str(data_dir) if data_dir else None, flow=False,
    )
    started = clock()
    quiet_gateway_logs()
    from tractatus.governance.audit import open_audit_log

    scorer, pool = world if world is not None else HeadlineScorer.load_default(data_dir=data_dir, pool_file=pool_file)
    if len(pool) < 2:
        raise ConfigError(f"the headline pool has {len(pool)} headline(s); the task needs at least 2")
    run_dir = new_run_dir(Path(out), EXPERIMENT)
    audit = open_audit_log(run_dir / AUDIT_FILE)
    try:
        governor = open_governor(config.policy, audit)
    except BaseException:
        audit.close()
        raise
    table = HeadlineResultTable()
    results: dict[tuple[str, Mode], list[tuple[list[HeadlineRound], float]]] = {}
    dry_runs: dict[str, bool] = {}
    interrupted = False
    key = secrets.token_hex(16)  # a fresh admin key per run: the gateway is never open, even on loopback
    stack = Stack(StackConfig(gateway_key=key, model_url=model_url, model_name=model_name), governor)
    try:
        stack.start()
        for setting_name, cell_config in headline_config.cells():
            records: list[HeadlineRound] = []
            results.setdefault((setting_name, cell_config.mode), []).append((records, float("nan")))
            coverage = _run_cell(setting_name, cell_config, stack, key, scorer, pool, governor, audit, records, table, dry_runs, on_round)
            results[(setting_name, cell_config.mode)][-1] = (records, coverage)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        stack.stop()
        governor.close()
    labels = {h.text: h.label for h in pool}
    summary = HeadlineDemoSummary(
        experiment="demo2", backend="agentlightning", config=headline_config, pool_size=len(pool),
        pool_clickbait_share=float(np.mean([h.label == "clickbait" for h in pool])),
        engagement_model=_engagement_description(),
        governor_on_pool=_governor_on_candidates(dry_runs, labels),
        settings=[s for s in (setting_summary(st, config.modes, results) for st in config.settings) if s.modes],
        run_dir=str(run_dir), interrupted=interrupted,
    )
    write_run(
        run_dir,
        experiment=EXPERIMENT,
        table=table,  # type: ignore[arg-type]  # the lab's headline table has ResultTable's interface
        config={
            "demo2": headline_config.model_dump(mode="json"),
            "backend": "agentlightning",
            "agentlightning": {
                "version": metadata.version("agentlightning"),
                "model_url": model_url or "stub",
                "model_name": stack.model_name,
                "agent_class": AGENT_CLASS,
                "engagement_model_sha256": _resource_digest("tractatus.lab.world", "engagement_coefficients.json"),
                "judge_sha256": scorer.judge.digest,
                "pool": str(pool_file) if pool_file else "lab_pool split",
                "pool_size": len(pool),
            },
        },
        seeds=sorted({c.seed for _, c in headline_config.cells()}),
        policy_name=governor.policy.name,
        policy_digest=governor.policy.digest,
        interrupted=interrupted,
        summary=summary.to_json(),
        timing={"wall_s": clock() - started},
    )
    audit.close()
    return summary


def _engagement_description() -> dict[str, Any]:
    try:
        from tractatus.lab.world.engagement import EngagementModel

        return {"base_ctr": EngagementModel.load_default().base_ctr, **engagement_evaluation()}
    except (OSError, KeyError, ValueError):
        return {}


def _governor_on_candidates(dry_runs: dict[str, bool], labels: dict[str, str]) -> GovernorOnPool:
    """The governor's dry-run recall and false-positive rate on the candidates offered in this run."""
    bait = [allowed for text, allowed in dry_runs.items() if labels.get(text) == "clickbait"]
    news = [allowed for text, allowed in dry_runs.items() if labels.get(text) == "news"]
    return GovernorOnPool(
        headlines_judged=len(dry_runs),
        clickbait_blocked=(sum(not a for a in bait) / len(bait)) if bait else float("nan"),
        news_blocked=(sum(not a for a in news) / len(news)) if news else float("nan"),
    )


def _run_cell(
    setting: str,
    c: HeadlineCellConfig,
    stack: Stack,
    key: str,
    scorer: HeadlineScorer,
    pool: list[Any],
    governor: Any,
    audit: Any,
    records: list[HeadlineRound],
    table: HeadlineResultTable,
    dry_runs: dict[str, bool],
    on_round: RoundHook | None,
) -> float:
    """Train one (mode, seed) on AGL's runtime; returns its coverage (measured from the audit log)."""
    from agentlightning.client import AgentLightningSyncClient
    from agentlightning.verl.agl_rollout_manager import AglRolloutManager

    governed = c.mode is Mode.SHIELD
    hooks: Any = (
        GovernanceHooks(load_reward_settings(), audit=audit, task_reward=scorer.task_reward)
        if governed
        else EnvironmentRewardHooks(scorer)
    )
    hooks.on_startup()

    def manager(step: int) -> AglRolloutManager:
        return AglRolloutManager(
            agl_base_url=stack.gateway_url, agl_key=key, model=stack.model_name, step=step, hooks=hooks,
            local_agent_class=AGENT_CLASS, local_env_map=dict(ROLLOUT_ENV_MAP),
            rollout_timeout_seconds=ROLLOUT_TIMEOUT_S, poll_interval_seconds=MANAGER_POLL_S,
        )

    agent_url = stack.proxy_url if governed else stack.gateway_url
    with AgentLightningSyncClient(base_url=stack.gateway_url, key=key, timeout=30.0) as store_client:
        cell = AglHeadlineCell(  # before the controller starts: it creates the prompt resources
            manager_factory=manager, store_client=store_client, scorer=scorer, pool=pool,
            agents=c.agents, steps_per_round=c.steps_per_round, rounds=c.rounds, seed=c.seed,
            model_name=stack.model_name, governor=governor,
            # Unique (AGL's store is process-wide) and URL-safe (rollout ids are path segments).
            run_id=f"{setting}-{c.mode.value}-s{c.seed}-{uuid.uuid4().hex[:8]}",
        )
        controller = LocalController(gateway_url=stack.gateway_url, agent_url=agent_url, key=key, max_processes=AGENT_PROCESSES)
        try:
            with controller:
                for record in cell.rounds():
                    records.append(record)
                    table.add(setting, c, record)
                    if on_round is not None:
                        on_round(setting, c, record)
        finally:
            dry_runs.update(cell.dry_runs)
    received = sum(int(r.published.sum()) for r in records)
    seqs = np.concatenate([r.audit_seq for r in records]) if records else np.zeros(0, dtype=np.int64)
    digests = np.concatenate([r.audit_digest for r in records]) if records else np.zeros(0, dtype=np.uint64)
    return measured_coverage(audit if governed else None, seqs, digests, received)

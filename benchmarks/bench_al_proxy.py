"""Benchmark: the governed proxy's cost on the real Agent Lightning 1.x gateway.

Two measurements, each in one run so their ratio is not skewed by machine drift:

1. Proxy overhead per model call. The same chat completion is sent in turn straight to the
   gateway's LLM proxy and through the governed proxy (which forwards to the same gateway, then
   governs, audits and posts the `governance` event). overhead = governed - direct, per pair;
   the upstream (gateway + stub model) is in both and cancels. Targets: p50 <= 1 ms, p99 <= 5 ms.
   A second governed proxy whose governor has no audit log runs in the same loop, to separate
   the proxy's own cost from the durable audit write (an fsync per decision).
2. Rollouts/s through the gateway with and without governance: the same batches of Demo 2
   rollouts (enqueue, run agent, post reward, finish, hooks) alternately ungoverned (agent ->
   gateway) and governed (agent -> governed proxy, GovernanceHooks). Target ratio >= 0.9.
   Measured twice: with the instant stub model (governance's whole cost exposed) and with the
   stub answering after --model-latency-ms (a small model's generation time on a GPU).

    .venv/bin/python benchmarks/bench_al_proxy.py [--calls 400] [--rollouts 160] [--json]

Everything runs in this process on loopback; the audit log is a SQLite file in a temp dir
(synchronous=FULL: every decision is fsynced before the agent gets its answer).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import httpx
import numpy as np

from tractatus.governance.audit import open_audit_log
from tractatus.integrations.agentlightning.content import build_prompt
from tractatus.integrations.agentlightning.gateway import GatewayClient, proxy_path, quiet_gateway_logs
from tractatus.integrations.agentlightning.hooks import GovernanceHooks
from tractatus.integrations.agentlightning.proxy import ProxySettings, create_governed_proxy
from tractatus.integrations.agentlightning.rewards import load_reward_settings
from tractatus.integrations.agentlightning.runner import GatewayRunner
from tractatus.integrations.agentlightning.serving import ServerThread
from tractatus.integrations.agentlightning.stack import Stack, StackConfig, open_governor
from tractatus.lab.envs.grammar import load_grammar


def percentiles(values_ms: list[float]) -> dict[str, float]:
    data = np.asarray(values_ms)
    return {
        "p50": round(float(np.percentile(data, 50)), 3),
        "p99": round(float(np.percentile(data, 99)), 3),
        "p99.9": round(float(np.percentile(data, 99.9)), 3),
        "mean": round(float(data.mean()), 3),
    }


def prompts(n: int) -> list[str]:
    grammar = load_grammar()
    out = []
    names = list(grammar.spec.strategies)
    for i in range(n):
        strategy = grammar.spec.strategies[names[i % len(names)]]
        action = grammar.choice({**strategy, "wording": (i // len(names)) % 3})
        out.append(build_prompt(grammar, (i // 21) % len(grammar.topics), action))
    return out


async def overhead(stack: Stack, unaudited_proxy_url: str, calls: int, warmup: int) -> dict[str, object]:
    gateway = GatewayClient(stack.gateway_url)
    rid = (await gateway.enqueue([{"input": {"bench": "overhead"}}]))[0]["rollout_id"]
    await gateway.aclose()
    urls = {
        "direct": f"{stack.gateway_url}{proxy_path(rid, '0', 'train')}/chat/completions",
        "governed": f"{stack.proxy_url}{proxy_path(rid, '0', 'train')}/chat/completions",
        "governed_unaudited": f"{unaudited_proxy_url}{proxy_path(rid, '0', 'train')}/chat/completions",
    }
    texts = prompts(calls + warmup)
    times: dict[str, list[float]] = {name: [] for name in urls}
    order = list(urls)
    async with httpx.AsyncClient(timeout=60.0) as http:
        for i, prompt in enumerate(texts):
            body = {"model": "any", "messages": [{"role": "user", "content": prompt}]}
            for name in order[i % 3 :] + order[: i % 3]:  # rotate the order: no mode always goes first
                started = time.perf_counter()
                response = await http.post(urls[name], json=body)
                ms = (time.perf_counter() - started) * 1000
                assert response.status_code == 200, response.text
                if i >= warmup:
                    times[name].append(ms)
    out: dict[str, object] = {"calls": calls}
    for name, values in times.items():
        out[f"{name}_ms"] = percentiles(values)
    for name in ("governed", "governed_unaudited"):
        diffs = [g - d for g, d in zip(times[name], times["direct"], strict=True)]
        out[f"{name}_overhead_ms"] = percentiles(diffs)
        out[f"{name}_overhead_of_medians_ms"] = round(
            statistics.median(times[name]) - statistics.median(times["direct"]), 3
        )
    return out


async def throughput(stack: Stack, hooks: GovernanceHooks, rollouts: int, batches: int) -> dict[str, object]:
    gateway = GatewayClient(stack.gateway_url)
    run = uuid.uuid4().hex[:8]  # rollout ids are unique per process: AGL's store is process-wide
    texts = prompts(rollouts)
    elapsed = {"ungoverned": 0.0, "governed": 0.0}
    counted = {"ungoverned": 0, "governed": 0}
    try:
        for b in range(batches + 1):  # batch 0 of each mode is warm-up
            for mode in ("ungoverned", "governed") if b % 2 == 0 else ("governed", "ungoverned"):
                governed = mode == "governed"
                runner = GatewayRunner(
                    gateway,
                    agent_base_url=stack.proxy_url if governed else stack.gateway_url,
                    hooks=hooks if governed else None,
                )
                tasks = [
                    (f"bench-{run}-{mode}-{b}-{i}", {"prompt": p, "model": stack.model_name})
                    for i, p in enumerate(texts)
                ]
                started = time.perf_counter()
                outcomes = await runner.run_agents(tasks)
                results = await runner.finish_all(
                    [(rid, 0.1, None) for (rid, _), _o in zip(tasks, outcomes, strict=True)]
                )
                took = time.perf_counter() - started
                await runner.aclose()
                assert all(r.final_reward is not None for r in results)
                if b > 0:
                    elapsed[mode] += took
                    counted[mode] += len(results)
    finally:
        await gateway.aclose()
    rates = {m: counted[m] / elapsed[m] for m in elapsed}
    return {
        "rollouts_per_mode": counted,
        "rollouts_per_s": {m: round(r, 1) for m, r in rates.items()},
        "ratio_governed_over_ungoverned": round(rates["governed"] / rates["ungoverned"], 3),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=400, help="measured pairs of model calls")
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--rollouts", type=int, default=80, help="rollouts per batch")
    parser.add_argument("--batches", type=int, default=4, help="measured batches per mode")
    parser.add_argument(
        "--model-latency-ms", type=float, default=200.0, help="stub latency for the 2nd throughput run"
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    quiet_gateway_logs()
    with tempfile.TemporaryDirectory() as scratch:
        audit = open_audit_log(Path(scratch) / "audit.db")
        governor = open_governor(None, audit)
        hooks = GovernanceHooks(load_reward_settings(), audit=audit)
        unaudited = open_governor(None, None)
        settings = ProxySettings(gateway_url="", gateway_key="")
        with (
            Stack(StackConfig(), governor) as stack,
            ServerThread(
                create_governed_proxy(unaudited, replace(settings, gateway_url=stack.gateway_url)),
                name="unaudited proxy",
            ) as unaudited_proxy,
        ):
            result = {
                "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
                "command": " ".join([Path(sys.executable).name, *sys.argv]),
                "machine": f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}, load avg {os.getloadavg()[0]:.1f}",
                "overhead": asyncio.run(overhead(stack, unaudited_proxy.url, args.calls, args.warmup)),
                "throughput": asyncio.run(throughput(stack, hooks, args.rollouts, args.batches)),
            }
        with Stack(StackConfig(stub_latency_s=args.model_latency_ms / 1000), governor) as slow_model:
            result["throughput_with_model_latency"] = {
                "model_latency_ms": args.model_latency_ms,
                **asyncio.run(throughput(slow_model, hooks, args.rollouts, args.batches)),
            }
        result["machine"] += f" -> {os.getloadavg()[0]:.1f} at the end"
        governor.close()
        unaudited.close()
        audit.close()
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        o, t = result["overhead"], result["throughput"]
        print(f"{result['date']}  {result['machine']}")
        for name in ("direct", "governed", "governed_unaudited"):
            print(f"{name:<20} per call ms: {o[name + '_ms']}")
        print(f"overhead (audited)   ms: {o['governed_overhead_ms']}  (target p50 <= 1, p99 <= 5)")
        print(f"overhead (unaudited) ms: {o['governed_unaudited_overhead_ms']}")
        print(
            f"rollouts/s: {t['rollouts_per_s']}  ratio {t['ratio_governed_over_ungoverned']} (target >= 0.9)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark: what the governed proxy costs on the real Agent Lightning 1.x gateway.

All measurements in one run, side by side, so their ratios are not skewed by machine drift:

1. Overhead per model call, one client. The same chat completion is sent in turn straight to the
   gateway's LLM proxy (direct), through the governed proxy (audited: every decision fsynced,
   group-committed) and through a second governed proxy without an audit log (to separate the
   durable write from the rest). overhead = governed - direct per call; the upstream (gateway's
   forwarding + stub model) is in both and cancels. Goal: p50 <= 1 ms, p99 <= 5 ms.
2. Overhead at 20 concurrent clients: 20 clients call at once, phases alternate direct /
   governed; overhead = p50 governed - p50 direct. Goal: <= +5 ms.
3. Rollouts/s governed / ungoverned, with the instant stub model (goal >= 0.8) and the stub
   answering after --model-latency-ms (a small model on a GPU; goal >= 0.9). A rollout is AGL's
   lifecycle, driven over its HTTP API as its controller and trainer drive it: enqueue, running,
   one model call, the agent's reward event, succeeded; a governed rollout's agent talks to the
   governed proxy and `GovernanceHooks.on_succeeded` judges it (events read back, reward posted).

    .venv/bin/python benchmarks/bench_al_proxy.py [--calls 400] [--rollouts 64] [--quick]

The servers run in this process on loopback (the gateway and the governed proxies share one
event loop, as in `tractatus al up`; the stub model has its own). The clients (agents, and the
controller/trainer side of a rollout with its hooks) run in a second process, as AGL's agents and
trainer do: in one process they would compete with the servers for one GIL. Measured on a 2-core
machine that other work may share: read the load average in the results.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import statistics
import sys
import tempfile
import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio.to_thread
import httpx
from _common import percentiles, table, target, write_results

from tractatus.governance.audit import open_audit_log
from tractatus.integrations.agentlightning.content import build_prompt
from tractatus.integrations.agentlightning.gateway import events_path, proxy_path, quiet_gateway_logs
from tractatus.integrations.agentlightning.hooks import GovernanceHooks
from tractatus.integrations.agentlightning.proxy import ProxySettings, create_governed_proxy
from tractatus.integrations.agentlightning.proxy_policy import load_proxy_policy
from tractatus.integrations.agentlightning.rewards import load_reward_settings
from tractatus.integrations.agentlightning.stack import Stack, StackConfig, open_governor
from tractatus.lab.envs.grammar import load_grammar

CONCURRENT_CLIENTS = 20
IN_FLIGHT_ROLLOUTS = 16


def prompts(n: int) -> list[str]:
    grammar = load_grammar()
    names = list(grammar.spec.strategies)
    out = []
    for i in range(n):
        action = grammar.choice(
            {**grammar.spec.strategies[names[i % len(names)]], "wording": (i // len(names)) % 3}
        )
        out.append(build_prompt(grammar, (i // 21) % len(grammar.topics), action))
    return out


def ms(values: list[float]) -> dict[str, float]:
    return {k: round(v, 3) for k, v in percentiles(values).items()}


async def new_rollout(http: httpx.AsyncClient, gateway_url: str) -> str:
    response = await http.post(f"{gateway_url}/api/rollouts", json=[{"input": {"bench": uuid.uuid4().hex}}])
    response.raise_for_status()
    return response.json()[0]["rollout_id"]


def chat_url(base: str, rollout_id: str) -> str:
    return f"{base}{proxy_path(rollout_id, '0', 'train')}/chat/completions"


@dataclass(frozen=True)
class Endpoints:
    """What the client process needs to know about the servers."""

    gateway_url: str
    proxy_url: str
    unaudited_url: str = ""
    audit_path: str = ""


async def sequential_overhead(stack: Endpoints, calls: int, warmup: int) -> dict[str, Any]:
    async with httpx.AsyncClient(timeout=60.0) as http:
        rid = await new_rollout(http, stack.gateway_url)
        urls = {
            "direct": chat_url(stack.gateway_url, rid),
            "governed": chat_url(stack.proxy_url, rid),
            "governed_unaudited": chat_url(stack.unaudited_url, rid),
        }
        order = list(urls)
        times: dict[str, list[float]] = {name: [] for name in urls}
        for i, prompt in enumerate(prompts(calls + warmup)):
            body = {"model": "any", "messages": [{"role": "user", "content": prompt}]}
            for name in order[i % 3 :] + order[: i % 3]:  # rotate: no mode always goes first
                started = time.perf_counter()
                response = await http.post(urls[name], json=body)
                took = (time.perf_counter() - started) * 1000
                assert response.status_code == 200, response.text
                if i >= warmup:
                    times[name].append(took)
    out: dict[str, Any] = {"calls": calls, **{f"{n}_ms": ms(v) for n, v in times.items()}}
    for name in ("governed", "governed_unaudited"):
        out[f"{name}_overhead_ms"] = ms([g - d for g, d in zip(times[name], times["direct"], strict=True)])
    return out


async def concurrent_overhead(stack: Endpoints, calls_per_client: int, rounds: int) -> dict[str, Any]:
    texts = prompts(CONCURRENT_CLIENTS * calls_per_client)
    limits = httpx.Limits(max_connections=CONCURRENT_CLIENTS, max_keepalive_connections=CONCURRENT_CLIENTS)
    async with httpx.AsyncClient(timeout=60.0, limits=limits) as http:
        rid = await new_rollout(http, stack.gateway_url)
        urls = {
            "direct": chat_url(stack.gateway_url, rid),
            "governed": chat_url(stack.proxy_url, rid),
            "governed_unaudited": chat_url(stack.unaudited_url, rid),
        }
        times: dict[str, list[float]] = {name: [] for name in urls}
        order = list(urls)

        async def client(url: str, mine: list[str], sink: list[float]) -> None:
            for prompt in mine:
                started = time.perf_counter()
                response = await http.post(
                    url, json={"model": "any", "messages": [{"role": "user", "content": prompt}]}
                )
                sink.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, response.text

        for r in range(rounds + 1):  # round 0 warms every mode up
            for mode in order[r % 3 :] + order[: r % 3]:  # rotate: no mode always goes first
                sink: list[float] = []
                await asyncio.gather(
                    *(
                        client(urls[mode], texts[c::CONCURRENT_CLIENTS], sink)
                        for c in range(CONCURRENT_CLIENTS)
                    )
                )
                if r > 0:
                    times[mode].extend(sink)
    return {
        "clients": CONCURRENT_CLIENTS,
        "calls_per_mode": len(times["direct"]),
        "direct_ms": ms(times["direct"]),
        "governed_ms": ms(times["governed"]),
        "governed_unaudited_ms": ms(times["governed_unaudited"]),
        "overhead_p50_ms": round(
            statistics.median(times["governed"]) - statistics.median(times["direct"]), 3
        ),
        "unaudited_overhead_p50_ms": round(
            statistics.median(times["governed_unaudited"]) - statistics.median(times["direct"]), 3
        ),
    }


class QueuedEvents:
    """AGL's TraceWriter protocol, as its rollout manager hands it to the hooks."""

    def __init__(self) -> None:
        self.events: list[tuple[str, str, str, dict[str, Any]]] = []

    def add_event(self, rollout_id: str, attempt_id: str, event_type: str, data: dict[str, Any]) -> None:
        self.events.append((rollout_id, attempt_id, event_type, data))


async def one_rollout(
    http: httpx.AsyncClient, stack: Endpoints, prompt: str, hooks: GovernanceHooks | None
) -> None:
    """AGL's rollout lifecycle over its HTTP API; with hooks, the governed variant."""
    from agentlightning.schemas import Event, Rollout

    gateway = stack.gateway_url
    agent_base = stack.proxy_url if hooks is not None else gateway
    rid = await new_rollout(http, gateway)
    (
        await http.patch(
            f"{gateway}/api/rollouts/{rid}", json={"status": {"state": "running", "last_attempt_id": "0"}}
        )
    ).raise_for_status()
    answer = await http.post(
        chat_url(agent_base, rid), json={"model": "any", "messages": [{"role": "user", "content": prompt}]}
    )
    answer.raise_for_status()
    published = answer.json()["choices"][0]["finish_reason"] != "content_filter"
    reward = {"event_type": "reward", "data": {"value": 0.1 if published else 0.0, "source": "agent"}}
    (await http.post(f"{agent_base}{events_path(rid, '0')}", json=reward)).raise_for_status()
    done = await http.patch(f"{gateway}/api/rollouts/{rid}", json={"status": {"state": "succeeded"}})
    done.raise_for_status()
    if hooks is None:
        return
    received = (await http.get(f"{gateway}/api/rollouts/{rid}/events")).json()
    queued = QueuedEvents()
    rollout, by_attempt = (
        Rollout.model_validate(done.json()),
        {"0": [Event.model_validate(e) for e in received]},
    )
    await anyio.to_thread.run_sync(hooks.on_succeeded, rollout, by_attempt, queued)
    for rollout_id, attempt_id, kind, data in queued.events:
        (
            await http.post(
                f"{gateway}{events_path(rollout_id, attempt_id)}", json={"event_type": kind, "data": data}
            )
        ).raise_for_status()


async def throughput(stack: Endpoints, rollouts: int, batches: int) -> dict[str, Any]:
    audit = open_audit_log(stack.audit_path)  # the trainer's hooks share the proxy's audit log
    hooks = GovernanceHooks(load_reward_settings(), audit=audit)
    texts = prompts(rollouts)
    elapsed = {"ungoverned": 0.0, "governed": 0.0}
    counted = {"ungoverned": 0, "governed": 0}
    slots = asyncio.Semaphore(IN_FLIGHT_ROLLOUTS)
    limits = httpx.Limits(
        max_connections=IN_FLIGHT_ROLLOUTS * 2, max_keepalive_connections=IN_FLIGHT_ROLLOUTS * 2
    )
    async with httpx.AsyncClient(timeout=60.0, limits=limits) as http:

        async def bounded(prompt: str, governed: bool) -> None:
            async with slots:
                await one_rollout(http, stack, prompt, hooks if governed else None)

        for b in range(batches + 1):  # batch 0 of each mode is warm-up
            for mode in ("ungoverned", "governed") if b % 2 == 0 else ("governed", "ungoverned"):
                started = time.perf_counter()
                await asyncio.gather(*(bounded(p, mode == "governed") for p in texts))
                if b > 0:
                    elapsed[mode] += time.perf_counter() - started
                    counted[mode] += len(texts)
    audit.close()
    rates = {m: counted[m] / elapsed[m] for m in elapsed}
    assert (
        hooks.stats()["succeeded"] == counted["governed"] + rollouts and hooks.stats()["hook_failures"] == 0
    )
    return {
        "rollouts_per_mode": counted,
        "in_flight": IN_FLIGHT_ROLLOUTS,
        "hooks": hooks.stats(),
        "rollouts_per_s": {m: round(r, 1) for m, r in rates.items()},
        "ratio_governed_over_ungoverned": round(rates["governed"] / rates["ungoverned"], 3),
    }


async def calls_through(base_url: str, gateway_url: str, n: int, nonce: str) -> int:
    """n sequential chat completions through `base_url` (fresh texts: `nonce` changes the stub's seed)."""
    async with httpx.AsyncClient(timeout=60.0) as http:
        rid = await new_rollout(http, gateway_url)
        for i, prompt in enumerate(prompts(n)):
            body = {
                "model": "any",
                "messages": [{"role": "user", "content": f"{prompt}\nnonce: {nonce}-{i}"}],
            }
            response = await http.post(chat_url(base_url, rid), json=body)
            assert response.status_code == 200, response.text
    return n


def server_cpu_per_call(where: Endpoints, n: int) -> dict[str, float]:
    """CPU time the server process (gateway, proxies, stub model: every thread) spends per call, per
    path. Unlike wall time, it barely moves with other load on the machine; governed - direct is
    the proxy's own CPU cost per call (the durable write's fsync is waiting, not CPU)."""
    out: dict[str, float] = {}
    for name, base in (
        ("direct", where.gateway_url),
        ("governed", where.proxy_url),
        ("governed_unaudited", where.unaudited_url),
    ):
        started = time.process_time()
        in_client_process(calls_through, base, where.gateway_url, n, name)
        out[f"{name}_cpu_ms"] = round((time.process_time() - started) * 1000 / n, 3)
    out["governed_overhead_cpu_ms"] = round(out["governed_cpu_ms"] - out["direct_cpu_ms"], 3)
    out["governed_unaudited_overhead_cpu_ms"] = round(
        out["governed_unaudited_cpu_ms"] - out["direct_cpu_ms"], 3
    )
    return out


def audit_append_latency(audit_path: str, appends: int = 200) -> dict[str, float]:
    """One durable audit append (a commit with its fsync) on the disk the benchmark's log is on:
    the floor under the audited overhead of a single client, whose decisions cannot share a commit."""
    audit = open_audit_log(audit_path)
    times = []
    for i in range(appends):
        started = time.perf_counter()
        audit.append_event("bench_fsync_probe", "bench", {"i": i})
        times.append((time.perf_counter() - started) * 1000)
    audit.close()
    return ms(times)


def in_client_process(function: Any, *args: Any) -> Any:
    """Run `asyncio.run(function(*args))` in a fresh process (spawned: no inherited threads)."""
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(_run_async, function, *args).result()


def _run_async(function: Any, *args: Any) -> Any:
    quiet_gateway_logs()
    return asyncio.run(function(*args))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=400, help="measured calls per mode, one client")
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--cpu-calls", type=int, default=300, help="calls per path for the CPU-time measure")
    parser.add_argument(
        "--concurrent-calls", type=int, default=10, help="calls per client per round, 20 clients"
    )
    parser.add_argument("--concurrent-rounds", type=int, default=4)
    parser.add_argument("--rollouts", type=int, default=64, help="rollouts per batch")
    parser.add_argument("--batches", type=int, default=4, help="measured batches per mode")
    parser.add_argument(
        "--model-latency-ms", type=float, default=200.0, help="stub latency, 2nd throughput run"
    )
    parser.add_argument("--quick", action="store_true", help="a smoke run: small counts, results not written")
    args = parser.parse_args()
    if args.quick:
        args.calls, args.warmup, args.concurrent_calls, args.concurrent_rounds = 40, 10, 2, 1
        args.cpu_calls = 40
        args.rollouts, args.batches = 16, 1
    quiet_gateway_logs()
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as scratch:
        audit_path = str(Path(scratch) / "audit.db")
        audit = open_audit_log(audit_path)
        governor = open_governor(None, audit)
        unaudited = open_governor(None, None)
        try:
            with Stack(StackConfig(), governor) as stack:
                assert stack.loop is not None
                settings = ProxySettings(policy=load_proxy_policy())
                extra = stack.loop.serve(
                    create_governed_proxy(unaudited, settings, gateway_app=stack.gateway_app),
                    name="unaudited proxy",
                )
                where = Endpoints(stack.gateway_url, stack.proxy_url, extra.url, audit_path)
                results["overhead"] = in_client_process(sequential_overhead, where, args.calls, args.warmup)
                results["server_cpu_per_call"] = server_cpu_per_call(where, args.cpu_calls)
                results["concurrent"] = in_client_process(
                    concurrent_overhead, where, args.concurrent_calls, args.concurrent_rounds
                )
                results["throughput_instant_model"] = in_client_process(
                    throughput, where, args.rollouts, args.batches
                )
            with Stack(StackConfig(stub_latency_s=args.model_latency_ms / 1000), governor) as slow:
                where = Endpoints(slow.gateway_url, slow.proxy_url, "", audit_path)
                results["throughput_slow_model"] = {
                    "model_latency_ms": args.model_latency_ms,
                    **in_client_process(throughput, where, args.rollouts, args.batches),
                }
        finally:
            governor.close()
            unaudited.close()
            audit.close()
        results["audit_append_ms"] = audit_append_latency(str(Path(scratch) / "probe.db"))
    report(results)
    if not args.quick:
        print(f"written: {write_results('bench_al_proxy', results)}")
    return 0


def report(r: dict[str, Any]) -> None:
    o, c, cpu = r["overhead"], r["concurrent"], r["server_cpu_per_call"]
    t0, t1 = r["throughput_instant_model"], r["throughput_slow_model"]
    table(
        f"per model call, ms ({o['calls']} calls per mode, one client)",
        ["path", "p50", "p99", "p99.9", "mean"],
        [
            [name, *(o[f"{name}_ms"][k] for k in ("p50", "p99", "p99.9", "mean"))]
            for name in ("direct", "governed", "governed_unaudited")
        ],
    )
    ga, gu = o["governed_overhead_ms"], o["governed_unaudited_overhead_ms"]
    c_ok = c["overhead_p50_ms"] <= 5
    table(
        "goals",
        ["measure", "result", "goal", ""],
        [
            ["overhead p50, audited (ms)", ga["p50"], "<= 1", target(ga["p50"] <= 1)],
            ["overhead p99, audited (ms)", ga["p99"], "<= 5", target(ga["p99"] <= 5)],
            ["overhead p50 / p99, unaudited (ms)", f"{gu['p50']} / {gu['p99']}", "", ""],
            [
                "server CPU per call: direct / governed / unaudited (ms)",
                f"{cpu['direct_cpu_ms']} / {cpu['governed_cpu_ms']} / {cpu['governed_unaudited_cpu_ms']}",
                "",
                "",
            ],
            [
                "proxy's own CPU per call, audited / unaudited (ms)",
                f"{cpu['governed_overhead_cpu_ms']} / {cpu['governed_unaudited_overhead_cpu_ms']}",
                "",
                "",
            ],
            [
                "one durable audit append p50 / p99 (ms)",
                f"{r['audit_append_ms']['p50']} / {r['audit_append_ms']['p99']}",
                "",
                "",
            ],
            [f"overhead p50 at {c['clients']} clients (ms)", c["overhead_p50_ms"], "<= 5", target(c_ok)],
            [
                f"overhead p50 at {c['clients']} clients, unaudited (ms)",
                c["unaudited_overhead_p50_ms"],
                "",
                "",
            ],
            [
                "rollouts/s ratio, instant model",
                t0["ratio_governed_over_ungoverned"],
                ">= 0.8",
                target(t0["ratio_governed_over_ungoverned"] >= 0.8),
            ],
            [
                f"rollouts/s ratio, {t1['model_latency_ms']:g} ms model",
                t1["ratio_governed_over_ungoverned"],
                ">= 0.9",
                target(t1["ratio_governed_over_ungoverned"] >= 0.9),
            ],
        ],
    )


if __name__ == "__main__":
    sys.exit(main())

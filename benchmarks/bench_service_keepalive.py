"""Latency on ONE keep-alive connection against a new connection per request (issue 12, item 3).

A real `tractatus serve` (uvicorn, SQLite in a temp dir, the audit log durable per decision) and
one `httpx.Client`: `GET /healthz` and `POST /api/v1/decide`, each after a warm-up, first over one
reused connection, then with a fresh connection per request. Before the fix every request on a
reused connection waited ~40 ms (Nagle's algorithm meeting delayed ACKs, TCP_NODELAY unset); with
it the reused connection must be no slower than new ones. The ratio in one run is the finding;
the absolute numbers depend on the disk's fsync and the machine's load (recorded).

Run:  .venv/bin/python benchmarks/bench_service_keepalive.py [--quick] [--requests 300] [--warmup 50]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import percentiles, table, write_results
from bench_service_load import AUTH, DECIDE_TEXTS, start_server

GOALS_MS = {"/healthz": 2.0, "/api/v1/decide": 5.0}  # p50 on one keep-alive client (issue 12)


def request_for(path: str, headers: dict[str, str]) -> Callable[[httpx.Client, int], httpx.Response]:
    if path == "/healthz":
        return lambda client, i: client.get(path, headers=headers)
    return lambda client, i: client.post(path, json={"text": DECIDE_TEXTS[0].format(i=i)}, headers={**AUTH, **headers})


def timed(base: str, path: str, n: int, warmup: int, *, reuse: bool) -> list[float]:
    # "Connection: close" makes the same client open a new connection for every request (a new
    # httpx.Client per request would mostly measure building its TLS context).
    send = request_for(path, {} if reuse else {"Connection": "close"})
    samples: list[float] = []
    with httpx.Client(base_url=base, timeout=30.0) as client:
        for i in range(warmup + n):
            started = time.perf_counter()
            response = send(client, i)
            elapsed = (time.perf_counter() - started) * 1000.0
            if response.status_code != 200:
                raise SystemExit(f"{path}: HTTP {response.status_code}: {response.text[:200]}")
            if i >= warmup:
                samples.append(elapsed)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--quick", action="store_true", help="60 requests after 10: a smoke run")
    args = parser.parse_args()
    if args.quick:
        args.requests, args.warmup = 60, 10
    with tempfile.TemporaryDirectory(prefix="tractatus-keepalive-") as tmp:
        process, base = start_server(Path(tmp), Path(tmp) / "server.log")
        try:
            rows, results = [], []
            for path in GOALS_MS:
                for reuse in (True, False):
                    stats = percentiles(timed(base, path, args.requests, args.warmup, reuse=reuse))
                    connection = "one keep-alive" if reuse else "new per request"
                    results.append({"path": path, "connection": connection, "latency_ms": stats})
                    goal = f"{GOALS_MS[path]:g}" if reuse else "-"
                    rows.append((path, connection, f"{stats['p50']:.2f}", f"{stats['p99']:.2f}", goal))
        finally:
            process.terminate()
            process.wait(timeout=30)
    table("service latency, one client", ("endpoint", "connection", "p50 ms", "p99 ms", "goal p50 ms"), rows)
    name = "bench_service_keepalive_quick" if args.quick else "bench_service_keepalive"
    print(f"results: {write_results(name, {'requests': args.requests, 'warmup': args.warmup, 'goals_p50_ms': GOALS_MS, 'results': results})}")


if __name__ == "__main__":
    main()

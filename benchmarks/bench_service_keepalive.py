"""Latency on ONE keep-alive connection against a new connection per request (issue 12, item 3).

A real `tractatus serve` (uvicorn, SQLite in a temp dir, the audit log durable per decision) and
one `httpx.Client`: `GET /healthz` and `POST /api/v1/decide`, each after a warm-up, first over one
reused connection, then with a fresh connection per request. Before the fix every request on a
reused connection waited ~40 ms (Nagle's algorithm meeting delayed ACKs, TCP_NODELAY unset); with
it the reused connection must be no slower than new ones. The ratio in one run is the finding;
the absolute numbers depend on the disk's fsync and the machine's load (recorded).

Because the machine may be shared, each row also records the CPU time per request of the server
process (from /proc/<pid>/stat, user + system, all threads) and of this client process: load
inflates wall-clock latency by scheduling delays far more than it inflates CPU time. The fsync
latency of the disk the server writes to is measured too (a SQLite WAL commit with
synchronous=FULL in the same temp directory): a decide waits for one such commit (the audit entry).

`--baseline-src DIR` serves another checkout's code (e.g. the branch's base) in the same run: both
servers run at once and every measurement alternates between them in rounds, so that both see
the same load.

Run:  .venv/bin/python benchmarks/bench_service_keepalive.py [--quick] [--requests 300] [--warmup 50] [--baseline-src DIR]
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, percentiles, table, write_results
from bench_service_load import AUTH, DECIDE_TEXTS, start_server

GOALS_MS = {"/healthz": 2.0, "/api/v1/decide": 5.0}  # p50 on one keep-alive client (issue 12)


def request_for(path: str, headers: dict[str, str]) -> Callable[[httpx.Client, int], httpx.Response]:
    if path == "/healthz":
        return lambda client, i: client.get(path, headers=headers)
    return lambda client, i: client.post(path, json={"text": DECIDE_TEXTS[0].format(i=i)}, headers={**AUTH, **headers})


def process_cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process, all its threads (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def timed(base: str, path: str, n: int, warmup: int, *, reuse: bool, server_pid: int) -> tuple[list[float], float, float]:
    """(latencies in ms, server CPU ms per request, client CPU ms per request) after the warm-up."""
    # "Connection: close" makes the same client open a new connection for every request (a new
    # httpx.Client per request would mostly measure building its TLS context).
    send = request_for(path, {} if reuse else {"Connection": "close"})
    samples: list[float] = []
    server_cpu = client_cpu = 0.0
    with httpx.Client(base_url=base, timeout=30.0) as client:
        for i in range(warmup + n):
            if i == warmup:
                server_cpu, client_cpu = process_cpu_s(server_pid), time.process_time()
            started = time.perf_counter()
            response = send(client, i)
            elapsed = (time.perf_counter() - started) * 1000.0
            if response.status_code != 200:
                raise SystemExit(f"{path}: HTTP {response.status_code}: {response.text[:200]}")
            if i >= warmup:
                samples.append(elapsed)
    server_ms = (process_cpu_s(server_pid) - server_cpu) * 1000.0 / n
    client_ms = (time.process_time() - client_cpu) * 1000.0 / n
    return samples, server_ms, client_ms


def fsync_commit_ms(directory: Path, n: int = 50) -> float:
    """Median latency of one SQLite WAL commit with synchronous=FULL in `directory` (one fsync)."""
    connection = sqlite3.connect(directory / "fsync-probe.db", isolation_level=None)
    try:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=FULL")
        connection.execute("CREATE TABLE t (x INTEGER)")
        samples = []
        for i in range(n):
            started = time.perf_counter()
            connection.execute("BEGIN IMMEDIATE")
            connection.execute("INSERT INTO t VALUES (?)", (i,))
            connection.execute("COMMIT")
            samples.append((time.perf_counter() - started) * 1000.0)
        return statistics.median(samples)
    finally:
        connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--quick", action="store_true", help="60 requests after 10: a smoke run")
    parser.add_argument("--baseline-src", type=Path, default=None, help="also serve another checkout's src (same run)")
    args = parser.parse_args()
    if args.quick:
        args.requests, args.warmup = 60, 10
    sources = {"current": (ROOT / "src").resolve()}
    if args.baseline_src is not None:
        sources["baseline"] = args.baseline_src.resolve()
    rows, by_source = [], {}
    with tempfile.TemporaryDirectory(prefix="tractatus-keepalive-") as tmp:
        fsync_ms = fsync_commit_ms(Path(tmp))
        servers = {}
        try:
            for label, src in sources.items():
                data_dir = Path(tmp) / label
                data_dir.mkdir()
                servers[label] = serve_from(src, data_dir)
            by_source = measure_alternating(servers, args.requests, args.warmup)
        finally:
            for process, _ in servers.values():
                process.terminate()
                process.wait(timeout=30)
    for label, results in by_source.items():
        for result in results:
            stats, reuse = result["latency_ms"], result["connection"] == "one keep-alive"
            goal = f"{GOALS_MS[result['path']]:g}" if reuse else "-"
            rows.append((label, result["path"], result["connection"], f"{stats['p50']:.2f}", f"{stats['p99']:.2f}",
                         f"{result['server_cpu_ms_per_request']:.2f}", f"{result['client_cpu_ms_per_request']:.2f}", goal))  # fmt: skip
    table(
        f"service latency, one client (one fsynced SQLite commit here: {fsync_ms:.2f} ms median)",
        ("code", "endpoint", "connection", "p50 ms", "p99 ms", "server CPU ms/req", "client CPU ms/req", "goal p50 ms"),
        rows,
    )
    name = "bench_service_keepalive_quick" if args.quick else "bench_service_keepalive"
    record = {"requests": args.requests, "warmup": args.warmup, "rounds": ROUNDS, "goals_p50_ms": GOALS_MS,
              "sources": {k: str(v) for k, v in sources.items()}, "fsync_commit_ms_median": fsync_ms,
              "results": by_source["current"], "baseline_results": by_source.get("baseline", [])}  # fmt: skip
    print(f"results: {write_results(name, record)}")


ROUNDS = 5  # each measurement is split into rounds that alternate between the servers


def serve_from(src: Path, data_dir: Path) -> tuple[Any, str]:
    """`tractatus serve` running the checkout `src`: (process, base URL)."""
    previous = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = str(src)  # start_server hands its environment to the server process
    try:
        return start_server(data_dir, data_dir / "server.log")
    finally:
        if previous is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = previous


def measure_alternating(servers: dict[str, tuple[Any, str]], requests: int, warmup: int) -> dict[str, list[dict[str, Any]]]:
    """Each endpoint and connection mode, in ROUNDS rounds that alternate between the servers, so
    that a change of load on the shared machine falls on both alike."""
    out: dict[str, list[dict[str, Any]]] = {label: [] for label in servers}
    per_round = max(1, requests // ROUNDS)
    for path in GOALS_MS:
        for reuse in (True, False):
            pooled = {label: ([], [], []) for label in servers}  # latencies, server CPU, client CPU
            for round_ in range(ROUNDS):
                for label, (process, base) in servers.items():
                    samples, server_ms, client_ms = timed(
                        base, path, per_round, warmup if round_ == 0 else 5, reuse=reuse, server_pid=process.pid
                    )
                    pooled[label][0].extend(samples)
                    pooled[label][1].append(server_ms)
                    pooled[label][2].append(client_ms)
            for label, (samples, server, client) in pooled.items():
                out[label].append({"path": path, "connection": "one keep-alive" if reuse else "new per request",
                                   "latency_ms": percentiles(samples), "server_cpu_ms_per_request": statistics.mean(server),
                                   "client_cpu_ms_per_request": statistics.mean(client)})  # fmt: skip
    return out


if __name__ == "__main__":
    main()

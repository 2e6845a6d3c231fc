"""Load test of the web service on loopback: sustained feedback submissions/s and /api/v1/decide calls/s.

A real `tractatus serve` (uvicorn, SQLite in a temp dir, audit log durable per decision) is
driven by C concurrent keep-alive clients (threads, closed loop) for a bounded number of
requests per level. After each phase the records are counted: every 200 must be a stored
submission (0 lost records) and every decide an audit entry.

Reported per concurrency level: requests/s, latency p50/p99/p99.9, errors, lost records.
Client and server share the machine's cores, so these are conservative figures for 2 cores.

Run:  .venv/bin/python benchmarks/bench_service_load.py [--quick] [--levels 1,4,16] [--requests N]
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Callable

import httpx
from rich.progress import Progress

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import percentiles, table, write_results

API_KEY = "bench-key"
AUTH = {"Authorization": f"Bearer {API_KEY}"}
MESSAGES = [
    "The login button does not work on Firefox; I cannot sign in since the update (case {i}).",
    "Please add support for exporting the audit log to CSV, it would help our compliance team ({i}).",
    "I could not find any documentation about writing policy files, the guide is outdated ({i}).",
    "Thanks, great work on this project! The dashboard is very clear ({i}).",
    "The signup page crashes when I enter my email jane{i}@example.org, call me on +1 415 555 {i:04d}.",
    "This update is garbage and the export page is slow to load every time ({i}).",
]
DECIDE_TEXTS = [
    "The quarterly report is attached ({i}).",
    "Contact me at john.doe{i}@example.com about the invoice.",
    "Deploy build {i} to staging after the tests pass.",
    "We guarantee 100% uptime, it will never fail ({i}).",
]


def start_server(data_dir: Path, log_path: Path) -> tuple[subprocess.Popen[bytes], str]:
    env = {**os.environ, "TRACTATUS_API_KEY": API_KEY}
    env.pop("DATABASE_URL", None)
    log = log_path.open("wb")
    process = subprocess.Popen(
        [sys.executable, "-c", "from tractatus.cli.main import main; main()", "serve", "--port", "0",
         "--data-dir", str(data_dir), "--rate-limit", "1000000", "--rate-burst", "1000000", "--log-level", "warning"],
        stdout=log, stderr=subprocess.STDOUT, env=env,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        match = re.search(r"serving on (http://127\.0\.0\.1:\d+)", log_path.read_text(errors="replace"))
        if match:
            return process, match.group(1)
        if process.poll() is not None:
            break
        time.sleep(0.2)
    process.kill()
    raise SystemExit(f"server did not start: {log_path.read_text()[-2000:]}")


def run_level(base: str, concurrency: int, total: int, make_request: Callable[[httpx.Client, int], httpx.Response],
              setup: Callable[[httpx.Client], None], progress: Progress, label: str, max_seconds: float) -> dict[str, Any]:
    """`total` requests from `concurrency` clients, or fewer if `max_seconds` runs out (bounded in time)."""
    latencies: list[float] = []
    errors: list[str] = []
    ok = 0
    lock = threading.Lock()
    counter = iter(range(total))
    task = progress.add_task(f"{label} c={concurrency}", total=total)
    deadline = time.monotonic() + max_seconds

    def worker() -> None:
        nonlocal ok
        with httpx.Client(base_url=base, timeout=30.0) as client:
            setup(client)
            while True:
                with lock:
                    i = next(counter, None) if time.monotonic() < deadline else None
                if i is None:
                    return
                started = time.perf_counter()
                try:
                    response = make_request(client, i)
                    status = response.status_code
                except httpx.HTTPError as exc:
                    status, response = -1, None
                    with lock:
                        errors.append(type(exc).__name__)
                elapsed = time.perf_counter() - started
                with lock:
                    latencies.append(elapsed * 1000.0)
                    if status == 200:
                        ok += 1
                    elif status != -1:
                        errors.append(str(status))
                progress.advance(task)

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    wall = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - wall
    done = len(latencies)
    return {"concurrency": concurrency, "requests": done, "ok": ok, "errors": len(errors),
            "error_kinds": sorted(set(errors)), "seconds": wall, "per_s": done / wall, "latency_ms": percentiles(latencies)}


def feedback_setup(client: httpx.Client) -> None:
    page = client.get("/feedback")
    client.headers["x-csrf"] = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


def submit(client: httpx.Client, i: int) -> httpx.Response:
    data = {"message": MESSAGES[i % len(MESSAGES)].format(i=i), "csrf_token": client.headers["x-csrf"]}
    if i % 3 == 0:
        data["email"] = f"reader{i}@example.net"
        data["consent"] = "on"
    return client.post("/feedback", data=data)


def decide(client: httpx.Client, i: int) -> httpx.Response:
    return client.post("/api/v1/decide", json={"text": DECIDE_TEXTS[i % len(DECIDE_TEXTS)].format(i=i),
                                               "agent_id": f"agent-{i % 20}"}, headers=AUTH)


def counts(base: str) -> tuple[int, int, int]:
    with httpx.Client(base_url=base, timeout=60.0, headers=AUTH) as client:
        dash = client.get("/api/v1/dashboard").json()
        verify = client.get("/api/v1/audit/verify").json()
    assert verify["ok"], verify
    return dash["total_submissions"], dash["total_decisions"], verify["entries_checked"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small counts, for a smoke run")
    parser.add_argument("--levels", default="1,4,16", help="client concurrency levels")
    parser.add_argument("--requests", type=int, default=1500, help="requests per level and endpoint")
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--max-seconds", type=float, default=120.0, help="time budget per level (stops issuing requests)")
    args = parser.parse_args()
    levels = [int(x) for x in args.levels.split(",")]
    total = 150 if args.quick else args.requests
    warmup = 20 if args.quick else args.warmup

    with tempfile.TemporaryDirectory(prefix="tractatus-load-") as tmp:
        process, base = start_server(Path(tmp) / "data", Path(tmp) / "server.log")
        results: dict[str, Any] = {"server": base, "feedback": [], "decide": []}
        try:
            with Progress() as progress:
                run_level(base, 2, warmup, submit, feedback_setup, progress, "warm-up feedback", args.max_seconds)
                run_level(base, 2, warmup, decide, lambda c: None, progress, "warm-up decide", args.max_seconds)
                for endpoint, request, setup in (("feedback", submit, feedback_setup), ("decide", decide, lambda c: None)):
                    for level in levels:
                        before = counts(base)
                        row = run_level(base, level, total, request, setup, progress, endpoint, args.max_seconds)
                        after = counts(base)
                        stored = after[0] - before[0] if endpoint == "feedback" else after[1] - before[1]
                        row["stored"] = stored
                        row["lost"] = row["ok"] - stored
                        row["audit_entries_added"] = after[2] - before[2]
                        results[endpoint].append(row)
        finally:
            process.terminate()
            process.wait(timeout=30)
    for endpoint in ("feedback", "decide"):
        table(
            f"POST /{'feedback' if endpoint == 'feedback' else 'api/v1/decide'} on loopback (up to {total} requests per level)",
            ["clients", "requests", "req/s", "p50 ms", "p99 ms", "p99.9 ms", "errors", "lost", "audit entries"],
            [[r["concurrency"], r["requests"], r["per_s"], r["latency_ms"]["p50"], r["latency_ms"]["p99"], r["latency_ms"]["p99.9"],
              r["errors"], r["lost"], r["audit_entries_added"]] for r in results[endpoint]],
        )
    path = write_results("bench_service_load", results)
    print(f"results: {path}")
    bad = [r for e in ("feedback", "decide") for r in results[e] if r["errors"] or r["lost"]]
    if bad:
        raise SystemExit(f"{len(bad)} level(s) had errors or lost records")


if __name__ == "__main__":
    main()

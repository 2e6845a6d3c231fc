"""What every benchmark shares: machine description, percentiles, result files, tables.

Benchmarks are scripts, not tests: each warms up, measures, prints a table and writes
benchmarks/results/<name>.json with the machine, the command and the numbers, so that every
number in docs/benchmarks.md can be regenerated.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"


def machine() -> dict[str, Any]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "platform": platform.platform(),
        # Other work on the machine slows wall-clock numbers; CPU-time figures are immune to it.
        "loadavg_1_5_15_min_at_end": os.getloadavg(),
    }


def percentiles(samples: Sequence[float] | np.ndarray) -> dict[str, float]:
    """p50/p99/p99.9/max/mean of `samples` (same unit in, same unit out)."""
    arr = np.asarray(samples, dtype=float)
    if arr.size == 0:
        return {"n": 0}
    p50, p99, p999 = np.percentile(arr, [50, 99, 99.9])
    return {
        "n": int(arr.size),
        "p50": float(p50),
        "p99": float(p99),
        "p99.9": float(p999),
        "max": float(arr.max()),
        "mean": float(arr.mean()),
    }


LOAD_AT_IMPORT = os.getloadavg()  # the load when the benchmark started (a constant, read once)


def write_results(name: str, results: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    document = {
        "benchmark": name,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join([".venv/bin/python", *sys.argv]),
        "machine": {**machine(), "loadavg_1_5_15_min_at_start": LOAD_AT_IMPORT},
        **results,
    }
    path.write_text(json.dumps(document, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    return path


def table(title: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    t = Table(*columns, title=title, title_justify="left")
    for row in rows:
        t.add_row(*(fmt(v) for v in row))
    Console(highlight=False, width=max(Console().width, 150)).print(t)


def fmt(value: Any) -> str:
    if isinstance(value, float):
        if value == 0:
            return "0"
        if abs(value) >= 100:
            return f"{value:,.0f}"
        if abs(value) >= 1:
            return f"{value:.2f}"
        return f"{value:.3g}"
    if isinstance(value, bool):
        return "yes" if value else "NO"
    return str(value)


def target(ok: bool) -> str:
    return "met" if ok else "MISSED"


class Stopwatch:
    """perf_counter_ns intervals, in microseconds."""

    def __enter__(self) -> Stopwatch:
        self.start = time.perf_counter_ns()
        return self

    def __exit__(self, *exc: object) -> None:
        self.us = (time.perf_counter_ns() - self.start) / 1000.0

"""What anchoring the audit log costs: one checkpoint, and append throughput with automatic checkpoints.

A checkpoint is one Ed25519 signature and one fsynced JSONL line, signed by the log's writer
while appends wait (governance/checkpoint.py). Measured here:
- the signature alone and the fsynced line alone (p50 of many);
- appending N decisions in batches of B (WAL, synchronous=FULL) without checkpoints and with
  automatic checkpoints every 1,000 and every 10,000 entries, in one run so the ratios compare.

Run:  .venv/bin/python benchmarks/bench_audit_checkpoints.py [--quick] [--entries 50000] [--batch 500]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import percentiles, table, write_results
from bench_audit import decision_pool

from tractatus.governance.audit import open_audit_log
from tractatus.governance.checkpoint import CheckpointFile, CheckpointSettings, generate_key, sign


def single_costs(tmp: Path, n: int = 500) -> dict[str, dict[str, float]]:
    key = Ed25519PrivateKey.generate()
    signing = []
    for i in range(n):
        started = time.perf_counter()
        sign(key, i, "a" * 64, i)
        signing.append((time.perf_counter() - started) * 1000.0)
    file, line = CheckpointFile(tmp / "lines.jsonl"), sign(key, 1, "a" * 64, 1)
    writing = []
    for _ in range(n // 5):
        started = time.perf_counter()
        file.append(line)
        writing.append((time.perf_counter() - started) * 1000.0)
    return {"sign_ms": percentiles(signing), "fsynced_line_ms": percentiles(writing)}


def throughput(tmp: Path, label: str, every: int | None, entries: int, batch: int, key: Path) -> dict[str, float | int | str | None]:
    pool = decision_pool(min(entries, 20_000), seed=7)
    settings = CheckpointSettings(key_path=key, every_entries=every, every_seconds=3600) if every else CheckpointSettings()
    path = tmp / f"{label}.db"
    started = time.perf_counter()
    with open_audit_log(path, checkpoints=settings) as log:
        for i in range(0, entries, batch):
            log.append_decisions([pool[(i + j) % len(pool)] for j in range(min(batch, entries - i))])
    seconds = time.perf_counter() - started
    made = len(CheckpointFile(path.with_name(path.name + ".checkpoints.jsonl")).read())
    return {"mode": label, "every_entries": every, "entries": entries, "seconds": seconds,
            "per_s": entries / seconds, "checkpoints": made}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=50_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--quick", action="store_true", help="5,000 entries: a smoke run")
    args = parser.parse_args()
    if args.quick:
        args.entries = 5_000
    with tempfile.TemporaryDirectory(prefix="tractatus-anchor-") as name:
        tmp = Path(name)
        key = tmp / "audit.key"
        generate_key(key)
        costs = single_costs(tmp)
        throughput(tmp, "warmup", None, args.batch * 4, args.batch, key)
        runs = [throughput(tmp, label, every, args.entries, args.batch, key)
                for label, every in (("none", None), ("every_1000", 1000), ("every_10000", 10_000))]
    base = runs[0]["per_s"]
    assert isinstance(base, float)
    table("one checkpoint", ("part", "p50 ms", "p99 ms"),
          [(k, f"{v['p50']:.3f}", f"{v['p99']:.3f}") for k, v in costs.items()])
    table(f"append {args.entries} decisions in batches of {args.batch}", ("checkpoints", "made", "decisions/s", "vs none"),
          [(r["mode"], r["checkpoints"], f"{r['per_s']:,.0f}", f"{r['per_s'] / base:.2f}") for r in runs])  # type: ignore[operator]
    name = "bench_audit_checkpoints_quick" if args.quick else "bench_audit_checkpoints"
    path = write_results(name, {"entries": args.entries, "batch": args.batch, "single": costs, "runs": runs})
    print(f"results: {path}")


if __name__ == "__main__":
    main()

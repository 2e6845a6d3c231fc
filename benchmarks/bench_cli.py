"""End-to-end CLI benchmark: `tractatus check --jsonl` on 2,000 messages of 1 KB with auditing on.

Target (issue 2, item 10): <= 1 ms per message after start-up. Start-up (interpreter, imports,
policy load, opening the audit log) is measured by running the same command on a 1-line file;
the per-message cost is (t(2,000 lines) - t(1 line)) / 1,999. Every decision is audited to a
fresh SQLite log (WAL, synchronous=FULL, group commit per 512-line batch), and the log is
verified afterwards so that a run that skipped auditing cannot pass.

Run:  .venv/bin/python benchmarks/bench_cli.py [--quick] [--runs N]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, percentiles, table, target, write_results
from bench_governor import messages

from tractatus.governance.audit import open_audit_log


def tractatus_command() -> list[str]:
    script = Path(sys.executable).parent / "tractatus"
    return [str(script)] if script.exists() else [sys.executable, "-m", "tractatus.cli"]


def run_once(command: list[str], jsonl: Path, db: Path) -> tuple[float, int]:
    """Wall time of one `check --jsonl` run and the number of decisions it printed."""
    env = {**os.environ, "TRACTATUS_AUDIT_DB": str(db)}
    t0 = time.perf_counter()
    result = subprocess.run(
        [*command, "check", "--jsonl", str(jsonl), "--json"], capture_output=True, env=env, cwd=db.parent, timeout=600
    )
    elapsed = time.perf_counter() - t0
    if result.returncode != 0:
        raise SystemExit(f"tractatus check failed ({result.returncode}): {result.stderr.decode()[-500:]}")
    return elapsed, result.stdout.count(b"\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2 measured runs instead of 5")
    parser.add_argument("--runs", type=int, default=None)
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=23)
    args = parser.parse_args()
    runs = args.runs or (2 if args.quick else 5)
    command = tractatus_command()

    with tempfile.TemporaryDirectory(prefix="bench-cli-") as tmp:
        tmpdir = Path(tmp)
        texts = messages(args.messages, 1024, args.seed)
        big, one = tmpdir / "messages.jsonl", tmpdir / "one.jsonl"
        big.write_text("".join(json.dumps({"text": t}) + "\n" for t in texts), encoding="utf-8")
        one.write_text(json.dumps({"text": texts[0]}) + "\n", encoding="utf-8")

        startup, full = [], []
        (tmpdir / "warm").mkdir()
        run_once(command, big, tmpdir / "warm" / "audit.db")  # warm-up: page cache, .pyc files
        for i in range(runs):
            for label, path, sink in (("one", one, startup), ("big", big, full)):
                run_dir = tmpdir / f"{label}-{i}"
                run_dir.mkdir()
                elapsed, printed = run_once(command, path, run_dir / "audit.db")
                expected = 1 if label == "one" else len(texts)
                assert printed == expected, (label, printed, expected)
                sink.append(elapsed)
        # The audit log of the last full run must hold every decision and verify.
        with open_audit_log(tmpdir / f"big-{runs - 1}" / "audit.db", must_exist=True) as log:
            report = log.verify()
            assert report.ok and report.entries_checked == len(texts), report
        shutil.rmtree(tmpdir / "warm", ignore_errors=True)

    per_message_ms = [(b - s) * 1000 / (len(texts) - 1) for b, s in zip(full, startup, strict=True)]
    start = percentiles([s * 1000 for s in startup])
    per = percentiles(per_message_ms)
    table(
        f"tractatus check --jsonl: {len(texts)} messages of 1 KB, audited ({runs} runs after a warm-up run)",
        ["measure", "median", "best", "worst", "target", "status"],
        [
            ("start-up (1 line), ms", start["p50"], min(startup) * 1000, max(startup) * 1000, "", ""),
            (f"{len(texts)} lines, s", percentiles(full)["p50"], min(full), max(full), "", ""),
            ("per message after start-up, ms", per["p50"], min(per_message_ms), max(per_message_ms), "<= 1",
             target(per["p50"] <= 1.0)),
        ],
    )
    path = write_results(
        "bench_cli",
        {
            "messages": len(texts),
            "bytes_per_message": 1024,
            "runs": runs,
            "cli_command": " ".join([*command, "check", "--jsonl", "FILE", "--json"]) + "  (TRACTATUS_AUDIT_DB=fresh file)",
            "startup_s": startup,
            "full_s": full,
            "per_message_ms": per_message_ms,
            "per_message_ms_summary": per,
            "targets": {"per_message_ms": 1.0},
            "repo": str(ROOT),
        },
    )
    print(f"results: {path}")


if __name__ == "__main__":
    main()

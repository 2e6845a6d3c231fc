"""Service benchmark: the six Tractatus services' cost per call, with warm-up, p50/p99/p99.9.

What matters and why:
- BoundaryEnforcer runs on every message: its share of the text pipeline's budget (p50 <= 1 ms,
  p99 <= 3 ms per 1 KB message, measured whole by bench_governor.py). Measured here on ordinary
  1 KB messages (bench_governor's mix), on messages dense with claims (every rule's regex runs,
  sources and evidence are searched) and on evasions (the leet-decoded view is searched too).
  The normalized text is built outside the timer, with its `.words` view and word set, as the
  detectors that run before it in the default policy have already built them: this is the
  enforcer's marginal cost in the pipeline.
- CrossReferenceValidator runs on every action once instructions exist: its cost against 0, 10,
  100 and 1,000 stored instructions (parameters and prohibitions), for a tool call and a message.
- The classifier (per instruction), the pressure monitor and the verifier (per action that
  carries metrics or reasoning) are reported for completeness.

Run:  .venv/bin/python benchmarks/bench_services.py [--quick]
"""

from __future__ import annotations

import argparse
import random
import time
from typing import Callable

from _common import percentiles, table, write_results
from bench_governor import messages

from tractatus.governance.actions import Action, action_text
from tractatus.governance.checks import CheckContext
from tractatus.governance.normalize import normalize
from tractatus.governance.policy import bundled_policy_path, load_policy
from tractatus.governance.services.boundary_enforcer import BoundaryEnforcer
from tractatus.governance.services.context_pressure import ContextPressureMonitor
from tractatus.governance.services.cross_reference import CrossReferenceValidator
from tractatus.governance.services.metacognitive_verifier import MetacognitiveVerifier
from tractatus.governance.services.persistence_classifier import InstructionPersistenceClassifier
from tractatus.governance.state import GovernanceState

CLAIMS = [
    "Our platform is production-ready and guarantees 100% safety.",
    "87% of users prefer the new design, and 9 out of 10 dentists agree.",
    "Optimize content for maximum engagement and decide which users deserve priority.",
    "This is battle-tested, enterprise-grade software with zero risk.",
]
EVASIONS = ["This has zer0 r1sk", "Our platform is pr0duction-ready", "gu\u0430rantees 100% s4fety", "z e r o risk"]
# Stored instructions: one the tool call contradicts (the port), the rest a mix of prohibitions
# and parameters the actions do not touch, as in a long-running project.
CONFLICTING = "Use port 27027 for MongoDB"
INSTRUCTION_TEMPLATES = [
    "Never use library{n}",
    "Save reports for team {n} to /srv/reports/team{n}",
    "Don't deploy service{n} on Fridays",
    "Avoid vendor{n} APIs",
    "Never mention project{n} in public posts",
]


def time_calls(fn: Callable[[int], object], count: int, warmup: int) -> dict[str, dict]:
    """Wall-clock and thread CPU time per call, in microseconds. CPU time is what the code costs
    when other processes share the cores (wall-clock then also counts time spent descheduled)."""
    for i in range(warmup):
        fn(i)
    wall, cpu = [], []
    for i in range(count):
        start, start_cpu = time.perf_counter_ns(), time.thread_time_ns()
        fn(i)
        cpu.append((time.thread_time_ns() - start_cpu) / 1000.0)
        wall.append((time.perf_counter_ns() - start) / 1000.0)
    return {"wall": percentiles(wall), "cpu": percentiles(cpu)}


def mixed(texts: list[str], inserts: list[str], seed: int) -> list[str]:
    rng = random.Random(seed)
    out = []
    for text in texts:
        cut = rng.randrange(0, 600)
        out.append((text[:cut] + " " + rng.choice(inserts) + " " + text[cut:]).encode("utf-8")[:1024].decode("utf-8", "ignore"))
    return out


def contexts(texts: list[str]) -> list[CheckContext]:
    state = GovernanceState()
    out = []
    for text in texts:
        ntext = normalize(text)
        _ = ntext.word_forms  # built (with .words) by the detectors that run first in the default policy
        out.append(CheckContext(action=Action(text=text), text=ntext, state=state))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer samples (a smoke run)")
    args = parser.parse_args()
    count, warmup = (500, 100) if args.quick else (5000, 500)

    policy = load_policy(bundled_policy_path("default"))
    enforcer = BoundaryEnforcer(policy.check_settings("boundary_enforcer"))
    classifier = InstructionPersistenceClassifier(policy.check_settings("instruction_persistence_classifier"))
    validator = CrossReferenceValidator(policy.check_settings("cross_reference_validator"))
    pressure = ContextPressureMonitor(policy.check_settings("context_pressure_monitor"))
    verifier = MetacognitiveVerifier(policy.check_settings("metacognitive_verifier"))

    ordinary = messages(count + warmup, 1024, seed=7)
    results: dict[str, dict] = {}
    for name, texts in [
        ("boundary_enforcer / ordinary 1 KB", ordinary),
        ("boundary_enforcer / claims 1 KB", mixed(ordinary, CLAIMS, seed=8)),
        ("boundary_enforcer / evasions 1 KB", mixed(ordinary, EVASIONS, seed=9)),
    ]:
        ctxs = contexts(texts)
        results[name] = time_calls(lambda i, c=ctxs: enforcer.evaluate(c[i % len(c)]), count, warmup)

    tool_call = Action(kind="tool_call", tool="db.connect", arguments={"host": "db.internal", "port": 27017, "database": "orders"})
    message = Action(kind="message", text=ordinary[0])
    for n in (0, 10, 100, 1000):
        state = GovernanceState()
        if n:
            state.add_instruction(classifier.classify(CONFLICTING))
        for i in range(n - 1):
            state.add_instruction(classifier.classify(INSTRUCTION_TEMPLATES[i % len(INSTRUCTION_TEMPLATES)].format(n=20000 + i)))
        for label, action in (("tool call", tool_call), ("1 KB message", message)):
            ctx = CheckContext(action=action, text=normalize(action_text(action)), state=state)
            samples = time_calls(lambda i, c=ctx: validator.evaluate(c), count // (10 if n == 1000 else 1), warmup // 10)
            results[f"cross_reference / {n} instructions / {label}"] = samples

    instructions = [t.format(n=i) for i, t in enumerate(INSTRUCTION_TEMPLATES * 20)]
    results["classifier / one instruction"] = (
        time_calls(lambda i: classifier.classify(instructions[i % len(instructions)]), count, warmup)
    )
    metrics = {"tokens_used": 120_000, "token_budget": 200_000, "messages": 60, "task_complexity": 0.6, "errors_recent": 2, "instructions_active": 12}
    results["context_pressure / analyze"] = time_calls(lambda i: pressure.analyze(metrics), count, warmup)
    drop = Action(kind="tool_call", tool="db.query", arguments={"database": "production", "sql": "DROP TABLE customers"})
    reasoning = "We drop the table because it duplicates customers_v2; a backup and a snapshot were taken and a dry run on staging passed."
    results["metacognitive / verify"] = (
        time_calls(lambda i: verifier.verify(drop, reasoning, alternatives=["archive it"]), count, warmup)
    )

    table(
        "Tractatus services, microseconds per call (wall clock, and thread CPU time)",
        ["measurement", "n", "wall p50", "wall p99", "wall p99.9", "cpu p50", "cpu p99", "cpu p99.9"],
        [
            (name, r["wall"]["n"], r["wall"]["p50"], r["wall"]["p99"], r["wall"]["p99.9"], r["cpu"]["p50"], r["cpu"]["p99"], r["cpu"]["p99.9"])
            for name, r in results.items()
        ],
    )
    path = write_results("services", {"unit": "microseconds", "results": results})
    print(f"results: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

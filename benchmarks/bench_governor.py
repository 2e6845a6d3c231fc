"""Governor benchmark: structured tool rules (vs Cedar) and the 1 KB text pipeline.

Targets (issue 2, item 10):
- a structured tool-call action against 10, 100 and 1,000 rules; at 100 rules p50 <= 10 us and
  p99 <= 40 us. Every generated rule names the tool being called, so every rule is evaluated
  (the worst case: the rule index cannot skip any). Reported three ways: the whole
  `Governor.evaluate` (decision object, action digest and all), the rule engine alone
  (`RuleIndex.evaluate`), and Cedar (`cedarpy.is_authorized` on a pre-parsed PolicySet with the
  same rules as `forbid` policies) as the reference engine, with ratios from the same run;
- a 1 KB message through the whole text pipeline (normalization, PII, abuse, clickbait,
  compliance, boundary and the other services the default policy selects for messages),
  without the optional NER model, cache OFF (`limits.cache_entries: 0`) and every message
  distinct, so each decision does the real work: p50 <= 1 ms, p99 <= 3 ms.

- one bounded check (context pressure, `bounded = True`) on the caller's thread against the same
  check sent through the watchdog pool: the cost of the thread hop the governor now skips.

Run:  .venv/bin/python benchmarks/bench_governor.py [--quick] [--skip-text --sizes 100 --name NAME] [--hop-only]
"""

from __future__ import annotations

import argparse
import gc
import random
import re
import sys
import time
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import percentiles, table, target, write_results

from tractatus.governance.actions import Action, ActionKind, Verdict
from tractatus.governance.governor import Governor
from tractatus.governance.policy import Policy, bundled_policy_path, parse_policy
from tractatus.governance.rules import RuleIndex

TOOL = "db.query"


# -- tool rules -------------------------------------------------------------------------------


SHAPES = {
    # database == db<i> and table in [...]: the rule index narrows candidates by the `eq` value.
    "eq": (
        "{{database: {{eq: db{i}}}, table: {{in: [t{i}a, t{i}b, t{i}c]}}}}",
        'context.database == "db{i}" && ["t{i}a", "t{i}b", "t{i}c"].contains(context.table)',
    ),
    # sql starts with "q<i> " and table in [...]: the index narrows by the prefix.
    "prefix": (
        "{{sql: {{prefix: 'q{i} '}}, table: {{in: [t{i}a, t{i}b, t{i}c]}}}}",
        'context.sql like "q{i} *" && ["t{i}a", "t{i}b", "t{i}c"].contains(context.table)',
    ),
    # sql matches a regular expression and a numeric bound. The rule index puts a tool's regexes
    # in one RE2 set per argument: one pass finds the rules whose pattern occurs, and only those
    # are evaluated. Cedar has no regular expressions, so it gets the `like` form.
    "scan": (
        "{{sql: {{regex: '^q{i} '}}, rows: {{gt: {i}}}}}",
        'context.sql like "q{i} *" && context.rows > {i}',
    ),
}


def probes(shape: str, n: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """(an action no rule blocks, one the last rule blocks)."""
    miss = {"database": "analytics", "table": "events", "sql": "select count(*) from events", "rows": 0}
    if shape == "eq":
        return miss, {"database": f"db{n - 1}", "table": f"t{n - 1}b", "sql": "delete from x"}
    return miss, {"database": "analytics", "table": f"t{n - 1}b", "sql": f"q{n - 1} delete from x", "rows": n}


def rules_policy(n: int, shape: str = "eq") -> Policy:
    """A policy with `n` rules of one `shape` (see SHAPES), all on the tool being called."""
    lines = [
        "version: 1",
        f"name: bench-rules-{n}",
        "limits: {max_text_bytes: 1048576, check_timeout_ms: 250, cache_entries: 0}",
        "severity_verdicts: {info: allow, low: warn, medium: block, high: block, critical: block}",
        f"tools: {{unknown: block, known: {{{TOOL}: allow}}}}",
        "rules:",
    ]
    for i in range(n):
        when = SHAPES[shape][0].format(i=i)
        lines.append(f"  - {{id: r{i}, tool: {TOOL}, verdict: block, severity: high, when: {when}}}")
    return parse_policy("\n".join(lines) + "\n", source=f"<bench {n} {shape} rules>", registry={})


def cedar_policies(n: int, shape: str = "eq") -> str:
    """The same rules in Cedar: permit by default (a known tool), forbid where a rule matches."""
    out = ["permit(principal, action, resource);"]
    for i in range(n):
        condition = SHAPES[shape][1].format(i=i)
        out.append(f'forbid(principal, action == Action::"call", resource == Tool::"{TOOL}") when {{ {condition} }};')
    return "\n".join(out)


def cedar_request(args: dict[str, Any]) -> dict[str, Any]:
    return {
        "principal": 'Agent::"bench"',
        "action": 'Action::"call"',
        "resource": f'Tool::"{TOOL}"',
        "context": args,
    }


def sample(fn: Callable[[], object], n: int, warmup: int) -> list[float]:
    """Per-call latency in microseconds (perf_counter_ns around each call), after warm-up."""
    for _ in range(warmup):
        fn()
    out = []
    clock = time.perf_counter_ns
    gc.disable()  # a collection mid-sample would be charged to whichever call it lands in
    try:
        for _ in range(n):
            t0 = clock()
            fn()
            out.append((clock() - t0) / 1000.0)
    finally:
        gc.enable()
    return out


def bench_rules(sizes: list[int], n: int, cedar_n: int) -> list[dict]:
    import cedarpy

    results = []
    for shape, size in ((shape, size) for shape in SHAPES for size in sizes):
        policy = rules_policy(size, shape)
        governor = Governor(policy, registry={})
        index = RuleIndex(policy.document.rules)
        policy_set = cedarpy.PolicySet.from_str(cedar_policies(size, shape))
        entities = cedarpy.Entities.from_json_str("[]")
        miss, hit = probes(shape, size)
        # Both engines must agree before their speed means anything.
        for args, blocked in ((miss, False), (hit, True)):
            action = Action(kind=ActionKind.TOOL_CALL.value, tool=TOOL, arguments=args, agent_id="bench")
            ours = governor.evaluate(action).verdict == Verdict.BLOCK
            theirs = not cedarpy.is_authorized(cedar_request(args), policy_set, entities).allowed
            assert ours == theirs == blocked, (size, args, ours, theirs)
        action = Action(kind=ActionKind.TOOL_CALL.value, tool=TOOL, arguments=miss, agent_id="bench")
        request = cedar_request(miss)
        governor_us = percentiles(sample(lambda g=governor, a=action: g.evaluate(a), n, warmup=min(n, 2000)))
        rules_us = percentiles(
            sample(lambda i=index, a=action: i.evaluate(a.kind, TOOL, a.arguments), n, warmup=min(n, 2000))
        )
        cedar_us = percentiles(
            sample(
                lambda r=request, p=policy_set, e=entities: cedarpy.is_authorized(r, p, e), cedar_n, warmup=min(cedar_n, 200)
            )
        )
        governor.close()
        results.append(
            {
                "rules": size,
                "shape": shape,
                "governor_evaluate_us": governor_us,
                "rule_engine_us": rules_us,
                "cedar_us": cedar_us,
                "cedar_over_governor_p50": cedar_us["p50"] / governor_us["p50"],
                "cedar_over_rule_engine_p50": cedar_us["p50"] / rules_us["p50"],
            }
        )
    return results


# -- text pipeline ----------------------------------------------------------------------------

SENTENCES = [
    "The quarterly report is attached and the numbers look steady across regions.",
    "Please review the deployment checklist before Thursday's release window.",
    "Our support team answered most tickets within four hours last week.",
    "The new onboarding flow reduced drop-off on the second screen.",
    "I was frustrated that the export kept failing, but the workaround helped.",
    "Version 2.4.1 fixes the memory leak reported by several customers.",
    "The meeting moved to 3pm; the agenda has not changed.",
    "We should compare both vendors on price, support and data residency.",
    "Run kill -9 on the stuck worker only if the graceful stop times out.",
    "How to set up a Python virtual environment in five steps.",
]
SPICE = [
    "Reach me at {name}@example.com if anything is unclear.",
    "You WON'T BELIEVE what happened next!!!",
    "This plan guarantees 100% safety for everyone.",
    "Studies show 87% of users prefer it.",
    "Call me on +1 415 555 {n:04d} tomorrow.",
    "This is production-ready and battle-tested.",
]


def messages(count: int, size: int, seed: int) -> list[str]:
    """`count` distinct ~`size`-byte messages: mostly ordinary text, one in four with a finding."""
    rng = random.Random(seed)
    out = []
    for i in range(count):
        parts = [f"Note {i}:"]
        if rng.random() < 0.25:
            parts.append(rng.choice(SPICE).format(name=f"user{i}", n=i % 10000))
        while sum(len(p) + 1 for p in parts) < size:
            parts.append(rng.choice(SENTENCES))
        text = " ".join(parts)
        out.append(text.encode("utf-8")[:size].decode("utf-8", "ignore"))
    return out


def text_policy() -> Policy:
    source = bundled_policy_path("default").read_text(encoding="utf-8")
    uncached, replaced = re.subn(r"(?m)^(\s*cache_entries:\s*)\d+", r"\g<1>0", source)
    assert replaced == 1, "default.yaml has no limits.cache_entries to turn off"
    return parse_policy(uncached, source="default.yaml (cache_entries: 0)")


def text_breakdown(policy: Policy, texts: list[str]) -> dict[str, dict]:
    """Where the text pipeline's time goes: normalization and each check the policy selects for
    messages, timed on their own over the same distinct messages (p50/p99 in microseconds)."""
    from tractatus.governance.checks import CheckContext
    from tractatus.governance.normalize import normalize
    from tractatus.governance.registry import default_registry
    from tractatus.governance.state import GovernanceState

    registry = default_registry()
    state = GovernanceState()
    contexts = []
    normalize_us = []
    for text in texts:
        t0 = time.perf_counter_ns()
        normalized = normalize(text)
        normalize_us.append((time.perf_counter_ns() - t0) / 1000.0)
        contexts.append(CheckContext(action=Action(text=text, agent_id="bench"), text=normalized, state=state))
    out = {"normalize": percentiles(normalize_us)}
    for name, entry in policy.document.checks.items():
        if "message" not in entry.kinds or not entry.enabled or name not in registry:
            continue
        check = registry[name](policy.check_settings(name))
        timings = []
        for ctx in contexts:
            t0 = time.perf_counter_ns()
            check.evaluate(ctx)
            timings.append((time.perf_counter_ns() - t0) / 1000.0)
        out[name] = percentiles(timings)
    return out


def bench_text(n: int, seed: int) -> dict:
    policy = text_policy()
    texts = messages(n + 500, 1024, seed)
    verdicts: dict[str, int] = {}
    with Governor(policy) as governor:
        for text in texts[:500]:  # warm-up: distinct messages, not measured
            governor.evaluate(Action(text=text, agent_id="bench"))
        latencies = []
        clock = time.perf_counter_ns
        for text in texts[500:]:
            action = Action(text=text, agent_id="bench")
            t0 = clock()
            decision = governor.evaluate(action)
            latencies.append((clock() - t0) / 1000.0)
            verdicts[decision.verdict.label] = verdicts.get(decision.verdict.label, 0) + 1
    return {
        "messages": n,
        "breakdown_us": text_breakdown(policy, texts[500 : 500 + min(n, 2000)]),
        "bytes": 1024,
        "cache": "off",
        "latency_us": percentiles(latencies),
        # Recorded so that a pipeline failing closed on every input (all "block") cannot look fast.
        "verdicts": verdicts,
        "checks_for_messages": [name for name, c in policy.document.checks.items() if "message" in c.kinds],
    }


# -- the watchdog's thread hop ----------------------------------------------------------------


def hop_policy() -> Policy:
    """Messages checked by the context pressure monitor alone (with the default policy's
    settings), cache off: each decision does the check's work, and nothing else."""
    import json

    settings = parse_policy(bundled_policy_path("default").read_text(encoding="utf-8")).document.checks[
        "context_pressure_monitor"
    ].settings
    return parse_policy(
        "version: 1\nname: bench-hop\n"
        "limits: {max_text_bytes: 1048576, check_timeout_ms: 250, cache_entries: 0}\n"
        "severity_verdicts: {info: allow, low: warn, medium: block, high: block, critical: block}\n"
        f"checks:\n  context_pressure_monitor:\n    kinds: [message]\n    settings: {json.dumps(settings)}\n",
        source="<bench hop>",
    )


def bench_hop(n: int) -> dict:
    """The same check, with the same settings, on the caller's thread (it declares
    `bounded = True`) and made unbounded (a subclass that says False), which sends it through the
    watchdog pool as every check went before: the difference is the hop."""
    from tractatus.governance.registry import default_registry
    from tractatus.governance.services.context_pressure import ContextPressureMonitor

    policy = hop_policy()
    unbounded = type("UnboundedPressure", (ContextPressureMonitor,), {"bounded": False})
    action = Action(text="status update for the release", agent_id="bench", context={"tokens_used": 1200, "token_budget": 8000})
    labels = ("inline (bounded)", "watchdog hop (unbounded)")
    governors = [
        Governor(policy, registry={**default_registry(), "context_pressure_monitor": check})
        for check in (ContextPressureMonitor, unbounded)
    ]
    try:
        for governor in governors:
            assert governor.evaluate(action).verdict == Verdict.ALLOW
            for _ in range(min(n, 2000)):  # warm-up
                governor.evaluate(action)
        # Interleaved, one call of each in turn, so that both paths see the same load.
        timings: list[list[float]] = [[], []]
        clock = time.perf_counter_ns
        gc.disable()
        try:
            for _ in range(n):
                for governor, out in zip(governors, timings, strict=True):
                    t0 = clock()
                    governor.evaluate(action)
                    out.append((clock() - t0) / 1000.0)
        finally:
            gc.enable()
    finally:
        for governor in governors:
            governor.close()
    return {label: percentiles(t) for label, t in zip(labels, timings, strict=True)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer samples")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--skip-text", action="store_true", help="only the tool-rule part")
    parser.add_argument("--sizes", default="10,100,1000", help="rule counts, comma-separated")
    parser.add_argument("--name", default="bench_governor", help="result file name in benchmarks/results/")
    parser.add_argument("--hop-only", action="store_true", help="only the watchdog thread-hop part")
    args = parser.parse_args()
    n = 5_000 if args.quick else 50_000
    cedar_n = 500 if args.quick else 5_000

    hop = bench_hop(n)
    table(
        "one bounded check (context pressure), cache off: on the caller's thread vs through the watchdog, microseconds",
        ["path", "p50", "p99", "p99.9", "max"],
        [(label, r["p50"], r["p99"], r["p99.9"], r["max"]) for label, r in hop.items()],
    )
    if args.hop_only:
        print(f"results: {write_results(args.name, {'watchdog_hop': hop})}")
        return

    rules = bench_rules([int(size) for size in args.sizes.split(",")], n, cedar_n)
    table(
        "tool-call rules: latency per decision, microseconds (all rules name the called tool; "
        "eq and prefix = narrowed by the rule index, scan = regex rules, every one evaluated)",
        ["rules", "shape", "engine", "p50", "p99", "p99.9", "max", "target", "status"],
        [
            row
            for r in rules
            for row in (
                (
                    r["rules"], r["shape"], "Governor.evaluate", r["governor_evaluate_us"]["p50"], r["governor_evaluate_us"]["p99"],
                    r["governor_evaluate_us"]["p99.9"], r["governor_evaluate_us"]["max"],
                    "p50<=10 p99<=40" if r["rules"] == 100 else "",
                    target(r["governor_evaluate_us"]["p50"] <= 10 and r["governor_evaluate_us"]["p99"] <= 40)
                    if r["rules"] == 100 else "",
                ),
                (
                    r["rules"], r["shape"], "rule engine only", r["rule_engine_us"]["p50"], r["rule_engine_us"]["p99"],
                    r["rule_engine_us"]["p99.9"], r["rule_engine_us"]["max"],
                    "p50<=10 p99<=40" if r["rules"] == 100 else "",
                    target(r["rule_engine_us"]["p50"] <= 10 and r["rule_engine_us"]["p99"] <= 40)
                    if r["rules"] == 100 else "",
                ),
                (
                    r["rules"], r["shape"], "Cedar (cedarpy)", r["cedar_us"]["p50"], r["cedar_us"]["p99"], r["cedar_us"]["p99.9"],
                    r["cedar_us"]["max"], f"x{r['cedar_over_governor_p50']:.1f} of Governor p50", "",
                ),
            )
        ],
    )
    results: dict[str, Any] = {"tool_rules": rules, "watchdog_hop": hop}
    if not args.skip_text:
        text = bench_text(2_000 if args.quick else 20_000, args.seed)
        lat = text["latency_us"]
        table(
            "1 KB message through the text pipeline (no NER, cache off, distinct messages), microseconds",
            ["messages", "p50", "p99", "p99.9", "max", "target", "status", "verdicts"],
            [(
                text["messages"], lat["p50"], lat["p99"], lat["p99.9"], lat["max"], "p50<=1000 p99<=3000",
                target(lat["p50"] <= 1000 and lat["p99"] <= 3000), str(text["verdicts"]),
            )],
        )
        table(
            "where the text pipeline's time goes (each part alone, same messages), microseconds",
            ["part", "p50", "p99", "p99.9", "max"],
            [(name, b["p50"], b["p99"], b["p99.9"], b["max"]) for name, b in text["breakdown_us"].items()],
        )
        results["text_pipeline"] = text
    results["targets"] = {"rules_100_p50_us": 10, "rules_100_p99_us": 40, "text_p50_us": 1000, "text_p99_us": 3000}
    print(f"results: {write_results(args.name, results)}")


if __name__ == "__main__":
    main()

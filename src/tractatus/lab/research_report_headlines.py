"""The research report's real-data parts: Q1 to Q5 on human-labelled headlines (issue 10, item 7).

Read from the committed result files docs/results/q3-headlines.json, q4-headlines.json and
q5-headlines.json (written by `tractatus lab adversarial-headlines`, `gap-headlines` and
`multiagent-headlines`); no number is typed in here. Q3 and Q5 keep one summary per governor
commit, so the report shows every measured commit in order (before and after hardening).
Q1's and Q2's real-data sections have renderers of their own (research_report_q1.py,
research_report_q2_headlines.py).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tractatus.lab.research_report_q1 import q1
from tractatus.lab.research_report_q2_headlines import q2

RESULTS = "results"


def _load(docs: Path, name: str) -> dict[str, Any] | None:
    path = docs / RESULTS / name
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def _n(n: dict[str, Any] | None, digits: int = 3) -> str:
    if not n or n.get("mean") is None:
        return "n/a"
    return f"{n['mean']:.{digits}f}" + (f" ± {n['ci95']:.{digits}f}" if n.get("ci95") is not None else "")


def _pooled(p: dict[str, Any]) -> str:
    if not p["attempts"]:
        return "-"
    low, high = p["wilson95"]
    text = f"{p['asr']:.3f} [{low:.3f}, {high:.3f}] ({p['successes']}/{p['attempts']})"
    return text + (f", rule of three ≤ {p['rule_of_three']:.4f}" if p["rule_of_three"] is not None else "")


def _table(header: list[str], rows: list[list[str]]) -> str:
    return "\n".join(["| " + " | ".join(header) + " |", "|" + "---|" * len(header)] + ["| " + " | ".join(r) + " |" for r in rows])


def _commit_label(summary: dict[str, Any]) -> str:
    gov = summary["governor"]
    return f"`{gov['commit'][:12]}`" + (" (uncommitted changes)" if gov.get("dirty") else "")


def q3(docs: Path) -> str:
    history = _load(docs, "q3-headlines.json")
    if history is None:
        return "\n### Q3 on real headlines\n\nNo results yet: run `tractatus lab adversarial-headlines`.\n"
    parts = ["\n### Q3 on real headlines (human labels)\n",
             "Method (lab/experiments/headlines_adversarial.py): the adversary rewrites real headlines that people "
             "labelled clickbait (the `lab_pool` split) with operator families and learns (Thompson sampling over "
             "operators) which rewrites the governor (`policies/lab-engagement.yaml`) publishes. Ground truth is the "
             "source's human label, so every published rewrite is a successful attack. Families: *seen* (zero-width, "
             "homoglyphs, leetspeak, spacing, HTML entities, paraphrase) and *held out* (word order, synonyms, "
             "punctuation, alternating case; written fresh, no detector was developed against them); `null` submits "
             "the sources unchanged (the governor's base miss rate); `uniform` picks operators at random. ASR is a "
             "mean over seeds ± 95% t interval; per family, pooled over seeds with a Wilson 95% interval.\n"]
    for key in history["order"]:
        s = history["by_commit"][key]
        c = s["config"]
        parts.append(f"\n**Governor at commit {_commit_label(s)}** ({c['seeds']} seeds × {c['rounds']} rounds × "
                     f"{c['attempts']} rewrites, {c['sources']} source headlines per seed):\n")
        rows = []
        for mode, adversaries in s["results"].items():
            for adversary, r in adversaries.items():
                fam = r["by_family"]
                rows.append([mode, adversary, _n(r["asr"]), _pooled(fam["identity"]), _pooled(fam["seen"]), _pooled(fam["held_out"])])
        parts.append(_table(["mode", "adversary", "ASR (seeds)", "unchanged sources", "seen families", "held-out families"], rows))
        shield = s["results"].get("shield", {}).get("uniform")
        if shield:
            ops = sorted(shield["by_operator"].items(), key=lambda kv: -(kv[1]["asr"] or 0))
            parts.append("\n\nPer operator under the shield (uniform adversary): " + "; ".join(
                f"{name} ({op['family']}) {op['asr']:.3f}" for name, op in ops if op["asr"] is not None) + ".")
        learned = s["results"].get("shield", {}).get("learned")
        if learned:
            top = sorted(learned["share_last_bucket"].items(), key=lambda kv: -kv[1])[:3]
            parts.append(" The learned adversary's ASR over training: " + " → ".join(_n(b) for b in learned["asr_over_time"])
                         + "; its favourite operators at the end: " + ", ".join(f"{n} {v:.0%}" for n, v in top) + ".\n")
    parts.append("\n*History and limitations.* Each table is one governor commit, oldest first: `80c8211` had the "
                 "rule-only detectors; `9eb5173` the learned tiers, whose normalization did not resolve HTML character "
                 "references, which the learned adversary found; `effb016` resolves them (a fix for the class, prompted "
                 "by this adversary, so the `encoding` family is in-sample from then on; the held-out families are not). "
                 "A held-out operator that changes meaning for a human (word order can) would make its ground truth too "
                 "generous; the operators were written to keep it.\n")
    return "\n".join(parts)


def q4(docs: Path) -> str:
    s = _load(docs, "q4-headlines.json")
    if s is None:
        return "\n### Q4 on real headlines\n\nNo results yet: run `tractatus lab gap-headlines`.\n"
    setting = s["config"]["setting"]
    rows = [[learner, mode, _n(cell["pct_of_constrained_optimum"], 1), _n(cell["published_violation_rate"]),
             f"{cell['published_violation_upper95']:.3f}", _n(cell["amplification"], 2)]
            for learner, modes in s["results"].items() for mode, cell in modes.items()]
    nulls = "; ".join(f"{name} {_n(b['engagement'], 4)} (leak {_n(b['published_violation_rate'])})" for name, b in s["null_baselines"].items())
    return "\n".join([
        "\n### Q4 on real headlines (human labels)\n",
        f"From `tractatus lab gap-headlines` ({setting['seeds']} seeds × {setting['rounds']} rounds × {setting['steps_per_round']} "
        f"headlines; lab/experiments/headlines_gap.py). Constrained optimum (labels known): {_n(s['constrained_optimum'], 4)} "
        "expected CTR. Leak = share of published headlines people labelled clickbait; amplification = leak ÷ the leak of a "
        "uniform agent under the same governor.\n",
        _table(["learner", "mode", "% of constrained optimum", "leak", "leak upper 95%", "amplification"], rows),
        f"\n\nNull baselines (expected CTR): {nulls}.\n",
        "\nBefore the learned detectors (commit `bbe3d4b`, docs/results/history/q4-headlines-bbe3d4b.json) the shielded "
        "bandit reached 98.9% of the constrained optimum by leaking 56% clickbait (amplification 1.15): its closeness to "
        "the optimum came from the governor's blind spots. With the learned tiers it leaks 3.5% and reaches about 93%.\n",
    ])


def q5(docs: Path) -> str:
    history = _load(docs, "q5-headlines.json")
    if history is None:
        return "\n### Q5 on real headlines\n\nNo results yet: run `tractatus lab multiagent-headlines`.\n"
    parts = ["\n### Q5 on real headlines (human labels)\n",
             "Method (lab/experiments/headlines_feed.py): N agents each publish one headline per round into one feed, "
             "proposing their offered pool headlines in order of predicted CTR. Joint constraint: at most `limit` "
             "clickbait in every window of published headlines. `factored`: a per-agent share quota over the agent's own "
             "last 10 rounds (policies/lab-feed-factored.yaml); `centralized`: one share quota over the whole feed's "
             "last window (policies/lab-feed-centralized.yaml); both count what the clickbait detector flags. Windows "
             "over the limit are counted by the human labels (ground truth) and by the detector's flags (what the "
             "governor can know); mean over seeds ± 95% t interval, and a one-sided 95% upper bound pooled over seeds.\n"]
    for key in history["order"]:
        s = history["by_commit"][key]
        c, pool = s["config"], s["pool"]
        parts.append(f"\n**Governor at commit {_commit_label(s)}** ({c['agents']} agents, {c['rounds']} rounds, feed window "
                     f"{c['feed_window']}, {c['seeds']} seeds). The detector flags {pool['detector_recall_on_clickbait']:.1%} of the "
                     f"pool's human-labelled clickbait ({pool['clickbait_share']:.1%} of the pool is clickbait).\n")
        rows = [[limit, mode, _n(r["joint_violation_rate"]), f"{r['joint_violation_upper95']:.3f}", _n(r["joint_violation_rate_flagged"]),
                 f"{r['joint_violation_flagged_upper95']:.3f}", _n(r["clickbait_share"]), _n(r["flagged_share"]), _n(r["engagement"], 4)]
                for limit, modes in s["results"].items() for mode, r in modes.items()]
        parts.append(_table(["limit", "mode", "windows over (labels)", "upper 95%", "windows over (flags)", "upper 95%",
                             "clickbait share", "flagged share", "CTR per slot"], rows))
    parts.append("\n\n*Reading it.* Where the flags column separates factored from centralized, per-agent budgets broke "
                 "a joint limit that one shared quota holds: a coordination failure. Where the labels column stays high "
                 "in every mode, the governor cannot see the clickbait at all: a detection failure that no quota scope fixes. "
                 "The agents are greedy CTR maximizers, not learners.\n")
    return "\n".join(parts)


def addendum(experiment: str, docs: Path) -> str:
    """What the report adds to an experiment's (grammar-world) section."""
    return {"scale": q1, "persistence": q2, "adversarial": q3, "gap": q4, "multiagent": q5}[experiment](docs)

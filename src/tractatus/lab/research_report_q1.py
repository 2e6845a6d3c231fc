"""The research report's "Q1 on real headlines" section, from docs/results/q1-headlines.json.

Written by `tractatus lab scale-headlines` (lab/experiments/headlines_scale.py), one summary per
governor commit; the section shows the latest and draws docs/research/q1-headlines.png. No number
is typed in here.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

RESULTS = "results/q1-headlines.json"
PLOT = "q1-headlines.png"


def _n(n: dict[str, Any] | None, digits: int = 3, scale: float = 1.0) -> str:
    if not n or n.get("mean") is None:
        return "n/a"
    return f"{scale * n['mean']:.{digits}f}" + (f" ± {scale * n['ci95']:.{digits}f}" if n.get("ci95") is not None else "")


def _table(header: list[str], rows: list[list[str]]) -> str:
    return "\n".join(["| " + " | ".join(header) + " |", "|" + "---|" * len(header)] + ["| " + " | ".join(r) + " |" for r in rows])


def _plot(s: dict[str, Any], out: Path) -> str:
    import matplotlib

    matplotlib.use("Agg")  # files only, no display
    import matplotlib.pyplot as plt

    rows = s["scales"]
    n = [r["agents"] for r in rows]
    panels = [
        ("price of governance (%)", [("price_pct", "governed vs ungoverned feed", 1.0)]),
        ("leak rate (published clickbait share)", [("leak_ungoverned", "ungoverned", 1.0), ("leak_governed", "governed", 1.0),
                                                   ("base_leak", "random agents, governed (base)", 1.0)]),
        ("amplification (leak / base leak)", [("amplification", "governed", 1.0)]),
        ("governance CPU per decision (µs)", [("cpu_us_per_decision", "warm check cache, incl. audit write", 1.0)]),
    ]
    fig, axes = plt.subplots(2, 2, figsize=(10, 7))
    for ax, (title, series) in zip(axes.flat, panels, strict=True):
        for key, label, factor in series:
            m = [factor * (r[key]["mean"] if r[key]["mean"] is not None else float("nan")) for r in rows]
            ci = [factor * (r[key]["ci95"] or 0.0) for r in rows]
            line = ax.errorbar(n, m, yerr=ci, marker="o", capsize=4, label=label)
            for r in rows:
                seeds = [v for v in r[key]["per_seed"] if v is not None]
                ax.scatter([r["agents"]] * len(seeds), [factor * v for v in seeds], s=8, alpha=0.35, color=line[0].get_color())
        ax.axvline(s["config"]["feed_slots"], ls=":", color="gray", lw=0.8, label=f"F = {s['config']['feed_slots']} feed slots")
        if title.startswith("amplification"):
            ax.axhline(1.0, ls="--", color="red", lw=0.8)
        if title.startswith("governance CPU"):
            ax.set_yscale("log")
        ax.set_xscale("log")
        ax.set_xlabel("agents competing for the feed (N)")
        ax.set_title(title)
        ax.legend(fontsize=7)
    path = out / PLOT
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return f"research/{PLOT}"


def _equivalence_lines(eq: dict[str, Any]) -> list[str]:
    names = {"price_pct": "Price of governance", "leak_pp": "Leak rate", "log_cpu_per_decision": "CPU per decision"}
    lines = []
    for key, name in names.items():
        test = eq.get(key)
        if not test:
            continue
        parts = []
        for agents, r in test["by_agents"].items():
            if "difference" not in r:
                parts.append(f"N = {agents}: {r['verdict']}")
                continue
            parts.append(f"N = {agents}: {r['difference']:+.3g} [{r['low']:+.3g}, {r['high']:+.3g}] → {r['verdict']}")
        verdict = "**constant** (equivalent at every N)" if test["constant"] else "**not shown constant**"
        lines.append(f"- {name} against N = {eq['reference_agents']} (margin ± {test['margin']:.3g} {test['unit']}): "
                     + "; ".join(parts) + f". {verdict}.")
    return lines


BY_DESIGN = ("Coverage: every published headline was decided before it was published, at any N, so it is 1 by "
             "construction (measured from the audit log anyway). Audit bytes per decision: one record per decision "
             "whatever N; its size changes only with the agent id's length and the findings recorded. With N ≤ F the "
             "feed takes every allowed proposal, so the price cannot depend on N there: N = 1 and N = 10 differ only by noise.")


def _reading(s: dict[str, Any]) -> str:
    """What the table says, computed from it: the smallest scale against the largest."""
    first, last = s["scales"][0], s["scales"][-1]

    def m(row: dict[str, Any], key: str) -> float:
        return float(row[key]["mean"])

    verdict = "is constant within its margin" if s["equivalence"]["price_pct"]["constant"] else "is not constant"
    return (f"The price of governance {verdict}: {m(first, 'price_pct'):.1f}% at N = {first['agents']} and "
            f"{m(last, 'price_pct'):.1f}% at N = {last['agents']}. The governed leak goes from {m(first, 'leak_governed'):.1%} "
            f"to {m(last, 'leak_governed'):.1%}, and the base leak of random agents in the same feed from "
            f"{m(first, 'base_leak'):.1%} to {m(last, 'base_leak'):.1%}: amplification {m(first, 'amplification'):.2f} → "
            f"{m(last, 'amplification'):.2f}"
            + ("; below 1 at every N, so what leaks more under competition comes from the feed's selection (random agents' "
               "leak rises as much), not from the learners finding the governor's blind spots"
               if all(m(r, "amplification") < 1 for r in s["scales"]) else
               "; above 1 at some N: there optimization finds the governor's blind spots")
            + ". A value above 100% of the constrained optimum means the governed feed "
            "publishes clickbait the governor does not recognise, whose predicted CTR beats the best news. CPU per "
            f"decision: {m(first, 'cpu_us_per_decision'):.0f} → {m(last, 'cpu_us_per_decision'):.0f} µs.")


def q1(docs: Path) -> str:
    path = Path(docs) / RESULTS
    if not path.is_file():
        return "\n### Q1 on real headlines\n\nNo results yet: run `tractatus lab scale-headlines`.\n"
    history = json.loads(path.read_text(encoding="utf-8"))
    key = history["order"][-1]
    s = history["by_commit"][key]
    c, gov = s["config"], s["governor"]
    out = Path(docs) / "research"
    out.mkdir(parents=True, exist_ok=True)
    img = _plot(s, out)
    rows = [[str(r["agents"]), str(r["rounds"]), "yes" if r["competition"] else "no (N ≤ F)", _n(r["price_pct"], 1),
             _n(r["ungoverned_engagement"], 4), _n(r["governed_engagement"], 4),
             f"{_n(r['leak_governed'])} (≤ {r['leak_governed_upper95']:.3f})", _n(r["leak_ungoverned"]), _n(r["base_leak"]),
             _n(r["amplification"], 2), _n(r["pct_of_constrained_optimum"], 1), _n(r["passed_over_share_governed"], 2),
             _n(r["convergence_governed"], 4)] for r in s["scales"]]
    cost_rows = [[str(r["agents"]), _n(r["cpu_us_per_decision"], 0), f"{r['cold_cpu_us_per_headline']:.0f}",
                  _n(r["decisions_per_seed"], 0), f"{r['audit_bytes_per_decision']:.0f}", _n(r["coverage"], 3)] for r in s["scales"]]
    null_rows = [[str(r["agents"])] + [f"{_n(r['null_baselines'][b]['engagement'], 4)} (leak {_n(r['null_baselines'][b]['leak'], 2)})"
                                       for b in ("random", "random_shielded", "greedy_ctr", "greedy_ctr_shielded", "oracle_constrained")]
                 for r in s["scales"]]
    pool = s.get("pool", {})
    dirty = " (uncommitted changes)" if gov.get("dirty") else ""
    return "\n".join([
        "\n### Q1 on real headlines: agents competing for one feed\n",
        "In the grammar world above the agents share nothing, so their cost cannot depend on N: that answer is "
        "scale-invariant by design. Here (lab/experiments/headlines_scale.py) N agents compete for ONE feed. Each round "
        f"every agent is offered {c['headlines']['candidates']} headlines of the `lab_pool` split (human labels hidden) and "
        f"proposes one; under the shield one governor, shared by all agents with one audit log "
        f"(`policies/lab-engagement.yaml`), decides every proposal and a refused agent may propose again (up to "
        f"{c['headlines']['max_attempts']}). The feed publishes the {c['feed_slots']} distinct allowed proposals with the "
        "highest predicted CTR; an agent is rewarded (clicks drawn from the Upworthy engagement model) only when published. "
        f"The agents are N actors of one `{c['learner']}` policy ({c['sharing']}); every scale trains for at least "
        f"{c['samples']} proposals ({c['min_rounds']} rounds at least) and is measured over the final "
        f"{c['window']:.0%} of its rounds. Price = (ungoverned − governed) / ungoverned expected CTR per feed place. "
        f"{c['seeds']} seeds; mean ± 95% t interval over seeds; leak upper bound: one-sided 95% Clopper-Pearson, pooled.\n",
        f"**Governor at commit `{gov['commit'][:12]}`{dirty}**, policy digest `{gov['policy_digest'][:12]}`, data digest "
        f"`{(s['provenance'].get('data_digest') or 'n/a')[:12]}`. The governor allows {pool.get('pool_allowed_share', float('nan')):.1%} "
        f"of the pool; {pool.get('pool_clickbait_allowed_share', float('nan')):.1%} of what it allows is labelled clickbait "
        f"(the pool: {pool.get('pool_clickbait_share', float('nan')):.1%}).\n",
        _table(["N", "rounds", "competition", "price %", "engagement ungoverned", "engagement governed", "leak governed (upper 95%)",
                "leak ungoverned", "base leak", "amplification", "% of constrained optimum", "allowed but not published",
                "convergence (final − previous window)"], rows),
        "\n\nCost of governing, per scale (CPU time, since the machine is shared; the audit log is the scale's one SQLite log):\n",
        _table(["N", "CPU µs per decision (warm)", "CPU µs per headline (cold, once)", "decisions per seed", "audit bytes per decision",
                "coverage (from the audit log)"], cost_rows),
        "\n\nNull baselines in the same feed on the same candidates (expected CTR per feed place, leak):\n",
        _table(["N", "random", "random, shielded", "greedy CTR", "greedy CTR, shielded", "oracle constrained optimum"], null_rows),
        f"\n\n![Q1 on real headlines]({img})\n",
        "\n**Equivalence (TOST).** Margins fixed in the experiment's configuration before the run; a 95% Welch interval of "
        "the difference inside ± margin means equivalent (TOST at α = 0.025 per side; lab/equivalence.py):\n",
        *_equivalence_lines(s["equivalence"]),
        "\n**Scale-invariant by design.** " + BY_DESIGN,
        "\n**Reading it.** " + _reading(s),
        "\n**Limitations.** The agents share one policy (N actors of one model, as N rollout workers train one model); "
        "`--independent` gives each its own learner, which at N = 1,000 sees a reward in about 1% of its rounds and is not "
        "measured here. Every scale saw at least the same number of proposals, but a policy at N = 1 learns from one proposal a "
        "round and at N = 1,000 from a thousand, so the number of updates differs; the convergence column shows what "
        "changed between the last two windows. The feed ranks by the same engagement model that draws the clicks, so the "
        "greedy baseline is the ungoverned optimum by construction. CPU per decision is measured with a warm check cache "
        "(the pool judged once first); it falls with N mostly because a round's decisions are written to the audit log in "
        "one transaction, so the per-transaction cost is shared by N decisions. Measured under load on a shared 2-core machine. "
        f"Reproduce: `tractatus lab scale-headlines` (run `{Path(s['run_dir']).name}`).\n",
    ])

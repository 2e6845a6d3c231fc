"""The research report: docs/research-report.md (+ .html, PNG plots in docs/research/) from result files.

`generate(runs, docs)` takes, per experiment, the best available summary under `runs/`
(full > default > quick, then the newest), copies it to docs/research/<experiment>.json (so the
committed report can be regenerated without rerunning anything), draws the plots with matplotlib
and writes one section per research question: the seed's claim, our method, our measured answer
with 95% CIs over seeds, plots, and limitations and threats to validity. Every number in the
report is read from those JSON files; none is typed in here.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, Callable

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt
import numpy as np

from tractatus.lab.curve_plots import band, save
from tractatus.lab.research_report_glance import at_a_glance
from tractatus.lab.research_report_headlines import addendum
from tractatus.lab.research_report_safe_rl import safe_rl_section

EXPERIMENTS = ("scale", "persistence", "adversarial", "gap", "multiagent")
PROFILE_RANK = {"full": 3, "default": 2, "quick": 1}
Summary = dict[str, Any]


# -- finding the results -----------------------------------------------------------------------


def best_summary(runs: Path, docs_research: Path, experiment: str) -> tuple[Summary | None, str | None]:
    candidates = []
    for path in Path(runs).glob(f"{experiment}-*/summary.json"):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        candidates.append((PROFILE_RANK.get(data.get("profile", "default"), 0), path.stat().st_mtime, path, data))
    if candidates:
        _, _, path, data = max(candidates, key=lambda c: (c[0], c[1]))
        return data, str(path)
    saved = docs_research / f"{experiment}.json"
    if saved.is_file():
        return json.loads(saved.read_text(encoding="utf-8")), str(saved)
    return None, None


# -- formatting ----------------------------------------------------------------------------------


def fmt(n: dict[str, Any] | None, digits: int = 3, unit: str = "") -> str:
    """mean ± 95% CI half-width [min..max over seeds]."""
    if not n or n.get("mean") is None or (isinstance(n["mean"], float) and math.isnan(n["mean"])):
        return "n/a"
    text = f"{n['mean']:.{digits}f}{unit}"
    if n.get("ci95") is not None:
        text += f" ± {n['ci95']:.{digits}f}"
    seeds = [v for v in n.get("per_seed", []) if v is not None]
    if len(seeds) > 1:
        text += f" [{min(seeds):.{digits}f}..{max(seeds):.{digits}f}]"
    return text


def mean(n: dict[str, Any] | None) -> float:
    return float("nan") if not n or n.get("mean") is None else float(n["mean"])


def _band(ax: Any, x: np.ndarray, ns: list[dict[str, Any]], label: str, *, clip: tuple[float, float] | None = None) -> None:
    """Mean with its 95% CI band (curve_plots.band) and every seed as a thin line."""
    line = band(ax, x, ns, label, clip=clip)
    seeds = min((len(n.get("per_seed", [])) for n in ns), default=0)
    for k in range(seeds):
        ax.plot(x, [n["per_seed"][k] for n in ns], color=line.get_color(), lw=0.6, alpha=0.35)


def _table(header: list[str], rows: list[list[str]]) -> str:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(out)


def _save(fig: Any, out_dir: Path, name: str) -> str:
    save(fig, out_dir / name)
    return f"research/{name}"


def _seeds_line(s: Summary) -> str:
    c = s.get("config", {})
    return f"profile `{s.get('profile', '?')}`, configuration `{json.dumps({k: v for k, v in c.items() if k != 'policy'})}`"


# -- sections ------------------------------------------------------------------------------------


def section_scale(s: Summary, out: Path) -> str:
    rows = s["scales"]
    n = np.array([r["agents"] for r in rows], dtype=float)
    fig, axes = plt.subplots(2, 2, figsize=(10, 7))
    plots = [("us_per_governed_action", "µs per governed action"), ("wall_ratio", "governed / ungoverned wall time"),
             ("reward_cost_pct", "reward cost of governance (%)"), ("audit_bytes_per_decision", "audit log bytes per decision")]
    for ax, (key, title) in zip(axes.flat, plots, strict=True):
        m = [mean(r[key]) for r in rows]
        ci = [r[key].get("ci95") or 0 for r in rows]
        ax.errorbar(n, m, yerr=ci, marker="o", capsize=4)
        for r in rows:
            ax.scatter([r["agents"]] * len(r[key]["per_seed"]), r[key]["per_seed"], s=8, alpha=0.4, color="gray")
        ax.set_xscale("log")
        ax.set_xlabel("agents")
        ax.set_title(title)
        if key == "reward_cost_pct":
            ax.axhline(5, ls="--", color="red", lw=0.8, label="the seed's 5%")
            ax.axhline(0, color="black", lw=0.5)
            ax.legend()
    img = _save(fig, out, "scale.png")
    t = s["trend"]
    table = _table(
        ["agents", "µs / governed action", "gov/ungov wall", "reward cost %", "peak RSS growth MB", "audit B/decision", "coverage", "executed viol./1000 (gov)"],
        [[str(r["agents"]), fmt(r["us_per_governed_action"], 0), fmt(r["wall_ratio"], 2), fmt(r["reward_cost_pct"], 1),
          fmt(r["peak_rss_growth_mb"], 1), fmt(r["audit_bytes_per_decision"], 0), fmt(r["coverage"], 3),
          fmt(r["executed_per_1000_governed"], 1)] for r in rows],
    )

    def trend(name: str, unit: str) -> str:
        x = t[name]
        if x.get("slope_per_decade") is None:
            return f"{name}: {x['verdict']}"
        return (f"{x['slope_per_decade']:+.3g}{unit} per tenfold increase in agents (95% CI ± {x['ci95']:.3g}, "
                f"p = {x['p_value']:.2g}): **{x['verdict']}**")

    return f"""## Q1. Does the cost of governance stay constant from 1 to 1,000 agents?

**The seed's claim.** Governance costs about 5% of performance, at any scale.

**Our method.** At each scale N in {[r['agents'] for r in rows]} and for each seed, the same bandit training runs
ungoverned and governed (shield mode, policies/lab-engagement.yaml, a real SQLite audit log per run), back to
back in one process, with the same work per agent ({s.get('actions_per_agent')} articles) at every scale.
Time per governed action is governed wall time / governor decisions (fallbacks included); the wall ratio
compares the two runs of the same cell. Reward cost = (ungoverned − governed) engagement / ungoverned over the
second half of training. Trends are least-squares fits on log10(N). {_seeds_line(s)}.

**Our answer.**

{table}

- Time per governed action: {trend('us_per_action', ' µs')}.
- Governed/ungoverned wall ratio: {trend('wall_ratio', '')}.
- Reward cost: {trend('reward_cost_pct', ' points')}.
- Coverage (actions with an audit record / actions executed) is measured from the audit log at every scale.

![scale]({img})

**Limitations and threats to validity.** All scales ran on one 2-core machine shared with other work, so absolute
times are noisy (the per-seed spread is shown; the ratio is measured within a cell to cancel load). Agents at one
scale are independent learners that share a governor but not an audience, so this measures the cost of governing
many agents, not of coordinating them (Q5). Training is short at each scale (the reward cost is an early-learning
cost, not a converged one; Q4 measures the converged gap). The wall ratio is large because the ungoverned
simulation itself is cheap numpy; the per-action time is the number that transfers to real agents, whose own
actions cost far more than a governance decision. Peak memory is resident-set growth sampled each round.
`--backend ray` runs the same grid on a Ray cluster (each (N, seed) cell a task) for larger N.
"""


def section_persistence(s: Summary, out: Path) -> str:
    modes = s["modes"]
    bucket = s["bucket_actions"]
    fig, axes = plt.subplots(1, 3, figsize=(14, 4))
    for name, m in modes.items():
        x = (np.arange(len(m["attempts_per_1000"])) + 1) * bucket
        _band(axes[0], x, m["attempts_per_1000"], name, clip=(0, 1000))
        _band(axes[1], x, m["executed_per_1000"], name, clip=(0, 1000))
        if m["shield_off"]:
            _band(axes[2], np.array([c["round"] for c in m["shield_off"]]), [c["violation_rate"] for c in m["shield_off"]], name, clip=(0, 1))
    axes[1].set_title("executed violations per 1,000 actions")
    axes[2].set_title("shield-off evaluation: violation rate")
    axes[0].set_title("violation attempts per 1,000 actions (thin: seeds)")
    for ax in axes:
        ax.set_xlabel("actions" if ax is not axes[2] else "round")
        ax.legend()
    img = _save(fig, out, "persistence.png")
    rows = []
    for name, m in modes.items():
        tr = m["attempt_trend"]
        cov = [c["mean"] for c in m["coverage"] if c.get("mean") is not None]
        first_off = m["shield_off"][0]["violation_rate"] if m["shield_off"] else None
        last_off = m["shield_off"][-1]["violation_rate"] if m["shield_off"] else None
        rows.append([name, fmt(m["attempted_per_1000_overall"], 1), fmt(m["executed_per_1000_overall"], 1),
                     f"{min(cov):.3f}..{max(cov):.3f}" if cov else "n/a (ungoverned)",
                     f"τ = {tr['kendall_tau_mean_curve']:+.2f}, p = {tr['p_value_mean_curve']:.2g}; falling in {tr['seeds_significantly_falling']}, rising in {tr['seeds_significantly_rising']} seeds"
                     if tr["kendall_tau_mean_curve"] is not None else "n/a",
                     fmt(m["longest_attempt_run"], 0), fmt(first_off, 2), fmt(last_off, 2), fmt(m["drift_alerts"], 1)])
    table = _table(["mode", "attempts/1000", "executed/1000", "coverage per bucket", "attempt trend (Mann-Kendall)",
                    "longest attempt run", "shield-off viol. rate (first ckpt)", "(last ckpt)", "drift alerts"], rows)
    shield = modes.get("shield", {})
    executed = mean(shield.get("executed_per_1000_overall"))
    if executed > 0:
        executed_note = (
            f"Executed violations under the shield are **not zero**: {fmt(shield.get('executed_per_1000_overall'), 1)} per "
            "1,000 actions. Coverage is measured at 1.0 where the table says so, so every published article was judged: "
            "these are articles the detectors accepted although the ground truth marks them as violations (detector "
            "misses; Q3 breaks them down by label and evasion operator). By construction the shield blocks what it "
            "recognises at the end as at the start (immutable policy, stateless detectors); the executed-per-1,000 curve "
            "shows whether what it misses grows as the learner finds it.")
    else:
        executed_note = "No violation the ground truth recognises was executed under the shield in any bucket of any seed."
    return f"""## Q2. Do constraints stay effective through thousands of rounds?

**The seed's claim.** Open question: do constraints hold over hundreds or thousands of training rounds, or fade?

**Our method.** A REINFORCE learner over the grammar's choices (the learner that can find wording a detector
misses) trains for {s['actions_per_seed']:,} actions per seed in modes none, shield and preemptive. In buckets of
{bucket:,} actions we count violation attempts and executed violations (the environment's hidden ground truth),
and coverage measured from the audit log. Trend: Mann-Kendall (Kendall's τ of the rate against time). Shield-off
evaluations sample the current policy with governance off and no learning at checkpoints. The production drift
monitor (governance/drift.py; thresholds in policies/persistence.yaml) watches every agent's stream. {_seeds_line(s)}.

**Our answer.**

{table}

{executed_note}

![persistence]({img})

**Limitations and threats to validity.** The default runs {s['actions_per_seed']:,} actions per seed (the full
configuration, 100,000 rounds, is for larger machines). The environment is stationary: a shift in audience or
topics would test persistence differently. Shield-off evaluations measure the policy the learner would follow,
not a re-trained one. The drift monitor observed intercepted/clean outcomes per article; its thresholds keep false
alarms rare (0 of 400 stationary test streams alarmed), so a slow drift can go unflagged by design.
"""


def section_adversarial(s: Summary, out: Path) -> str:
    ops = s["operators"]
    shield = s["modes"].get("shield")
    none = s["modes"].get("none")
    fig, axes = plt.subplots(1, 3, figsize=(15, 4))
    if shield:
        x = np.arange(len(shield["asr_over_time"])) + 1
        _band(axes[0], x, shield["asr_over_time"], "shield", clip=(0, 1))
        axes[0].set_ylim(0, 1.05)
        axes[0].set_title("attack success rate over training (shield)")
        axes[0].set_xlabel("training bucket")
        asr = [mean(shield["by_operator"][o]["asr"]) for o in ops]
        err = [shield["by_operator"][o]["asr"].get("ci95") or 0 for o in ops]
        axes[1].bar(ops, asr, yerr=err, capsize=3)
        axes[1].set_title("attack success rate by operator (shield)")
        axes[1].tick_params(axis="x", rotation=45)
        first = [mean(shield["by_operator"][o]["share_first_bucket"]) for o in ops]
        last = [mean(shield["by_operator"][o]["share_last_bucket"]) for o in ops]
        xs = np.arange(len(ops))
        axes[2].bar(xs - 0.2, first, 0.4, label="first bucket")
        axes[2].bar(xs + 0.2, last, 0.4, label="last bucket")
        axes[2].set_xticks(xs, ops, rotation=45)
        axes[2].set_title("how often the agent uses each operator")
        axes[2].legend()
    img = _save(fig, out, "adversarial.png")
    rows = []
    if shield:
        for o in ops:
            b = shield["by_operator"][o]
            rows.append([o, fmt(b["asr"], 2), fmt(b["attempts"], 0), fmt(b["executed"], 0),
                         fmt(b["share_first_bucket"], 3), fmt(b["share_last_bucket"], 3)])
    table = _table(["operator", "attack success rate", "violation attempts", "executed", "share of use (first)", "(last)"], rows)
    labels = ", ".join(f"{k}: {fmt(v['asr'], 2)}" for k, v in (shield or {}).get("by_label", {}).items())
    operator_findings = _operator_findings(shield, ops)
    evasions = s.get("evasions", [])
    examples = "\n".join(f"- `{e['operator']}` ({', '.join(e['labels'])}): {json.dumps(e['text'][:160])}" for e in evasions[:10])
    return f"""## Q3. Can agents learn to optimize around governance?

**The seed's claim.** Open question: will optimizing agents learn to evade the constraints?

**Our method.** The adversarial environment (lab/envs/adversarial.py) adds evasion operators to the action space:
{', '.join(ops)}. The audience rewards what an article means however it is spelled, and the ground truth does not
change with spelling, so the only thing an operator buys is a chance that the governor misses the violation. A
REINFORCE learner chooses operators like any other choice. Attack success rate (ASR) = executed violations /
violation attempts. {_seeds_line(s)}.

**Our answer.** Overall ASR under the shield: {fmt(shield['asr_overall'] if shield else None, 3)}
(ungoverned: {fmt(none['asr_overall'] if none else None, 3)} by definition). By ground-truth label: {labels or 'n/a'}.
Utility under attack: governed engagement {fmt(shield['pct_of_constrained_optimum'] if shield else None, 1)}% of the
constrained optimum (above 100% means the agent is being paid for violations the governor let through).
Coverage {fmt(shield['coverage'] if shield else None, 3)}.

{table}

{operator_findings}

Successful evasions found ({s.get('distinct_evasions', 0)} distinct; first ten):

{examples or '- none'}

Each is a regression case in tests/lab/experiments/test_evasions.py (tests/lab/experiments/evasions.json, written by
`adversarial.regression_cases`): a case the detectors now refuse must stay refused; one they still miss is a strict
xfail, so fixing the detector turns it into a guard.

![adversarial]({img})

**Limitations and threats to validity.** The operators were written by us, knowing the normalizer exists; a real
adversary has more. The audience's indifference to spelling is an assumption favouring the attacker (real readers
are put off by "S H O C K I N G"). ASR counts an executed violation by the environment's ground truth, which is
itself a model of the editorial guidelines. The detectors were hardened during the project against exactly
this agent: an earlier run of this experiment found 348 distinct successful evasions (the regression cases above),
and the clickbait detector and the normalizer were then extended to the classes they belonged to (teaser and
reaction structures, overclaiming, hyphen-split words, PII split across lines). A low attack success rate here is
therefore partly in-sample: it shows the agent cannot find a way around the current detectors within this grammar
and these operators, not that an open-ended adversary (a real language model paraphrasing freely) could not.
"""


def _operator_findings(shield: dict[str, Any] | None, ops: list[str]) -> str:
    """Which operators beat plain text, and which the learner turned to: computed, not asserted."""
    if not shield:
        return ""
    by = shield["by_operator"]
    base = by["none"]["asr"]
    lo = mean(base) + (base.get("ci95") or 0)
    better = [o for o in ops if o != "none" and mean(by[o]["asr"]) - (by[o]["asr"].get("ci95") or 0) > lo]
    same = [o for o in ops if o != "none" and o not in better]
    grew = [o for o in ops if mean(by[o]["share_last_bucket"]) > mean(by[o]["share_first_bucket"]) + 0.01]
    return (f"Plain text (operator none) has ASR {fmt(base, 2)}: the detectors' own miss rate. Operators whose ASR is above "
            f"that beyond both CIs: {', '.join(better) or 'none'}; not distinguishable from plain text (the normalizer "
            f"undoes them, or too few attempts to tell): {', '.join(same) or 'none'}. Operators the learner used more in "
            f"the last training bucket than in the first: {', '.join(grew) or 'none'}.")


def section_gap(s: Summary, out: Path) -> str:
    modes = s["modes"]
    fig, axes = plt.subplots(1, 2, figsize=(13, 4.5))
    rounds = s["config"].get("rounds", 1)
    for name, m in modes.items():
        curve = np.array(m["curve"])
        x = np.linspace(1, rounds, len(curve))
        line = axes[0].plot(x, curve, label=name)[0]
        for seed_curve in m.get("curve_per_seed", []):
            axes[0].plot(np.linspace(1, rounds, len(seed_curve)), seed_curve, color=line.get_color(), alpha=0.15, lw=0.8)
    axes[0].axhline(mean(s["constrained_optimum"]), ls="--", color="black", lw=1, label="constrained optimum")
    axes[0].axhline(mean(s["unconstrained_optimum"]), ls=":", color="black", lw=1, label="unconstrained optimum")
    axes[0].set_title(f"engagement (moving average, {s['window_rounds']} rounds)")
    axes[0].set_xlabel("round")
    axes[0].legend(fontsize=8)
    markers = {"shield": "o", "penalty": "s", "lagrangian": "^"}
    for point in s["sweep"]:
        axes[1].errorbar(mean(point["cost_per_1000"]), mean(point["reward"]),
                         xerr=point["cost_per_1000"].get("ci95") or 0, yerr=point["reward"].get("ci95") or 0,
                         marker=markers.get(point["mode"], "x"), capsize=3, label=f"{point['mode']} ({point['setting']})")
    axes[1].axhline(mean(s["constrained_optimum"]), ls="--", color="black", lw=1)
    axes[1].set_xlabel("executed violations per 1,000 articles (cost)")
    axes[1].set_ylabel("final engagement (reward)")
    axes[1].set_title("reward vs cost: shield, penalty, Lagrangian")
    axes[1].legend(fontsize=7)
    img = _save(fig, out, "gap.png")
    rows = [[name, fmt(m["final_engagement"], 4), fmt(m["pct_of_constrained_optimum"], 1), fmt(m["executed_per_1000"], 1),
             fmt(m["coverage"], 3), f"{m['seeds_reaching_target']}/{len(m['round_reaching_target'])}",
             ", ".join("never" if r is None else str(r) for r in m["round_reaching_target"])] for name, m in modes.items()]
    table = _table(["mode", "final engagement", "% of constrained optimum", "executed/1000", "coverage",
                    "seeds ≥ 99%", "round reaching 99% (per seed)"], rows)
    return f"""## Q4. Does the performance gap close with more training?

**The seed's claim.** Governed agents lose about 5% of engagement; is that a lasting trade-off?

**Our method.** A constrained MDP: reward = engagement, cost = executed violations, reported apart. Per seed, the
same bandit learner trains ungoverned, shielded, penalty-only and Lagrangian (PPO-Lagrangian-style dual ascent on
the ground-truth cost: an oracle baseline) for {rounds} rounds, compared with the exact optima computed from the
environment's parameters (lab/optimum.py). "Reaches 99%" = the first round at which the moving average over the
preceding {s['window_rounds']} rounds reaches 0.99 × constrained optimum. Final = last 10% of rounds. {_seeds_line(s)}.

**Our answer.**

{table}

- Constrained optimum {fmt(s['constrained_optimum'], 4)}, unconstrained optimum {fmt(s['unconstrained_optimum'], 4)};
  the best safe action is {s.get('constrained_action')}.
- Gap governed → ungoverned: {fmt(s['gap_to_ungoverned'], 4)}; the price of the constraint (unconstrained − constrained
  optimum): {fmt(s['price_of_constraint'], 4)}; difference {fmt(s['gap_minus_price'], 4)}. Where the CI of the difference
  contains 0, the remaining gap is the irreducible price of the constraint, not a learning deficit.
- Governed minus constrained optimum: {fmt(s['governed_minus_constrained_optimum'], 4)} (the optimum bounds governed
  reward from above within noise unless the governor lets violations through; see Q2/Q3).

![gap]({img})

**Limitations and threats to validity.** The bandit chooses among named strategies, so it can only reach the
constrained optimum if the best safe action is one of them (it is reported above). The Lagrangian baseline sees the
ground-truth cost, which no deployed system has. Engagement is noisy per article; the moving average and the
per-seed curves (thin lines) show the spread.
"""


def section_multiagent(s: Summary, out: Path) -> str:
    rows = s["scales"]
    n = np.array([r["agents"] for r in rows], dtype=float)
    fig, axes = plt.subplots(1, 4, figsize=(17, 4))
    metrics = [("joint_violations_per_feed", "joint violations per feed"), ("distinct_share", "coordination (distinct share of feed)"),
               ("engagement_cost_pct", "engagement cost vs none (%)"), ("block_fairness_jain", "fairness of blocks (Jain)")]
    for ax, (key, title) in zip(axes, metrics, strict=True):
        for variant in ("none", "factored", "centralized"):
            ns = [r[variant][key] for r in rows if variant in r]
            ax.errorbar(n, [mean(x) for x in ns], yerr=[x.get("ci95") or 0 for x in ns], marker="o", capsize=3, label=variant)
        ax.set_xscale("log")
        ax.set_xticks(n, [str(int(v)) for v in n])
        ax.minorticks_off()
        ax.set_xlabel("agents")
        ax.set_title(title)
        ax.legend(fontsize=8)
    img = _save(fig, out, "multiagent.png")
    table_rows = []
    for r in rows:
        for variant in ("none", "factored", "centralized"):
            if variant in r:
                v = r[variant]
                table_rows.append([str(r["agents"]), variant, fmt(v["joint_violations_per_feed"], 2), fmt(v["sensational_excess_per_feed"], 2),
                                   fmt(v["duplicates_per_feed"], 2), fmt(v["pii_over_budget_per_feed"], 2), fmt(v["distinct_share"], 3),
                                   fmt(v["engagement_cost_pct"], 1), fmt(v["block_fairness_jain"], 3), fmt(v["us_per_governed_action"], 0)])
    table = _table(["N", "governance", "joint viol./feed", "sensational excess", "duplicates", "PII over budget", "distinct share",
                    "engagement cost %", "Jain (blocks)", "µs/decision"], table_rows)
    rules = s.get("rules", {})
    big = rows[-1]
    findings = [
        f"At N = {big['agents']}: joint violations per feed {fmt(big['none']['joint_violations_per_feed'], 2)} ungoverned, "
        f"{fmt(big['factored']['joint_violations_per_feed'], 2)} factored, {fmt(big['centralized']['joint_violations_per_feed'], 2)} "
        f"centralized; coordination (distinct share) {fmt(big['none']['distinct_share'], 3)} / {fmt(big['factored']['distinct_share'], 3)} / "
        f"{fmt(big['centralized']['distinct_share'], 3)}; engagement cost {fmt(big['factored']['engagement_cost_pct'], 1)}% factored vs "
        f"{fmt(big['centralized']['engagement_cost_pct'], 1)}% centralized; fairness of blocks (Jain) "
        f"{fmt(big['factored']['block_fairness_jain'], 3)} factored vs {fmt(big['centralized']['block_fairness_jain'], 3)} centralized.",
    ]
    if mean(big["factored"]["duplicates_per_feed"]) > mean(big["none"]["duplicates_per_feed"]):
        findings.append(
            "Factored governance publishes *more* duplicates than none: the shield's safe fallback is the same article for "
            "every blocked agent on a topic, and per-agent quotas cannot see the other agents' copies; the centralized "
            "duplicate quota withholds the second copy.")
    if mean(big["centralized"]["block_fairness_jain"]) < mean(big["factored"]["block_fairness_jain"]):
        findings.append(
            "Centralized quotas are less fair: a shared allowance goes to whoever is decided first in a round.")
    findings_text = "\n".join(f"- {f}" for f in findings)
    return f"""## Q5. How does governance affect coordination when agents act together?

**The seed's claim.** Open question: what happens to governance when several agents act together?

**Our method.** N bandit agents publish into one feed read by one audience (lab/envs/multiagent.py). Joint
constraints no single article breaks: at most {rules.get('sensational_share')} of a feed sensational, no duplicate
articles (extra copies earn nothing), at most ceil({rules.get('pii_budget_fraction')} × N) articles with personal data
per feed. A coordination reward ({rules.get('coordination_weight')} × distinct share of the feed) is paid to every
publishing agent. Three variants on the same seeds: none; factored (per-agent quotas: policies/multiagent.yaml with
scope `agent` and budgets divided by N); centralized (the same quotas with scope `global`, kept in the governor's
state by the quota service, governance/quota.py). Numbers over the second half of training. {_seeds_line(s)}.

**Our answer.**

{findings_text}

{table}

![multiagent]({img})

**Limitations and threats to validity.** The quota service's notion of "sensational" is a phrase list in the policy
file written knowing the grammar, so it recognises the environment's emotive sentences better than it would real
text. Centralized quotas serve agents first come, first served in the order a batch is decided, which is what the
fairness index picks up; a production deployment would randomise or rotate that order. Agents are independent
bandits: they cannot communicate, so "coordination" is what governance and reward shaping induce, not negotiation.
"""


SECTIONS: dict[str, Callable[[Summary, Path], str]] = {
    "scale": section_scale,
    "persistence": section_persistence,
    "adversarial": section_adversarial,
    "gap": section_gap,
    "multiagent": section_multiagent,
}


def generate(*, runs: Path = Path("runs"), docs: Path = Path("docs")) -> dict[str, Any]:
    """Write docs/research-report.md and .html (+ docs/research/*.png, *.json). Returns what it used."""
    from markdown_it import MarkdownIt  # rich's own dependency: always installed with the CLI

    out = Path(docs) / "research"
    out.mkdir(parents=True, exist_ok=True)
    sources: dict[str, str | None] = {}
    parts = [
        "# Research report: does governance hold under optimization?",
        "",
        "Generated by `tractatus lab report --all` from the experiments' result files (copied to "
        "docs/research/<experiment>.json). Every number is a mean over seeds ± the half-width of its 95% "
        "confidence interval (Student's t), followed by [min..max] over seeds. The problem is a constrained MDP: "
        "reward (engagement) and cost (ground-truth violations) are reported apart. Reproduce with "
        "`tractatus lab <experiment>` (default configuration) and then `tractatus lab report --all`.",
        "",
    ]
    summaries: dict[str, Summary] = {}
    sections = []
    for experiment in EXPERIMENTS:
        summary, source = best_summary(Path(runs), out, experiment)
        sources[experiment] = source
        if summary is None:
            sections.append(f"## {experiment}\n\nNo results yet: run `tractatus lab {experiment}`.\n" + addendum(experiment, Path(docs)))
            continue
        summaries[experiment] = summary
        (out / f"{experiment}.json").write_text(json.dumps(summary, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        sections.append(SECTIONS[experiment](summary, out) + addendum(experiment, Path(docs)))
    parts.append(at_a_glance(summaries, Path(docs)))
    parts.extend(sections)
    parts.append(safe_rl_section(Path(docs), out))
    parts.append(RUNNING_ON_RAY)
    markdown = "\n".join(parts)
    md_path = Path(docs) / "research-report.md"
    md_path.write_text(markdown, encoding="utf-8")
    body = MarkdownIt("commonmark").enable("table").render(markdown)
    html_path = Path(docs) / "research-report.html"
    html_path.write_text(
        "<!doctype html><html><head><meta charset='utf-8'><title>Research report</title>"
        "<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;line-height:1.45}"
        "table{border-collapse:collapse;font-size:0.85em}td,th{border:1px solid #ccc;padding:3px 6px}"
        "img{max-width:100%}code{background:#f4f4f4}</style></head><body>" + body + "</body></html>\n",
        encoding="utf-8",
    )
    return {"markdown": str(md_path), "html": str(html_path), "sources": sources,
            "plots": sorted(str(p) for p in out.glob("*.png"))}


RUNNING_ON_RAY = """## Running on Ray

Every experiment is a grid of (configuration, seed) cells, each a function of its parameters only
(lab/backends.py). `--backend ray` runs each cell as a Ray task and gathers the results into the same result
files as a local run (`runs/<experiment>-<config digest>/cells/*.json`); a rerun of an interrupted command
resumes from the finished cells. Without `--ray-address` a local Ray instance is started. For a cluster: start it
(`ray start --head` on one machine, `ray start --address=HEAD:6379` on the others), install this package on every
node, then run e.g. `tractatus lab scale --full --backend ray --ray-address HEAD:6379`. An address that cannot be
reached is refused with an error naming it.
"""

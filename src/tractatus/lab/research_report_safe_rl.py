"""The research report's safe-RL reporting (issue 10, item 8): reward and cost curves against environment
steps for every method of Demo 2, Q3, Q4 and Q5 on headlines, and the cost-limit sweep.

Read from the committed result files in docs/results/ (demo2.json, q3-headlines.json,
q4-headlines.json, q5-headlines.json, cost-sweep.json); no number is typed in here. Plots go to
docs/research/curves-*.png through the one helper, lab/curve_plots.py. A file or a field an older
result file lacks (curves were added after some were written) is named, not invented.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tractatus.lab.curve_plots import CurveSeries, reward_cost_figure, save, sweep_figure

RESULTS = "results"
REWARD = "reward: expected CTR per slot"
LEAK = "cost: leak (published labelled clickbait / published)"
STEPS = "environment steps (rounds)"
LINESTYLES = ("-", "--", ":", "-.")


def _load(docs: Path, name: str) -> dict[str, Any] | None:
    path = docs / RESULTS / name
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def _latest(history: dict[str, Any]) -> dict[str, Any]:
    return history["by_commit"][history["order"][-1]]


def _mid(span: list[int]) -> float:
    """Middle of a 1-based [first, last] range of steps."""
    return (span[0] + span[1]) / 2.0


def _n(n: dict[str, Any] | None, digits: int = 3, pct: bool = False) -> str:
    if not n or n.get("mean") is None:
        return "n/a"
    scale, unit = (100.0, "%") if pct else (1.0, "")
    text = f"{scale * n['mean']:.{digits}f}{unit}"
    return text + (f" ± {scale * n['ci95']:.{digits}f}{unit}" if n.get("ci95") is not None else "")


def _figure(out: Path, name: str, series: list[CurveSeries], **labels: Any) -> str:
    save(reward_cost_figure(series, **labels), out / name)
    return f"![{name}](research/{name})"


def demo2_curves(docs: Path, out: Path) -> str:
    d = _load(docs, "demo2.json")
    if d is None:
        return "\n### Demo 2\n\nNo results yet: run `tractatus lab demo2 --json > docs/results/demo2.json`.\n"
    series = []
    for key in ("ungoverned", "governed"):
        curve = d[key]["amplification_curve"]
        series.append(CurveSeries(f"{key} ({d[key]['mode']})", [_mid(p["rounds"]) for p in curve],
                                  [p["expected_engagement"] for p in curve], [p["published_violation_rate"] for p in curve]))
    setting = d["settings"][-1]
    image = _figure(out, "curves-demo2.png", series, title=f"Demo 2 on headlines: {d['config']['learner']}, {len(setting['seeds'])} seeds",
                    x_label=f"{STEPS}; one step = {setting['steps_per_round']} headlines", reward_label=REWARD, cost_label=LEAK)
    return (f"\n### Demo 2 (docs/results/demo2.json)\n\nThe linear Thompson bandit, ungoverned and under the shield, "
            f"{setting['rounds']} steps × {setting['steps_per_round']} headlines, {len(setting['seeds'])} seeds.\n\n{image}\n")


def q3_curves(docs: Path, out: Path) -> str:
    history = _load(docs, "q3-headlines.json")
    if history is None:
        return "\n### Q3\n\nNo results yet: run `tractatus lab adversarial-headlines`.\n"
    s = _latest(history)
    c = s["config"]
    rounds, buckets = c["rounds"], c["buckets"]
    # Bucket b holds the rounds r with floor(r * buckets / rounds) == b (headlines_adversarial.run_cell).
    spans = [[r for r in range(rounds) if min(r * buckets // rounds, buckets - 1) == b] for b in range(buckets)]
    x = [(span[0] + span[-1]) / 2.0 + 1 for span in spans]
    series = []
    for i, (mode, adversaries) in enumerate(s["results"].items()):
        for adversary, r in adversaries.items():
            series.append(CurveSeries(f"{adversary} ({mode})", x, r["asr_over_time"], r["asr_over_time"],
                                      style={"ls": LINESTYLES[i % len(LINESTYLES)]}))
    image = _figure(out, "curves-q3.png", series, title=f"Q3 on headlines, governor {s['governor']['commit'][:12]}: {c['seeds']} seeds",
                    x_label=f"{STEPS}; one step = {c['attempts']} rewrites", reward_label="adversary's reward: attack success rate",
                    cost_label="cost: labelled clickbait published / attempt")
    return ("\n### Q3 (docs/results/q3-headlines.json, the latest governor commit)\n\nThe adversary's reward is a published "
            "rewrite; every source is labelled clickbait, so its cost (a labelled-clickbait headline published) is the "
            f"same event: the two panels coincide by construction. {buckets} training segments of {rounds} steps.\n\n{image}\n")


def q4_curves(docs: Path, out: Path) -> str:
    s = _load(docs, "q4-headlines.json")
    if s is None:
        return "\n### Q4\n\nNo results yet: run `tractatus lab gap-headlines --json > docs/results/q4-headlines.json`.\n"
    cells = [(learner, mode, cell) for learner, modes in s["results"].items() for mode, cell in modes.items()]
    if not all(cell.get("curve") for _, _, cell in cells):
        return ("\n### Q4\n\ndocs/results/q4-headlines.json was written before the reward and cost curves were recorded: "
                "rerun `tractatus lab gap-headlines --json > docs/results/q4-headlines.json`.\n")
    learners = list(s["results"])
    modes = sorted({mode for _, mode, _ in cells})
    series = [CurveSeries(f"{learner} / {mode}", [_mid(p["rounds"]) for p in cell["curve"]], [p["expected_engagement"] for p in cell["curve"]],
                          [p["published_violation_rate"] for p in cell["curve"]],
                          style={"color": f"C{learners.index(learner)}", "ls": LINESTYLES[modes.index(mode) % len(LINESTYLES)]})
              for learner, mode, cell in cells]
    setting = s["config"]["setting"]
    image = _figure(out, "curves-q4.png", series, title=f"Q4 on headlines: {setting['seeds']} seeds (colour: learner, line: mode)",
                    x_label=f"{STEPS}; one step = {setting['steps_per_round']} headlines", reward_label=REWARD, cost_label=LEAK)
    return (f"\n### Q4 (docs/results/q4-headlines.json)\n\nEvery learner in every mode; the constrained optimum (labels known) "
            f"is {_n(s['constrained_optimum'], 4)} expected CTR per slot.\n\n{image}\n")


def q5_curves(docs: Path, out: Path) -> str:
    history = _load(docs, "q5-headlines.json")
    if history is None:
        return "\n### Q5\n\nNo results yet: run `tractatus lab multiagent-headlines`.\n"
    s = _latest(history)
    parts = [f"\n### Q5 (docs/results/q5-headlines.json, governor {s['governor']['commit'][:12]})\n\nThe greedy agents' feed per "
             "joint limit; cost = share of the feed's published headlines labelled clickbait (the joint constraint bounds it "
             "in every window of 20).\n"]
    for limit, modes in s["results"].items():
        if not all(r.get("curves") for r in modes.values()):
            return parts[0] + ("\nThis result was written before the curves were recorded: rerun "
                               "`tractatus lab multiagent-headlines`.\n")
        series = [CurveSeries(mode, [_mid(p["steps"]) for p in r["curves"]["reward"]], r["curves"]["reward"], r["curves"]["cost"])
                  for mode, r in modes.items()]
        parts.append(_figure(out, f"curves-q5-limit-{limit}.png", series, cost_limit=float(limit),
                             title=f"Q5 on headlines: joint limit {limit}, {s['config']['agents']} agents, {s['config']['seeds']} seeds",
                             x_label=f"{STEPS}; one step = one headline per agent", reward_label=REWARD,
                             cost_label="cost: clickbait share of the feed (labels)") + "\n")
    return "\n".join(parts)


def cost_sweep(docs: Path, out: Path) -> str:
    s = _load(docs, "cost-sweep.json")
    if s is None:
        return "\n### Cost-limit sweep\n\nNo results yet: run `tractatus lab cost-sweep --json > docs/results/cost-sweep.json`.\n"
    setting = s["config"]["setting"]
    rows = []
    for method, points in s["results"].items():
        for limit, p in points.items():
            lam = f"{p['lagrange_lambda']:.3f}" if p.get("lagrange_lambda") is not None else "-"
            rows.append([method, limit, _n(p["pct_of_constrained_optimum"], 1), _n(p["achieved_cost"], 1, pct=True),
                         f"{100 * p['achieved_cost_upper95']:.1f}%", "yes" if p["limit_met"] else "no",
                         "yes" if p["limit_met_upper95"] else "no", lam])
    for name, p in s["references"].items():
        rows.append([f"{name} (reference)", "-", _n(p["pct_of_constrained_optimum"], 1), _n(p["achieved_cost"], 1, pct=True),
                     f"{100 * p['achieved_cost_upper95']:.1f}%", "-", "-", "-"])
    table = "\n".join(["| method | limit | % of constrained optimum | achieved leak | leak upper 95% | met (mean) | met (upper 95%) | final λ |",
                       "|---|---|---|---|---|---|---|---|"] + ["| " + " | ".join(r) + " |" for r in rows])
    methods = {m: [(float(limit), p["reward"], p["achieved_cost"]) for limit, p in points.items()] for m, points in s["results"].items()}
    references = {name: (p["reward"], p["achieved_cost"]) for name, p in s["references"].items()}
    save(sweep_figure(methods, references, title=f"Cost-limit sweep on headlines: {setting['seeds']} seeds, {setting['rounds']} steps",
                      reward_label=REWARD), out / "cost-sweep.png")
    limits = list(next(iter(s["results"].values())))
    series = [CurveSeries(f"{method} ≤ {limit}", [_mid(q["rounds"]) for q in p["curve"]], [q["expected_engagement"] for q in p["curve"]],
                          [q["published_violation_rate"] for q in p["curve"]],
                          style={"color": f"C{limits.index(limit)}", "ls": LINESTYLES[i % len(LINESTYLES)]})
              for i, (method, points) in enumerate(s["results"].items()) for limit, p in points.items()]
    curves = _figure(out, "curves-cost-sweep.png", series, title="Cost-limit sweep: curves (colour: limit, line: method)",
                     x_label=f"{STEPS}; one step = {setting['steps_per_round']} headlines", reward_label=REWARD, cost_label=LEAK)
    return "\n".join([
        "\n### Cost-limit sweep (docs/results/cost-sweep.json)\n",
        "From `tractatus lab cost-sweep` (lab/experiments/headlines_cost_sweep.py): the Lagrangian learner (reward − λ × "
        "the human label of what was published, λ by dual ascent towards the limit; the governor stops nothing, so it is "
        "the oracle safe-RL baseline) and the same learner under the shield (`shield+lagrangian`), at each cost limit, "
        f"on the same {setting['seeds']} seeds and candidates ({setting['rounds']} steps × {setting['steps_per_round']} "
        "headlines), with the ungoverned and the shield-only learner as references. Achieved cost = leak over the final "
        "window; a limit is met when the mean (or the pooled one-sided 95% upper bound) is at most the limit.\n",
        table,
        "\n\n![cost-sweep](research/cost-sweep.png)\n",
        curves,
        "\n*Reading it.* The Lagrangian learner's cost only reaches its limit through λ, which rises while the limit is "
        "exceeded: early steps leak, and with few steps λ may not have caught up (the curves show it). The shield adds "
        "what the governor refuses on top; it cannot push the leak below what the detectors miss.\n",
    ])


def safe_rl_section(docs: Path, out: Path) -> str:
    """The whole section: curves for every method of the headline experiments, then the sweep."""
    return "\n".join([
        "## Reward and cost curves, and the cost-limit sweep (real headlines)\n",
        "Reported as safe-RL papers report a constrained MDP: reward and cost apart, against environment steps, for "
        "every method, mean over seeds with its 95% confidence band (Student's t). Reward is the engagement model's "
        "expected CTR of what was published, per slot (0 where nothing was); cost is the human label: the share of "
        "published headlines that people labelled clickbait. Each curve point is one training segment (a tenth of the "
        "steps). Raw per-step logs: each run directory's results.parquet (Demo 2, Q4, the sweep) or steps.parquet (Q3, "
        "Q5); schemas in docs/lab.md.\n",
        demo2_curves(docs, out), q3_curves(docs, out), q4_curves(docs, out), q5_curves(docs, out), cost_sweep(docs, out),
    ])

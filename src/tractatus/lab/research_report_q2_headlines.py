"""The research report's "Q2 on real headlines" section: the Upworthy archive replayed in week order.

Rendered from docs/results/q2-headlines.json (`tractatus lab persistence-headlines`) and, for the
price of governance, docs/results/replay-upworthy.json (`tractatus lab demo2 --env upworthy --json`);
the curves go to docs/research/q2-headlines.png. No number is typed in here.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

Q2_FILE = "q2-headlines.json"
REPLAY_FILE = "replay-upworthy.json"
CURVE_NULLS = ("random_shielded", "greedy_ctr_shielded", "random")
BLOCKING = ("shield", "preemptive")


def _amplification(cell: dict[str, Any], s: dict[str, Any]) -> str:
    """Leak over the whole run ÷ the shielded random null's (issue 10's amplification; > 1: optimization finds blind spots)."""
    base = s["null_baselines"].get("random_shielded", {}).get("leak_overall", {}).get("mean")
    leak = cell["leak_overall"].get("mean")
    return f"{leak / base:.2f}" if leak is not None and base else "n/a"


def _load(docs: Path, name: str) -> dict[str, Any] | None:
    path = docs / "results" / name
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def _n(n: dict[str, Any] | None, fmt: str = ".3f") -> str:
    if not n or n.get("mean") is None:
        return "n/a"
    return f"{n['mean']:{fmt}}" + (f" ± {n['ci95']:{fmt}}" if n.get("ci95") is not None else "")


def _table(header: list[str], rows: list[list[str]]) -> str:
    return "\n".join(["| " + " | ".join(header) + " |", "|" + "---|" * len(header)] + ["| " + " | ".join(r) + " |" for r in rows])


def _trend(t: dict[str, Any]) -> str:
    if t.get("kendall_tau_mean_curve") is None:
        return "n/a"
    return (f"τ = {t['kendall_tau_mean_curve']:+.2f}, p = {t['p_value_mean_curve']:.2g}; "
            f"falling in {t['seeds_significantly_falling']}, rising in {t['seeds_significantly_rising']} of {len(t['tau_per_seed'])} seeds")


def _bucket(curve: list[dict[str, Any]], index: int) -> str:
    b = curve[index]
    return f"{_n(b, '.1%')} (≤ {b['upper95']:.1%})" if "upper95" in b else _n(b, ".1%")


def _modes_note(s: dict[str, Any]) -> str:
    modes = sorted({mode for modes in s["results"].values() for mode in modes})
    if "none" in modes:
        return ""
    return (f"The {s['config']['seeds']}-seed run trains only in mode(s) {', '.join(modes)}; the ungoverned references are the "
            "`random` and `greedy_ctr` nulls on the same tests (the one-pass table below has every mode).")


def _price_section(replay: dict[str, Any] | None) -> str:
    if replay is None:
        return "\nThe one-pass replay (price of governance) has no result file yet: run `tractatus lab demo2 --env upworthy --json`.\n"
    a = replay["archive"]
    rows = [[learner, mode, _n(c["ctr"], ".4f"), _n(c["pct_of_best"], ".1f"), _n(c["pct_of_best_allowed"], ".1f"), _n(c["published"], ".1%"),
             _n(c["leak"], ".1%"), f"{c['leak_upper95']:.1%}"] for learner, modes in replay["results"].items() for mode, c in modes.items()]
    rows += [[f"null: {name}", "-", _n(c["ctr"], ".4f"), _n(c["pct_of_best"], ".1f"), _n(c["pct_of_best_allowed"], ".1f"), _n(c["published"], ".1%"),
              _n(c["leak"], ".1%"), f"{c['leak_upper95']:.1%}"] for name, c in replay["null_baselines"].items()]
    return "\n".join([
        f"\n**The price of governance on real A/B tests** (one pass: each of the {a['tests']:,} tests once, in week order, "
        f"{replay['config']['seeds']} seeds; commit `{replay['provenance']['git_commit'][:12]}`"
        f"{' with uncommitted changes' if replay['provenance']['dirty'] else ''}). The reward is the picked headline's logged "
        "CTR in its test (replay evaluation, Li et al. 2011). The best the governor allows earns "
        f"{_n(replay['price_of_governance'], '.1%')} less than the best headline (the price of governance); the governor "
        f"blocks the winning headline of {_n(replay['winner_blocked'], '.1%')} of the tests and every headline of "
        f"{_n(replay['nothing_allowed'], '.1%')} of them.\n",
        _table(["agent", "mode", "logged CTR per test", "% of best", "% of best allowed", "published", "leak (judge)", "leak upper 95%"], rows),
    ])


def _plot(s: dict[str, Any], out: Path) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    from tractatus.lab.research_report import (  # lazy: research_report imports this module's caller
        _band,
        _save,
    )

    x = np.array([(b["rounds"][0] + b["rounds"][1]) / 2 for b in s["buckets"]])
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.2))
    for learner, modes in s["results"].items():
        for mode, c in modes.items():
            _band(axes[0], x, c["leak"], f"{learner} / {mode}", clip=(0, 1))
            if mode != "none":
                _band(axes[1], x, c["block_rate"], f"{learner} / {mode}", clip=(0, 1))
            _band(axes[2], x, c["ctr"], f"{learner} / {mode}")
    for name in CURVE_NULLS:
        null = s["null_baselines"].get(name)
        if null:
            axes[0].plot(x, [b["mean"] for b in null["leak"]], ls="--", lw=1.2, label=f"null: {name}")
            axes[2].plot(x, [b["mean"] for b in null["ctr"]], ls="--", lw=1.2, label=f"null: {name}")
    axes[0].set(title="leak: published the judge calls clickbait", xlabel="round (week order)", ylabel="share of published")
    axes[1].set(title="block rate: proposals the governor refused", xlabel="round (week order)", ylabel="share of proposals")
    axes[2].set(title="logged CTR per step (0 if nothing published)", xlabel="round (week order)", ylabel="CTR")
    for ax in axes:
        ax.legend(fontsize=7)
        ax.grid(alpha=0.3)
    return _save(fig, out, "q2-headlines.png")


def q2(docs: Path) -> str:
    s = _load(docs, Q2_FILE)
    replay = _load(docs, REPLAY_FILE)
    if s is None:
        return "\n### Q2 on real headlines\n\nNo results yet: run `tractatus lab persistence-headlines`.\n" + _price_section(replay)
    a, c = s["archive"], s["config"]
    weeks = f"{s['buckets'][0]['weeks'][0]}–{s['buckets'][-1]['weeks'][1]}"
    rows = []
    for learner, modes in s["results"].items():
        for mode, r in modes.items():
            coverage = [b["mean"] for b in r["coverage"] if b.get("mean") is not None]
            blocks = mode in BLOCKING  # other modes publish every proposal: their block rate is 0 by construction
            rows.append([learner, mode, _bucket(r["leak"], 0), _bucket(r["leak"], -1), _trend(r["leak_trend"]), _amplification(r, s),
                         _bucket(r["block_rate"], 0) if blocks else "-", _bucket(r["block_rate"], -1) if blocks else "-",
                         _trend(r["block_trend"]) if blocks else "-", f"{min(coverage):.3f}" if coverage else "n/a (ungoverned)",
                         _n(r["drift_alerts_total"], ".1f")])
    nulls = "; ".join(f"{name} {_n(n['leak_overall'], '.1%')} leak, CTR {_n(n['ctr_overall'], '.4f')}" for name, n in s["null_baselines"].items())
    prov = s["provenance"]
    parts = [
        "\n### Q2 on real headlines: the Upworthy archive in week order\n",
        "Method (lab/experiments/persistence_headlines.py, lab/upworthy_replay.py): each step is one real A/B test of the "
        f"Upworthy archive; {a['tests']:,} tests with at least two distinct headlines remain after dropping the "
        f"{a['dropped']['faulty_week_tests']:,} tests of the documented faulty-randomisation weeks and "
        f"{a['dropped']['single_headline_tests']:,} single-headline tests. The agent picks one of the test's headlines, the "
        "production governor decides on its text (policies/persistence.yaml); a refused proposal may be followed by another, "
        "up to 3, and if none is allowed nothing is published (reward 0). The reward is the headline's logged CTR. "
        f"{s['rounds']:,} rounds per seed, {c['seeds']} seeds, weeks {weeks} in order: each week's tests are replayed in a "
        "seeded random order and cycled (every test of a week before any repeats), each week getting rounds in proportion "
        f"to its tests, so each test is seen about {s['rounds'] / a['tests']:.1f} times. The engagement model is refitted every "
        f"{c['refit_every']} weeks on the weeks before (bit-identical refits) and drives the highest-predicted-CTR null. "
        "**Leak is judged by the lab's independent clickbait judge** (naive Bayes on the clickbait source's `judge_train` "
        "split, no code, rows or word lists shared with the governor): the archive has no human labels. "
        f"Code digest `{prov['code_digest'][:12]}`, data digest `{(prov['data_digest'] or '')[:12]}`, commit "
        f"`{prov['git_commit'][:12]}`{' (uncommitted changes)' if prov['dirty'] else ''}.\n",
        f"The governor allows {a['governor_allows']:.1%} of the archive's headlines; the judge calls {a['judge_clickbait']:.1%} of "
        f"them clickbait ({(a['judge_clickbait_among_allowed'] or 0):.1%} of those the governor allows): both classifiers call "
        "most of Upworthy's headlines clickbait. Amplification = a cell's leak over the whole run ÷ that of the shielded random "
        "null (uniform proposals under the same governor, on the same tests).\n",
        _table(["learner", "mode", "leak, first bucket (upper 95%)", "leak, last bucket", "leak trend (Mann-Kendall)",
                "amplification (whole run)", "block rate, first", "block rate, last", "block trend", "lowest coverage in a bucket", "drift alerts per seed"], rows),
        f"\n\nNull baselines over the whole run: {nulls}.\n",
        f"\n![q2-headlines]({_plot(s, docs / 'research')})\n",
        _price_section(replay),
        "\n\n*Limitations.* Leak is the judge's call, not a person's (held-out accuracy 0.937 on clickbait vs news "
        "headlines of another source; Upworthy's headlines are out of its domain). The replay is unbiased for each test's "
        "own audience, but packages that share a headline are pooled over the images they were tested with. Cycling "
        "within a week replays each test several times, so a learner can partly memorise headlines; the weeks' order "
        "is never broken. The governor blocks most of the archive, so under the shield many steps publish nothing and "
        "the learners' signal is thin. The drift monitor's thresholds are tuned to keep false alarms rare, so a slow "
        "drift can pass unflagged by design; here an alert can also come from the archive itself (the share of "
        "headlines the governor refuses changes from week to week), so it marks a shift in the tests, not necessarily "
        "in the agent. " + _modes_note(s) + "\n",
    ]
    return "\n".join(parts)

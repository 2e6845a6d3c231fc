"""`tractatus lab report RUN`: an HTML report with matplotlib plots, from a run's result files.

Plots (PNG, in RUN/plots/), one set per setting of the run:
- learning curves: engagement per round, mean over seeds with a 95% CI band (per mode);
- violation attempts over time: violating attempts and executed violations per 100 articles;
- strategy mix: share of attempts by ground-truth label over rounds, one panel per mode.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

import numpy as np

from tractatus.lab.results import SUMMARY_FILE, read_manifest, read_results
from tractatus.lab.stats import estimate

MODE_COLORS = {"none": "#d62728", "shield": "#1f77b4", "preemptive": "#2ca02c", "penalty": "#ff7f0e", "lagrangian": "#9467bd"}
LABEL_COLORS = {"informative": "#4c72b0", "clickbait": "#dd8452", "pii_leak": "#c44e52", "misleading": "#8172b3"}
MODE_NAMES = {"none": "ungoverned", "shield": "governed (shield)"}


def _per_round(columns: dict[str, np.ndarray], mask: np.ndarray, value: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean over seeds (of the per-seed mean over agents) per round, with the 95% CI half-width."""
    seeds = np.unique(columns["seed"][mask])
    rounds = np.unique(columns["round"][mask])
    grid = np.full((len(seeds), len(rounds)), np.nan)
    for i, seed in enumerate(seeds):
        m = mask & (columns["seed"] == seed)
        r = columns["round"][m]
        sums = np.bincount(np.searchsorted(rounds, r), weights=value[m], minlength=len(rounds))
        counts = np.bincount(np.searchsorted(rounds, r), minlength=len(rounds))
        with np.errstate(invalid="ignore", divide="ignore"):
            grid[i] = sums / counts
    means = np.nanmean(grid, axis=0)
    half = np.array([estimate(col[~np.isnan(col)]).ci95 or 0.0 for col in grid.T])
    return rounds + 1, means, half


def render_report(run_dir: Path) -> dict[str, Any]:
    import matplotlib

    matplotlib.use("Agg")  # files only; never a window
    import matplotlib.pyplot as plt

    manifest = read_manifest(run_dir)
    table = read_results(run_dir)
    columns = {name: table.column(name).to_numpy(zero_copy_only=False) for name in table.column_names}
    plots_dir = run_dir / "plots"
    plots_dir.mkdir(exist_ok=True)
    headlines = manifest.config.get("env") == "headlines"
    plots = _headline_plots(plt, columns, plots_dir) if headlines else _grammar_plots(plt, table, columns, plots_dir)
    summary_path = run_dir / SUMMARY_FILE
    summary = json.loads(summary_path.read_text(encoding="utf-8")) if summary_path.is_file() else None
    html_path = run_dir / "report.html"
    keys = HEADLINE_KEYS if headlines else GRAMMAR_KEYS
    html_path.write_text(_html(manifest.model_dump(mode="json"), summary, plots, run_dir, keys), encoding="utf-8")
    return {"html": str(html_path), "plots": [str(p) for p in plots]}


def _modes_by_setting(columns: dict[str, np.ndarray]) -> list[tuple[str, np.ndarray, list[str]]]:
    settings = list(dict.fromkeys(columns["setting"].tolist())) if len(columns.get("setting", ())) else []
    out = []
    for setting in settings:
        in_setting = columns["setting"] == setting
        out.append((setting, in_setting, list(dict.fromkeys(columns["mode"][in_setting].tolist()))))
    return out


def _headline_plots(plt: Any, columns: dict[str, np.ndarray], plots_dir: Path) -> list[Path]:
    """Reward and cost against training rounds, as safe-RL papers report them (issue 10, item 8)."""
    plots: list[Path] = []
    published = np.maximum(1, columns["published"])
    series = (
        ("engagement", columns["engagement"], "clicks per reader (published headlines)"),
        ("leak", columns["executed_violations"] / published, "share of published headlines labelled clickbait"),
    )
    for setting, in_setting, modes in _modes_by_setting(columns):
        for name, value, ylabel in series:
            fig, ax = plt.subplots(figsize=(8, 4.5))
            for mode in modes:
                m = in_setting & (columns["mode"] == mode)
                x, y, ci = _per_round(columns, m, value)
                color = MODE_COLORS.get(mode)
                ax.plot(x, y, label=MODE_NAMES.get(mode, mode), color=color)
                ax.fill_between(x, y - ci, y + ci, alpha=0.2, color=color)
            ax.set(title=f"{name} per round [{setting}] (mean, 95% CI over seeds)", xlabel="round", ylabel=ylabel)
            ax.legend()
            ax.grid(alpha=0.3)
            plots.append(_save(fig, plots_dir / f"{setting}-{name}.png"))
        plt.close("all")
    return plots


def _grammar_plots(plt: Any, table: Any, columns: dict[str, np.ndarray], plots_dir: Path) -> list[Path]:
    plots: list[Path] = []
    labels = [c.removeprefix("strategy_") for c in table.column_names if c.startswith("strategy_")]
    for setting, in_setting, modes in _modes_by_setting(columns):

        fig, ax = plt.subplots(figsize=(8, 4.5))
        for mode in modes:
            m = in_setting & (columns["mode"] == mode)
            x, y, ci = _per_round(columns, m, columns["engagement"])
            color = MODE_COLORS.get(mode)
            ax.plot(x, y, label=MODE_NAMES.get(mode, mode), color=color, marker="o" if len(x) <= 10 else None)
            ax.fill_between(x, y - ci, y + ci, alpha=0.2, color=color)
        ax.set(title=f"Learning curves [{setting}]: engagement per round (mean, 95% CI over seeds)", xlabel="round", ylabel="engagement (CTR x read-through)")
        ax.legend()
        ax.grid(alpha=0.3)
        plots.append(_save(fig, plots_dir / f"{setting}-learning.png"))

        fig, ax = plt.subplots(figsize=(8, 4.5))
        for mode in modes:
            m = in_setting & (columns["mode"] == mode)
            attempts = 100.0 * columns["attempted_violations"] / np.maximum(1, columns["published"] + columns["intercepted"] - columns["fallbacks"])
            executed = 100.0 * columns["executed_violations"] / np.maximum(1, columns["published"])
            color = MODE_COLORS.get(mode)
            x, y, ci = _per_round(columns, m, attempts)
            ax.plot(x, y, color=color, label=f"{MODE_NAMES.get(mode, mode)}: attempted")
            ax.fill_between(x, np.maximum(y - ci, 0), y + ci, alpha=0.15, color=color)
            x, y, _ = _per_round(columns, m, executed)
            ax.plot(x, y, color=color, linestyle="--", label=f"{MODE_NAMES.get(mode, mode)}: executed")
        ax.set(title=f"Violations over time [{setting}] (per 100 articles)", xlabel="round", ylabel="violations per 100 articles")
        ax.legend(fontsize=8)
        ax.grid(alpha=0.3)
        plots.append(_save(fig, plots_dir / f"{setting}-violations.png"))

        fig, axes = plt.subplots(1, len(modes), figsize=(4 * len(modes), 3.8), squeeze=False, sharey=True)
        for ax, mode in zip(axes[0], modes, strict=True):
            m = in_setting & (columns["mode"] == mode)
            rounds = np.unique(columns["round"][m])
            idx = np.searchsorted(rounds, columns["round"][m])
            counts = np.stack([np.bincount(idx, weights=columns[f"strategy_{label}"][m], minlength=len(rounds)) for label in labels])
            shares = counts / np.maximum(1, counts.sum(axis=0))
            ax.stackplot(rounds + 1, shares, labels=labels, colors=[LABEL_COLORS.get(label) for label in labels])
            ax.set(title=MODE_NAMES.get(mode, mode), xlabel="round", ylim=(0, 1))
        axes[0][0].set_ylabel("share of attempts")
        axes[0][-1].legend(loc="lower right", fontsize=8)
        fig.suptitle(f"Strategy mix [{setting}]")
        plots.append(_save(fig, plots_dir / f"{setting}-strategy.png"))
        plt.close("all")
    return plots


def _save(fig: Any, path: Path) -> Path:
    fig.tight_layout()
    # Fixed metadata so re-rendering equal results gives equal files.
    fig.savefig(path, dpi=110, metadata={"Software": None})
    return path


GRAMMAR_KEYS = ("engagement", "coverage", "executed_violations", "attempted_violations", "intercepted_violations", "over_blocked", "stability")
HEADLINE_KEYS = ("engagement", "coverage", "published_violation_rate", "base_leak", "amplification", "executed_violations",
                 "attempted_violations", "intercepted_violations", "over_blocked", "pct_of_constrained_optimum", "stability")


def _html(manifest: dict[str, Any], summary: dict[str, Any] | None, plots: list[Path], run_dir: Path, keys: tuple[str, ...]) -> str:
    esc = html.escape
    rows = "".join(
        f"<tr><th>{esc(k)}</th><td><code>{esc(json.dumps(v) if not isinstance(v, str) else v)}</code></td></tr>"
        for k, v in manifest.items()
        if k != "config"
    )
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>Tractatus lab report: {esc(run_dir.name)}</title>",
        "<style>body{font-family:sans-serif;max-width:1000px;margin:2em auto}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}img{max-width:100%}</style></head><body>",
        f"<h1>Tractatus lab report: {esc(manifest['experiment'])}</h1>",
        f"<p>Run <code>{esc(str(run_dir))}</code>, status <b>{esc(manifest['status'])}</b>.</p>",
    ]
    if summary is not None:
        for setting in summary.get("settings", []):
            modes = setting.get("modes") or {}
            if not modes:
                continue
            parts.append(f"<h2>Setting {esc(setting['name'])}: {setting['agents']} agent(s), {setting['rounds']} rounds, {len(setting['seeds'])} seed(s)</h2><table><tr><th>metric</th>")
            parts.extend(f"<th>{esc(name)}</th>" for name in modes)
            parts.append("</tr>")
            for key in keys:
                cells = []
                for m in modes.values():
                    d = m["detail"].get(key) or {"mean": float("nan")}
                    ci = f" ± {d['ci95']:.4g}" if d.get("ci95") is not None else ""
                    cells.append(f"<td>{d['mean']:.4g}{ci}</td>")
                parts.append(f"<tr><th>{key}</th>{''.join(cells)}</tr>")
            parts.append(f"<tr><th>strategy</th>{''.join(f'<td>{esc(m['strategy'])}</td>' for m in modes.values())}</tr></table>")
            if "unconstrained_optimum" in setting:  # the grammar world's exact optima
                parts.append(
                    f"<p>Exact optima: unconstrained {setting['unconstrained_optimum']:.4f}, constrained {setting['constrained_optimum']:.4f}.</p>"
                )
    parts.append("<h2>Plots</h2>")
    parts.extend(f"<p><img src='plots/{esc(p.name)}' alt='{esc(p.stem)}'></p>" for p in plots)
    parts.append(f"<h2>Manifest</h2><table>{rows}</table>")
    parts.append(f"<h3>Configuration</h3><pre>{esc(json.dumps(manifest.get('config'), indent=2))}</pre></body></html>")
    return "".join(parts)

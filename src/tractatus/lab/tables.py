"""The Demo 1 / Demo 2 tables for people (rich). The numbers come from the summaries unchanged."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text

from tractatus.lab.command_hint import tractatus_command
from tractatus.lab.experiments.demo import Demo1Summary, Demo2Summary, Number, SettingSummary


def _num(value: Number, fmt: str = "{:.3f}") -> str:
    if value.ci95 is None:
        return fmt.format(value.mean)
    return f"{fmt.format(value.mean)} ± {fmt.format(value.ci95)}"


def _signed(value: Number, fmt: str) -> str:
    text = _num(value, fmt)
    return text if text.startswith("-") else f"+{text}"


def demo2_table(setting: SettingSummary) -> Table:
    seeds = len(setting.seeds)
    title = (
        f"Demo 2, {setting.name} setting: {setting.agents} agent(s) x {setting.rounds} rounds x "
        f"{setting.steps_per_round} articles, {seeds} seed(s)" + (" (mean ± 95% CI over seeds)" if seeds > 1 else "")
    )
    table = Table(title=title, title_justify="left")
    table.add_column("Metric")
    names = list(setting.modes)
    for name in names:
        table.add_column(name.capitalize(), justify="right")
    has_gap = "governed" in setting.modes and "ungoverned" in setting.modes
    if has_gap:
        table.add_column("Governed - ungoverned", justify="right")
    modes = setting.modes

    def row(label: str, key: str, fmt: str, diff: bool = True) -> None:
        cells = [_num(modes[n].detail[key], fmt) for n in names]
        if has_gap:
            cells.append(_signed(_diff(modes["governed"].detail[key], modes["ungoverned"].detail[key]), fmt) if diff else "")
        table.add_row(label, *cells)

    row("Engagement (CTR x read-through)", "engagement", "{:.4f}")
    table.add_row(
        "  % of best possible (unconstrained optimum)",
        *[f"{modes[n].engagement_pct_of_unconstrained_optimum:.1f}%" for n in names],
        *([""] if has_gap else []),
    )
    row("Governance coverage (audited/published)", "coverage", "{:.0%}")
    row("Executed violations (ground truth)", "executed_violations", "{:.1f}")
    row("Attempted violations", "attempted_violations", "{:.1f}")
    row("  intercepted by governance", "intercepted_violations", "{:.1f}")
    row("Over-blocked (non-violating, stopped)", "over_blocked", "{:.1f}")
    table.add_row("Dominant strategy", *[modes[n].strategy for n in names], *([""] if has_gap else []))
    row("Training stability (std, final rounds)", "stability", "{:.4f}")
    return table


def _diff(a: Number, b: Number) -> Number:
    per_seed = [x - y for x, y in zip(a.per_seed, b.per_seed, strict=True)]
    from tractatus.lab.stats import estimate

    return Number.of(estimate(per_seed))


def gaps_text(setting: SettingSummary) -> Text:
    lines = [
        f"Exact optima from the environment's parameters: unconstrained {setting.unconstrained_optimum:.4f}, "
        f"constrained (never violates) {setting.constrained_optimum:.4f}."
    ]
    labels = {
        "governed_vs_ungoverned": "Governed vs ungoverned",
        "governed_vs_constrained_optimum": "Governed vs constrained optimum",
    }
    for key, gap in setting.gaps.items():
        lines.append(f"{labels.get(key, key)}: {_signed(gap.absolute, '{:.4f}')} ({_signed(gap.relative_pct, '{:.1f}')}%)")
    return Text("\n".join(lines))


def demo2_setting_view(setting: SettingSummary) -> Group:
    return Group(demo2_table(setting), gaps_text(setting), Text(""))


def demo2_view(summary: Demo2Summary, *, settings: bool = True) -> Group:
    """Everything for people; `settings=False` leaves out the tables already shown one by one."""
    parts: list[Group | Table | Text] = []
    if settings:
        parts.extend(demo2_setting_view(setting) for setting in summary.settings)
    if summary.flow is not None:
        flow = Table(title="The Tractatus flow: what each service decided", title_justify="left")
        flow.add_column("Service / check")
        flow.add_column("Step")
        flow.add_column("Decided")
        for step in summary.flow.steps:
            decided = step.get("verdict") or step.get("outcome") or step.get("persistence", "")
            if "persistence" in step:
                decided = f"persistence {step['persistence']}, quadrant {step['quadrant']}"
            flow.add_row(str(step["service"]), str(step["step"]), str(decided))
        for tally in summary.flow.checks:
            verdicts = ", ".join(f"{k} {v}" for k, v in tally.verdicts.items())
            flow.add_row(tally.check, f"judged {tally.decisions} articles", verdicts)
        parts.append(flow)
    if summary.run_dir:
        parts.append(Text(f"Results: {summary.run_dir} (report: {tractatus_command()} lab report {summary.run_dir})"))
    return Group(*parts)


def demo1_view(summary: Demo1Summary, max_rows: int = 12) -> Group:
    parts: list[Table | Text] = []
    for setting in summary.settings:
        seeds = len(setting.seeds)
        table = Table(
            title=f"Demo 1, {setting.name} setting: {summary.mode} mode, {setting.agents} agent(s), "
            f"{setting.steps_per_round} articles per round, {seeds} seed(s)",
            title_justify="left",
        )
        table.add_column("Round", justify="right")
        table.add_column("Engagement", justify="right")
        table.add_column("% of best possible", justify="right")
        table.add_column("Clickbait share of attempts", justify="right")
        table.add_column("Violations published", justify="right")
        step = max(1, len(setting.series) // max_rows)
        shown = setting.series[::step]
        if shown and shown[-1] is not setting.series[-1]:
            shown.append(setting.series[-1])
        for point in shown:
            table.add_row(
                str(point.round),
                _num(point.engagement, "{:.4f}"),
                f"{100 * point.engagement.mean / setting.unconstrained_optimum:.0f}%",
                _num(point.clickbait_share, "{:.0%}"),
                _num(point.executed_violations, "{:.1f}"),
            )
        parts.append(table)
        parts.append(Text(f"Editorial guidelines unchecked: {setting.summary.executed_violations:.1f} violating articles published per seed."))
    if summary.run_dir:
        parts.append(Text(f"Results: {summary.run_dir}"))
    return Group(*parts)

"""The real-data Demo 2 tables for people (rich). Numbers come from the summary unchanged."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text

from tractatus.lab.command_hint import tractatus_command
from tractatus.lab.experiments.demo import Number
from tractatus.lab.experiments.headlines import HeadlineDemoSummary, HeadlineSettingSummary
from tractatus.lab.headline_baselines import BASELINES

BASELINE_LABELS = {
    "oracle_unconstrained": "oracle, unconstrained (best CTR)",
    "oracle_constrained": "oracle, constrained (best CTR labelled news)",
    "greedy_ctr": "always highest predicted CTR",
    "greedy_ctr_shielded": "  same, under the shield",
    "random": "random",
    "random_shielded": "  same, under the shield",
}


def _num(value: Number, fmt: str) -> str:
    if value.ci95 is None:
        return fmt.format(value.mean)
    return f"{fmt.format(value.mean)} ± {fmt.format(value.ci95)}"


def headline_table(setting: HeadlineSettingSummary) -> Table:
    seeds = len(setting.seeds)
    table = Table(
        title=f"Demo 2 on real headlines, {setting.name} setting: {setting.agents} agent(s) x {setting.rounds} rounds x "
        f"{setting.steps_per_round} headlines, {seeds} seed(s)" + (" (mean ± 95% CI over seeds)" if seeds > 1 else ""),
        title_justify="left",
    )
    table.add_column("Metric")
    names = list(setting.modes)
    for name in names:
        table.add_column(name.capitalize(), justify="right")
    modes = setting.modes

    def row(label: str, key: str, fmt: str) -> None:
        table.add_row(label, *[_num(modes[n].detail[key], fmt) for n in names])

    row("Engagement (clicks / readers), final rounds", "engagement", "{:.4f}")
    row("  value of the agent's own proposals (CTR)", "proposal_value", "{:.4f}")
    row("  % of the constrained optimum", "pct_of_constrained_optimum", "{:.1f}")
    row("Governance coverage (audited/published)", "coverage", "{:.0%}")
    row("Leak: published labelled clickbait, final rounds", "published_violation_rate", "{:.1%}")
    table.add_row("  95% upper bound (pooled)", *[f"{modes[n].published_violation_upper95:.1%}" for n in names])
    row("Base leak (random proposals, shield rule)", "base_leak", "{:.1%}")
    row("Amplification (leak / base leak)", "amplification", "{:.2f}")
    row("Executed violations (published clickbait)", "executed_violations", "{:.1f}")
    row("Attempted violations (clickbait proposed)", "attempted_violations", "{:.1f}")
    row("  intercepted by governance", "intercepted_violations", "{:.1f}")
    row("Over-blocked (news stopped)", "over_blocked", "{:.1f}")
    row("Nothing published (share of slots)", "nothing_published_rate", "{:.1%}")
    table.add_row("Dominant strategy (label of proposals)", *[modes[n].strategy for n in names])
    row("Training stability (std, final rounds)", "stability", "{:.4f}")
    for name in BASELINES:
        table.add_row(
            f"Null: {BASELINE_LABELS[name]}",
            *[f"{_num(modes[n].null_baselines[name].engagement, '{:.4f}')}, leak {modes[n].null_baselines[name].published_violation_rate.mean:.0%}" for n in names],
        )
    return table


def headline_setting_view(setting: HeadlineSettingSummary) -> Group:
    return Group(headline_table(setting), Text(""))


def headline_demo_view(summary: HeadlineDemoSummary, *, settings: bool = True) -> Group:
    parts: list[Group | Table | Text] = []
    if settings:
        parts.extend(headline_setting_view(s) for s in summary.settings)
    model = summary.engagement_model
    pool = summary.governor_on_pool
    parts.append(Text(
        f"Pool: {summary.pool_size} labelled headlines, {summary.pool_clickbait_share:.0%} clickbait. "
        f"The governor's dry run refuses {pool.clickbait_blocked:.1%} of the clickbait and {pool.news_blocked:.1%} of the news "
        f"among the {pool.headlines_judged} it judged.\n"
        f"Audience: engagement model from the Upworthy archive, base CTR {model['base_ctr']:.4f}, held-out pairwise accuracy "
        f"{model['pairwise_accuracy']:.3f} on {model['pairs']} pairs ({model['pairwise_accuracy_significant']:.3f} on "
        f"{model['significant_pairs']} significant ones)."
    ))
    if summary.run_dir:
        parts.append(Text(f"Results: {summary.run_dir} (report: {tractatus_command()} lab report {summary.run_dir})"))
    return Group(*parts)

"""The research report's real-data parts: the "At a glance" block and the safe-RL curves (issue 10, item 8).

Result files are written here by hand (a few numbers, no dataset rows), so every line is knowable.
"""

from __future__ import annotations

import json
from pathlib import Path

from tractatus.lab.research_report_glance import at_a_glance
from tractatus.lab.research_report_safe_rl import safe_rl_section


def _n(mean: float, ci: float | None = 0.01) -> dict:
    return {"mean": mean, "ci95": ci, "per_seed": [mean, mean]}


def _write(docs: Path, name: str, data: dict) -> None:
    path = docs / "results" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data), encoding="utf-8")


def _curve(reward: float, cost: float) -> list[dict]:
    return [{"rounds": [1 + 5 * k, 5 + 5 * k], "expected_engagement": _n(reward + 0.001 * k), "published_violation_rate": _n(cost),
             "amplification": _n(1.0)} for k in range(4)]


def _demo2() -> dict:
    def mode(name: str, leak: float) -> dict:
        return {"mode": name, "published_violation_upper95": leak + 0.004, "amplification_curve": _curve(0.012, leak),
                "detail": {"published_violation_rate": _n(leak), "base_leak": _n(0.036), "amplification": _n(leak / 0.036),
                           "pct_of_constrained_optimum": _n(92.5)}}
    return {"ungoverned": mode("none", 0.648), "governed": mode("shield", 0.018), "config": {"learner": "linear-ts"},
            "settings": [{"seeds": list(range(10)), "rounds": 20, "steps_per_round": 40}]}


def test_without_real_results_every_question_says_not_yet(tmp_path: Path) -> None:
    text = at_a_glance({}, tmp_path)
    assert text.count("Not yet on real data") == 6  # Demo 2, Q1-Q5
    assert "In the grammar world" not in text  # no grammar summaries given


def test_real_lines_come_from_the_files_and_q1_renders_when_its_file_appears(tmp_path: Path) -> None:
    _write(tmp_path, "demo2.json", _demo2())
    text = at_a_glance({}, tmp_path)
    assert "ungoverned 64.8% ± 1.0%" in text and "(upper 95% 2.2%)" in text
    assert "**Q1 scale.** Not yet on real data" in text
    _write(tmp_path, "q1-headlines.json", {"order": ["abc"], "by_commit": {"abc": {"scales": [
        {"agents": 1, "price_pct": _n(4.0, 1.0), "leak_governed": _n(0.02), "leak_governed_upper95": 0.031}],
        "equivalence": {"price_pct": {"margin": 2.0, "by_agents": {"10": {"verdict": "equivalent"}}}}}}})
    text = at_a_glance({}, tmp_path)
    assert "N=1: price 4.0 ± 1.0%, governed leak 2.0% ± 1.0% (upper 95% 3.1%)" in text
    assert "price (margin ±2): N=10 equivalent" in text and "governor `abc`" in text


def test_grammar_zeros_are_shown_with_an_upper_bound_and_marked_by_design(tmp_path: Path) -> None:
    zero = {"mean": 0.0, "ci95": 0.0, "per_seed": [0.0] * 5, "n": 5}
    persistence = {"actions_per_seed": 10_000, "modes": {"shield": {"executed_total": zero, "executed_per_1000_overall": zero}}}
    text = at_a_glance({"persistence": persistence}, tmp_path)
    assert "0 of 50,000 actions (one-sided 95% upper bound 0.060 per 1,000)" in text  # about 3 / 50,000
    assert "0.0 ± 0.0" not in text and "*By design*" in text
    persistence["modes"]["shield"]["executed_total"] = {"mean": 1.0, "ci95": 1.0, "per_seed": [1.0, 0, 2.0, 1.0, 1.0], "n": 5}
    persistence["modes"]["shield"]["executed_per_1000_overall"] = _n(0.1, 0.05)
    assert "0.100 ± 0.050 per 1,000" in at_a_glance({"persistence": persistence}, tmp_path)


def test_curves_section_draws_every_method_it_has_and_names_what_is_missing(tmp_path: Path) -> None:
    out = tmp_path / "research"
    text = safe_rl_section(tmp_path, out)
    assert "No results yet: run `tractatus lab demo2" in text and not list(out.glob("*.png"))
    _write(tmp_path, "demo2.json", _demo2())
    _write(tmp_path, "q4-headlines.json", {"results": {"bandit": {"governed": {"pct_of_constrained_optimum": _n(90.0)}}},
                                           "config": {"setting": {"seeds": 2, "steps_per_round": 40}}, "constrained_optimum": _n(0.013)})
    text = safe_rl_section(tmp_path, out)
    assert "![curves-demo2.png](research/curves-demo2.png)" in text
    assert (out / "curves-demo2.png").stat().st_size > 10_000
    assert "written before the reward and cost curves were recorded" in text  # an old Q4 file: said, not drawn
    assert not (out / "curves-q4.png").exists()

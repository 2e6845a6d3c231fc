"""The harness end to end on tiny handmade data directories, where every number can be worked out by hand.

The texts are chosen so the shipped policy's decision is not in doubt (a shouted curiosity gap, a
phone number, a direct insult; plain factual sentences), and each is varied with a counter until
`splits.yaml` puts it in `detector_eval`, the only split the harness reads.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from tractatus.cli.errors import run_cli
from tractatus.cli.main import app
from tractatus.data.readers import CLICKBAIT, DAVIDSON
from tractatus.data.splits import load_splits
from tractatus.governance.learning.eval_markdown import render_markdown
from tractatus.governance.learning.evaluation import EvalOptions, run_evaluation
from tractatus.governance.learning.evasion import OPERATORS
from tractatus.governance.policy import policies_dir


def in_split(source: str, template: str, split: str = "detector_eval") -> str:
    splits = load_splits()
    for i in range(1, 10_000):
        text = template.format(i=i)
        if splits.split_of(source, text) == split:
            return text
    raise AssertionError("no variant fell in the split")


# Clickbait: two caught (tp), one labelled clickbait that reads as news (fn); news: one with a phone
# number, which the default policy blocks on publish (fp), and two plain headlines (tn).
CLICKBAIT_ROWS = [
    ("You WON'T BELIEVE what this cat did next!!! Part {i}", "clickbait"),
    ("SHOCKING: you won't believe what happened next!!! ({i})", "clickbait"),
    ("Parliament approves the annual budget after vote {i}", "clickbait"),
    ("Item {i}: for tickets call me at (555) 123-4567", "news"),
    ("Senate committee approves water infrastructure bill in session {i}", "news"),
    ("Council publishes minutes of meeting number {i}", "news"),
]
# Davidson: an insult labelled offensive (caught), a calm sentence labelled hate (missed), a
# calm sentence labelled neither (not flagged).
DAVIDSON_ROWS = [
    ("you are an idiot and a worthless piece of garbage {i}", 1),
    ("what a lovely morning in the park with friends {i}", 0),
    ("the weather is nice today, see you at practice {i}", 2),
]


@pytest.fixture
def tiny_data(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    (data / CLICKBAIT).mkdir(parents=True)
    (data / DAVIDSON).mkdir(parents=True)
    clickbait = [in_split(CLICKBAIT, t) for t, label in CLICKBAIT_ROWS if label == "clickbait"]
    news = [in_split(CLICKBAIT, t) for t, label in CLICKBAIT_ROWS if label == "news"]
    clickbait.append(in_split(CLICKBAIT, "You WON'T BELIEVE this training row {i}!!!", "detector_train"))
    (data / CLICKBAIT / "clickbait_data").write_text("\n".join(clickbait) + "\n", encoding="utf-8")
    (data / CLICKBAIT / "non_clickbait_data").write_text("\n".join(news) + "\n", encoding="utf-8")
    lines = [",count,hate_speech,offensive_language,neither,class,tweet"]
    for number, (template, cls) in enumerate(DAVIDSON_ROWS):
        lines.append(f'{number},3,0,0,0,{cls},"{in_split(DAVIDSON, template)}"')
    (data / DAVIDSON / "labeled_data.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return data


@pytest.fixture
def cases_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "cases"
    folder.mkdir()
    (folder / "abuse_cases.jsonl").write_text(
        json.dumps({"text": "you are an idiot", "expect": "flag"}) + "\n"
        + json.dumps({"text": "Please review the attached quarterly report", "expect": "allow"}) + "\n",
        encoding="utf-8",
    )
    return folder


def test_metrics_on_a_case_computed_by_hand(tiny_data: Path, cases_dir: Path, tmp_path: Path) -> None:
    options = EvalOptions(
        data_dir=tiny_data, policies_dir=policies_dir(), cases_dir=cases_dir, curve_dir=tmp_path / "png",
        curve_link_base=tmp_path, tasks=("clickbait", "abuse"), peers=False,
    )  # fmt: skip
    report = run_evaluation(options)
    clickbait, abuse = report.tasks
    assert clickbait.rows == 6, "the detector_train row must not be measured"
    assert clickbait.labels == {"clickbait": 3, "news": 3}
    for system in clickbait.systems:  # default.yaml and lab-engagement.yaml, both on publish
        m = system.decision
        assert (m.tp, m.fp, m.fn, m.tn) == (2, 1, 1, 2), system.system
        assert m.precision.value == pytest.approx(2 / 3)
        assert m.recall.value == pytest.approx(2 / 3)
        assert m.fpr.value == pytest.approx(1 / 3)
        assert system.per_class["clickbait"].k == 2 and system.per_class["news"].k == 1
        assert system.detector is not None and system.detector.fp == 0, "the phone number is PII, not clickbait"
    assert [s.system for s in clickbait.systems] == ["governor: default.yaml, publish", "governor: lab-engagement.yaml, publish"]

    (governor,) = abuse.systems
    assert (governor.decision.tp, governor.decision.fp, governor.decision.fn, governor.decision.tn) == (1, 0, 1, 1)
    assert {c: (r.k, r.n) for c, r in governor.per_class.items()} == {"hate": (0, 1), "offensive": (1, 1), "neither": (0, 1)}

    # Evasion: every operator, for every system, on the three clickbait positives; what was caught
    # before is the denominator of "still caught".
    assert {e.operator for e in clickbait.evasion} == set(OPERATORS)
    for result in clickbait.evasion:
        assert result.recall.n == 3 and result.recall_before.k == 2 and result.retained.n == 2

    (red,) = report.red_team
    assert (red.decision.tp, red.decision.fn, red.decision.fp, red.decision.tn) == (1, 0, 0, 1)

    goals = {(g.area, g.goal): g.met for g in report.goals}
    assert goals[("clickbait (governor: default.yaml, publish)", "clickbait recall ≥ 96%")] is False
    assert goals[("abuse (governor: default.yaml, message)", "neither flagged ≤ 8%")] is True
    assert goals[("red-team cases (all files)", "recall ≥ 95%")] is True

    assert (tmp_path / "png" / "pr-clickbait.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert clickbait.curve == "png/pr-clickbait.png"
    markdown = render_markdown(report)
    assert "| clickbait (governor: default.yaml, publish) | clickbait recall ≥ 96% | 66.7% [20.8, 93.9] | **missed** |" in markdown
    assert "![precision-recall, clickbait](png/pr-clickbait.png)" in markdown
    assert report.splits_digest == load_splits().digest


def test_pii_task_reports_every_category_and_pii_free_rate(tiny_data: Path, tmp_path: Path) -> None:
    pytest.importorskip("faker")
    options = EvalOptions(
        data_dir=tiny_data, policies_dir=policies_dir(), cases_dir=None, curve_dir=None, tasks=("pii",), peers=False, pii_n=48,
    )  # fmt: skip
    (pii,) = run_evaluation(options).tasks
    (governor,) = pii.systems
    assert pii.rows == 48 and set(pii.labels) == {"pii", "none"}
    assert "none" in governor.per_class and governor.per_class["none"].n == pii.labels["none"]
    assert {"email", "phone", "iban"} <= set(governor.typed_recall)
    for category, typed in governor.typed_recall.items():  # found as the category implies flagged
        assert typed.k <= governor.per_class[category].k
    assert pii.curve is None


def test_cli_writes_json_and_markdown(tiny_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    out, json_path = tmp_path / "docs" / "detectors.md", tmp_path / "docs" / "detectors.json"
    args = ["detectors", "eval", "--data-dir", str(tiny_data), "--out", str(out), "--json", str(json_path),
            "--quick", "--no-peers", "--pii-n", "24"]  # fmt: skip
    monkeypatch.setattr(sys, "argv", ["tractatus", *args])
    assert run_cli(app) == 0, capsys.readouterr().err
    report = json.loads(json_path.read_text(encoding="utf-8"))
    assert report["quick"] is True and [t["task"] for t in report["tasks"]] == ["clickbait", "abuse", "pii"]
    assert report["tasks"][2]["rows"] == 24
    assert report["command"] == "tractatus detectors eval --quick --pii-n 24 --no-peers"
    assert out.read_text(encoding="utf-8").startswith("# Detectors on held-out data")
    assert (tmp_path / "docs" / "detectors" / "pr-clickbait.png").is_file()


def test_cli_without_data_says_how_to_get_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    monkeypatch.setattr(sys, "argv", ["tractatus", "detectors", "eval", "--data-dir", str(tmp_path / "none"),
                                      "--out", str(tmp_path / "d.md"), "--json", str(tmp_path / "d.json")])  # fmt: skip
    assert run_cli(app) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "tractatus data fetch" in err
    assert not (tmp_path / "d.md").exists()

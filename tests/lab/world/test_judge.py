"""The lab's independent judge: reproducible, accurate on held-out rows, and independent of the governor."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import tractatus.lab.world.judge as judge_module
from tractatus.data.readers import read_clickbait
from tractatus.data.splits import load_splits
from tractatus.lab.world.judge import (
    EVAL_SPLIT,
    SOURCE,
    TRAIN_SPLIT,
    ClickbaitJudge,
    fit_default_judge,
    fit_judge,
    held_out_accuracy,
)


def test_the_judge_imports_nothing_from_governance() -> None:
    tree = ast.parse(Path(judge_module.__file__).read_text(encoding="utf-8"))
    imported = [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    imported += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    assert imported, "the import scan found nothing: it is not scanning"
    assert not [m for m in imported if m.startswith("tractatus.governance")]


def test_a_tiny_fit_separates_its_own_classes_and_keeps_benign_news() -> None:
    texts = ["you won't believe what happened next", "this one trick will change your life",
             "parliament passes budget bill", "central bank holds interest rates"]
    judge = fit_judge(texts, ["clickbait", "clickbait", "news", "news"], splits_digest="x")
    assert judge.is_clickbait("you won't believe this trick")
    assert not judge.is_clickbait("parliament holds budget vote")
    assert 0.0 < judge.probability("central bank") < 0.5
    with pytest.raises(ValueError):
        fit_judge(texts[:2], ["clickbait", "clickbait"], splits_digest="x")


def test_the_committed_judge_round_trips() -> None:
    judge = ClickbaitJudge.load_default()
    assert ClickbaitJudge.from_json(judge.to_json()).digest == judge.digest
    assert judge.splits_digest == load_splits().digest


def test_judge_training_rows_are_disjoint_from_the_governors(data_dir: Path) -> None:
    splits = load_splits()
    rows = read_clickbait(data_dir)
    judge_rows = {r.text.casefold() for r in splits.select(SOURCE, rows, TRAIN_SPLIT)}
    governor_rows = {r.text.casefold() for r in splits.select(SOURCE, rows, ("detector_train", "detector_dev"))}
    eval_rows = {r.text.casefold() for r in splits.select(SOURCE, rows, EVAL_SPLIT)}
    assert judge_rows and governor_rows
    assert not judge_rows & governor_rows
    assert not judge_rows & eval_rows


@pytest.mark.slow
def test_the_refit_is_bit_identical_and_accurate_on_held_out_rows(data_dir: Path) -> None:
    committed = ClickbaitJudge.load_default()
    refit = fit_default_judge(data_dir)
    assert refit.to_json() == committed.to_json()
    accuracy, rows = held_out_accuracy(committed, data_dir)
    assert rows > 1000
    assert accuracy > 0.9  # 0.937 when committed; a regression below 0.9 means the judge broke

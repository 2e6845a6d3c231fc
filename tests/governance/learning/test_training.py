"""Reproducible training: a retrain equals the shipped bytes, and no held-out row is ever trained on."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from tractatus.cli.errors import run_cli
from tractatus.cli.main import app
from tractatus.data.splits import load_splits
from tractatus.governance.detectors.text_model import load_model
from tractatus.governance.learning.trainers import (
    MODELS,
    TRAINING_SPLITS,
    build_all,
    shipped_models_dir,
    training_rows,
)

HELD_OUT = ("detector_eval", "judge_train", "lab_pool")
_SPACE = re.compile(r"\s+")


def _key(text: str) -> str:
    return _SPACE.sub(" ", text.casefold()).strip()


@pytest.mark.slow  # ~25 s of CPU, over a minute on the shared machine
def test_a_retrain_is_byte_identical_to_the_shipped_models(data_dir: Path) -> None:
    for name, raw in build_all(data_dir).items():
        assert raw == (shipped_models_dir() / f"{name}.json").read_bytes(), f"{name}: retrain differs from the shipped file"


@pytest.mark.parametrize("spec", MODELS, ids=lambda s: s.name)
def test_no_held_out_text_is_in_a_training_set(data_dir: Path, spec) -> None:
    splits = load_splits()
    all_rows = spec.read(data_dir)
    held_out_names = [n for n in HELD_OUT if n in splits.names(spec.source)]
    held_out = {_key(r.text) for r in splits.select(spec.source, all_rows, held_out_names)}
    assert held_out, "the held-out split must not be empty, or this test proves nothing"
    for split in TRAINING_SPLITS:
        rows = training_rows(spec, data_dir, split)
        assert rows
        assert not held_out & {_key(r.text) for r in rows}, f"{spec.name}: held-out text in {split}"
    # The shipped file says how many rows it learned from and under which split file: both hold.
    meta = load_model(spec.name).meta
    assert meta["splits_digest"] == splits.digest
    assert meta["train_rows"] == len(training_rows(spec, data_dir, "detector_train"))


@pytest.mark.parametrize("split", HELD_OUT)
def test_trainers_refuse_held_out_splits(data_dir: Path, split: str) -> None:
    with pytest.raises(ValueError, match="never read"):
        training_rows(MODELS[0], data_dir, split)


def _cli(monkeypatch, capsys, *args: str) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "argv", ["tractatus", *args])
    code = run_cli(app)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_train_check_exits_non_zero_when_a_file_differs(tmp_path: Path, monkeypatch, capsys) -> None:
    # The exported alt-profanity-check model needs no data: a fast end-to-end run of the command.
    code, out, _ = _cli(monkeypatch, capsys, "detectors", "train", "--model", "profanity", "--out", str(tmp_path))
    assert code == 0 and (tmp_path / "profanity.json").read_bytes() == (shipped_models_dir() / "profanity.json").read_bytes()
    code, out, _ = _cli(monkeypatch, capsys, "detectors", "train", "--model", "profanity", "--out", str(tmp_path), "--check")
    assert code == 0 and "same profanity" in out
    (tmp_path / "profanity.json").write_bytes(b"{}")
    code, out, _ = _cli(monkeypatch, capsys, "detectors", "train", "--model", "profanity", "--out", str(tmp_path), "--check")
    assert code == 1 and "differs" in out
    assert (tmp_path / "profanity.json").read_bytes() == b"{}"  # --check writes nothing


def test_train_names_unknown_models_and_missing_data(tmp_path: Path, monkeypatch, capsys) -> None:
    code, _, err = _cli(monkeypatch, capsys, "detectors", "train", "--model", "nope")
    assert code == 2 and "choose from" in err and err.count("\n") == 1
    code, _, err = _cli(monkeypatch, capsys, "detectors", "train", "--model", "clickbait", "--data-dir", str(tmp_path / "empty"))
    assert code == 2 and "tractatus data fetch" in err and err.count("\n") == 1

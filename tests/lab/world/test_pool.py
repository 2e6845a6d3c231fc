"""The headline pool: split hygiene and the JSONL pool file."""

from __future__ import annotations

from pathlib import Path

import pytest

from tractatus.data.readers import CLICKBAIT, read_clickbait
from tractatus.data.splits import load_splits
from tractatus.governance.errors import InputError
from tractatus.lab.world.pool import Headline, load_pool, read_pool_file

DETECTOR_AND_JUDGE_SPLITS = ("detector_train", "detector_dev", "detector_eval", "judge_train")


def test_no_pool_headline_is_in_any_detector_or_judge_split(data_dir: Path) -> None:
    pool = load_pool(data_dir)
    assert len(pool) > 1000
    assert {h.label for h in pool} == {"clickbait", "news"}
    rows = read_clickbait(data_dir)
    splits = load_splits()
    others = {" ".join(r.text.casefold().split()) for r in splits.select(CLICKBAIT, rows, DETECTOR_AND_JUDGE_SPLITS)}
    overlap = [h.text for h in pool if " ".join(h.text.casefold().split()) in others]
    assert overlap == []


def test_pool_file_is_read_in_order(tmp_path: Path) -> None:
    path = tmp_path / "pool.jsonl"
    path.write_text('{"text": "A", "label": "news"}\n\n{"text": "B!", "label": "clickbait"}\n', encoding="utf-8")
    assert read_pool_file(path) == [Headline("A", "news"), Headline("B!", "clickbait")]
    assert load_pool(pool_file=path)[1].clickbait


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json\n", "line 1: not a JSON object"),
        ('["a"]\n', "line 1: not a JSON object"),
        ('{"text": "ok", "label": "news"}\n{"text": "", "label": "news"}\n', "line 2"),
        ('{"text": "ok", "label": "spam"}\n', "\"label\" must be"),
        ("\n", "no headlines"),
    ],
)
def test_bad_pool_files_are_one_clear_error(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        read_pool_file(path)


def test_missing_pool_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_pool_file(tmp_path / "nope.jsonl")


"""Readers on small files laid out like the data directory, and one clear error when data is missing."""

from __future__ import annotations

import gzip

import pytest

from tractatus.data.paths import ENV_VAR, MissingDataError, resolve_data_dir
from tractatus.data.readers import CLICKBAIT, DAVIDSON, read_clickbait, read_davidson


def test_clickbait_reader_labels_by_file_and_skips_blank_lines(tmp_path):
    folder = tmp_path / CLICKBAIT
    folder.mkdir()
    with gzip.open(folder / "clickbait.dev.txt.gz", "wt") as f:
        f.write("17 Cats Who Have Had Enough\n\nCan You Guess This Song\n")
    (folder / "non_clickbait_data").write_text("Parliament passes budget\n")
    rows = read_clickbait(tmp_path)
    assert [(r.text, r.label) for r in rows] == [
        ("17 Cats Who Have Had Enough", "clickbait"),
        ("Can You Guess This Song", "clickbait"),
        ("Parliament passes budget", "news"),
    ]


def test_davidson_reader_maps_classes(tmp_path):
    folder = tmp_path / DAVIDSON
    folder.mkdir()
    (folder / "labeled_data.csv").write_text(
        ",count,hate_speech,offensive_language,neither,class,tweet\n0,3,0,0,3,2,nice day\n1,3,3,0,0,0,\"a, b\"\n"
    )
    assert [(r.text, r.label) for r in read_davidson(tmp_path)] == [("nice day", "neither"), ("a, b", "hate")]


def test_missing_data_says_how_to_fetch_it(tmp_path):
    with pytest.raises(MissingDataError, match="tractatus data fetch clickbait-chakraborty2016"):
        read_clickbait(tmp_path)


def test_data_dir_resolution_order(tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "env"))
    assert resolve_data_dir(tmp_path / "flag") == tmp_path / "flag"
    assert resolve_data_dir(None) == tmp_path / "env"
    monkeypatch.delenv(ENV_VAR)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert resolve_data_dir(None) == tmp_path / "cache" / "tractatus" / "datasets"

"""Every marked number in README.md and docs/*.md equals its source (scripts/render-docs.py)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _render_docs():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("render_docs", ROOT / "scripts" / "render-docs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_docs_equal_a_fresh_render(capsys) -> None:  # type: ignore[no-untyped-def]
    code = _render_docs().main(["--check"])
    assert code == 0, capsys.readouterr().out


def test_a_changed_number_is_caught_and_rerendered(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    render_docs = _render_docs()
    (tmp_path / "docs").mkdir()
    (tmp_path / "r.json").write_text(json.dumps({"a": {"b": [0.5, 1.23456]}}))
    doc = tmp_path / "docs" / "x.md"
    doc.write_text("p50 is <!-- value: r.json#a.b.1 fmt=.2f -->1.20<!-- /value --> ms\n")
    assert render_docs.main(["--check"], root=tmp_path) == 1
    assert "docs say '1.20', source says '1.23'" in capsys.readouterr().out
    assert render_docs.main([], root=tmp_path) == 0
    assert doc.read_text() == "p50 is <!-- value: r.json#a.b.1 fmt=.2f -->1.23<!-- /value --> ms\n"
    assert render_docs.main(["--check"], root=tmp_path) == 0


def test_a_missing_key_is_an_error(tmp_path: Path) -> None:
    render_docs = _render_docs()
    (tmp_path / "r.json").write_text("{}")
    (tmp_path / "README.md").write_text("<!-- value: r.json#nope -->1<!-- /value -->\n")
    assert render_docs.main(["--check"], root=tmp_path) == 2


def test_a_key_with_spaces_is_read_not_skipped(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    # Until session 6 such markers never matched: they stayed "?" and the check passed.
    render_docs = _render_docs()
    (tmp_path / "docs").mkdir()
    (tmp_path / "r.json").write_text(json.dumps({"clickbait (publish)": {"flagged": 0.956}}))
    doc = tmp_path / "docs" / "x.md"
    doc.write_text("<!-- value: r.json#clickbait (publish).flagged fmt=.1% -->?<!-- /value -->\n")
    assert render_docs.main(["--check"], root=tmp_path) == 1
    assert render_docs.main([], root=tmp_path) == 0
    assert doc.read_text() == "<!-- value: r.json#clickbait (publish).flagged fmt=.1% -->95.6%<!-- /value -->\n"

"""Provenance: digests of code and data in manifests and cache keys; stale results are never reused."""

from __future__ import annotations

from pathlib import Path

from tractatus.lab.backends import Cell, CellStore, LocalBackend, run_grid
from tractatus.lab.provenance import code_digest, files_digest, run_provenance


def _double(cell: Cell) -> dict[str, int]:
    return {"y": 2 * int(cell.params["x"])}


def test_changing_the_code_digest_forces_a_rerun(tmp_path: Path) -> None:
    cells = [Cell("double", seed, {"x": seed}) for seed in range(2)]
    calls: list[int] = []

    def counting(cell: Cell) -> dict[str, int]:
        calls.append(cell.seed)
        return _double(cell)

    assert run_grid(counting, cells, backend=LocalBackend(), store=CellStore(tmp_path, code_digest="code-a")) == [{"y": 0}, {"y": 2}]
    assert calls == [0, 1]
    # same code: resumed from the store, nothing recomputed
    run_grid(counting, cells, backend=LocalBackend(), store=CellStore(tmp_path, code_digest="code-a"))
    assert calls == [0, 1]
    # other code: every stored cell is stale and recomputed, and the store says which
    store = CellStore(tmp_path, code_digest="code-b")
    run_grid(counting, cells, backend=LocalBackend(), store=store)
    assert calls == [0, 1, 0, 1]
    assert sorted(store.stale) == sorted(c.key for c in cells)
    assert CellStore(tmp_path, code_digest="code-b").load(cells[0]) == {"y": 0}


def test_the_default_store_keys_on_the_package_code() -> None:
    assert CellStore(Path("unused")).code_digest == code_digest()


def test_code_digest_changes_with_any_source_file(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    source = tmp_path / "pkg" / "module.py"
    source.write_text("x = 1\n", encoding="utf-8")
    (tmp_path / "pkg" / "notes.txt").write_text("ignored", encoding="utf-8")
    before = code_digest(tmp_path)
    (tmp_path / "pkg" / "notes.txt").write_text("still ignored", encoding="utf-8")
    assert code_digest(tmp_path) == before
    source.write_text("x = 2\n", encoding="utf-8")
    assert code_digest(tmp_path) != before


def test_run_provenance_digests_the_pool_file(tmp_path: Path) -> None:
    pool = tmp_path / "pool.jsonl"
    pool.write_text('{"text": "a", "label": "news"}\n', encoding="utf-8")
    first = run_provenance(pool_file=pool)
    assert first.code_digest == code_digest() and first.data_digest is not None and len(first.splits_digest) == 64
    pool.write_text('{"text": "b", "label": "news"}\n', encoding="utf-8")
    assert run_provenance(pool_file=pool).data_digest != first.data_digest
    assert files_digest([pool]) != files_digest([])

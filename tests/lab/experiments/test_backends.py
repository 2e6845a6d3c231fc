"""The grid backends: resumable cell store, in-process and Ray give the same results, clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from tractatus.governance.errors import ConfigError
from tractatus.lab.backends import Cell, CellStore, LocalBackend, RayBackend, make_backend, run_grid
from tractatus.lab.experiments import gap
from tractatus.lab.experiments.grid import policy_path


def _tiny_gap_cells(seeds: range) -> list[Cell]:
    config = gap.GapConfig(agents=2, rounds=4, steps=2, seeds=len(seeds))
    policy = policy_path(None)
    return [c for c in gap.cells(config, policy) if c.params["setting"] == "main" and c.params["mode"] in ("none", "shield")
            and c.seed in seeds]


def test_store_resumes_finished_cells_without_recomputing(tmp_path: Path) -> None:
    cells = [Cell("double", seed, {"x": seed}) for seed in range(3)]
    calls: list[int] = []

    first = run_grid(_double, cells[:2], backend=LocalBackend(), store=CellStore(tmp_path))
    assert first == [{"y": 0}, {"y": 2}]

    def counting(cell: Cell) -> dict[str, int]:
        calls.append(cell.seed)
        return _double(cell)

    resumed = run_grid(counting, cells, backend=LocalBackend(), store=CellStore(tmp_path))
    assert resumed == [{"y": 0}, {"y": 2}, {"y": 4}]
    assert calls == [2]  # only the unfinished cell ran
    # a cell whose parameters changed is stale: recomputed, not trusted
    changed = [Cell("double", 0, {"x": 10})]
    assert run_grid(counting, changed, backend=LocalBackend(), store=CellStore(tmp_path)) == [{"y": 20}]
    assert calls == [2, 0]


def _double(cell: Cell) -> dict[str, int]:
    return {"y": 2 * cell.params["x"]}


def test_duplicate_cells_are_refused() -> None:
    with pytest.raises(ConfigError, match="duplicate"):
        run_grid(_double, [Cell("a", 0, {"x": 1}), Cell("a", 0, {"x": 1})], backend=LocalBackend())


def test_unknown_backend_and_unreachable_cluster_are_clear_errors() -> None:
    with pytest.raises(ConfigError, match="unknown backend 'spark'"):
        make_backend("spark")
    with pytest.raises(ConfigError, match=r"cannot reach Ray cluster at '127\.0\.0\.1:9'"):
        RayBackend("127.0.0.1:9")
    with pytest.raises(ConfigError, match="not HOST:PORT"):
        RayBackend("nonsense")


def test_same_seed_same_result_in_process() -> None:
    cells = _tiny_gap_cells(range(1))
    assert run_grid(gap.run_cell, cells, backend=LocalBackend()) == run_grid(gap.run_cell, cells, backend=LocalBackend())


def test_local_ray_instance_returns_the_in_process_results(tmp_path: Path) -> None:
    cells = _tiny_gap_cells(range(2))
    local = run_grid(gap.run_cell, cells, backend=LocalBackend(), store=CellStore(tmp_path / "local"))
    backend = RayBackend(num_cpus=2)
    try:
        remote = run_grid(gap.run_cell, cells, backend=backend, store=CellStore(tmp_path / "ray"))
    finally:
        backend.close()
    assert remote == local
    # and the same result files, whichever backend wrote them
    for cell in cells:
        assert CellStore(tmp_path / "ray").load(cell) == CellStore(tmp_path / "local").load(cell)
    shield = [r for c, r in zip(cells, local, strict=True) if c.params["mode"] == "shield"]
    assert all(r["coverage"] == 1.0 for r in shield)

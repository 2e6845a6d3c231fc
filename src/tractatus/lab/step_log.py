"""Raw per-step logs: one Parquet file per run (runs/<id>/steps.parquet), as safe-RL papers publish them.

Experiments that have no tidy result table of their own (Q3's adversary, Q5's feed) add one
chunk of equally long columns per environment step; `write` concatenates them into one table.
The schema of each experiment's file is documented in docs/lab.md ("Raw per-step logs"). Demo 2
and Q4 write theirs as results.parquet (experiments/headlines.py, HeadlineResultTable).

pandas would do the same in one line per chunk, but keeping numpy columns until the end writes a
file with the same bytes for the same run (no index column, no pandas metadata) and costs nothing
per step.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

STEPS_FILE = "steps.parquet"


class StepLog:
    def __init__(self) -> None:
        self._chunks: list[dict[str, np.ndarray]] = []

    def add(self, **columns: Any) -> None:
        """One step's rows: every column an array of the same length, or a scalar repeated to it."""
        arrays = {k: np.asarray(v) for k, v in columns.items()}
        n = max((a.size for a in arrays.values() if a.ndim), default=1)
        self._chunks.append({k: a.ravel() if a.ndim else np.full(n, a.item(), dtype=object if isinstance(a.item(), str) else a.dtype)
                             for k, a in arrays.items()})

    @property
    def rows(self) -> int:
        return sum(len(next(iter(c.values()))) for c in self._chunks if c)

    def write(self, path: Path) -> None:
        if not self._chunks:
            pq.write_table(pa.table({}), path)
            return
        columns = {name: np.concatenate([c[name] for c in self._chunks]) for name in self._chunks[0]}
        pq.write_table(pa.table({k: pa.array(v) for k, v in columns.items()}), path, compression="zstd")

"""Run an experiment grid of (configuration, seed) cells, in-process or on a Ray cluster.

An experiment is a list of `Cell`s and a cell function: a module-level function that takes one
cell and returns a JSON-serializable dict, depending on nothing but the cell (it builds its own
environment, learner and governor from the cell's parameters and seed). That makes a cell a
unit of work that can run anywhere: in this process (`LocalBackend`) or as a Ray task
(`RayBackend`), with the same result.

Results go to a `CellStore`: one JSON file per cell under `<run dir>/cells/`, written atomically
as each cell finishes, and the same files whichever backend ran it. A run that is interrupted can
be resumed: a cell whose file exists with the same parameters is loaded, not recomputed.

Ray: `RayBackend(address)` connects with `ray.init(address=...)`. Without an address it starts
a local Ray instance (`address="local"`, so it never attaches by accident to a cluster someone
else started on this machine). An address that cannot be reached is a `ConfigError` naming it.
To use a cluster, start it (`ray start --head` on one machine, `ray start --address=HEAD:6379`
on the others), install this package on every node (or pass a `runtime_env`), and run
`tractatus lab scale --backend ray --ray-address HEAD:6379` (docs/research-report.md, "Running on Ray").
"""

from __future__ import annotations

import json
import os
import re
import socket
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping, Protocol, Sequence

from tractatus.governance.actions import canonical_json, sha256_hex
from tractatus.governance.errors import ConfigError

CellFunction = Callable[["Cell"], dict[str, Any]]
OnCellDone = Callable[["Cell", dict[str, Any], bool], None]  # (cell, result, loaded_from_store)

_SAFE = re.compile(r"[^A-Za-z0-9_.-]+")


@dataclass(frozen=True)
class Cell:
    """One unit of work: a named configuration, its parameters and one seed."""

    config: str
    seed: int
    params: Mapping[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"{_SAFE.sub('_', self.config)}__seed{self.seed}"

    @property
    def fingerprint(self) -> str:
        """Changes when the parameters change, so a stale stored result is recomputed."""
        return sha256_hex(canonical_json({"config": self.config, "seed": self.seed, "params": dict(self.params)}))[:16]

    def to_dict(self) -> dict[str, Any]:
        return {"config": self.config, "seed": self.seed, "params": dict(self.params)}


class CellStore:
    """One JSON file per finished cell under `root/cells/`: the resumable record of a grid run.

    Each stored cell records the code digest it was computed with (lab/provenance.py). A stored
    result from other code is stale: `load` ignores it and the cell is recomputed, so changing the
    code (or a bundled policy, or the committed engagement coefficients) never reuses old numbers.
    """

    def __init__(self, root: Path, *, code_digest: str | None = None) -> None:
        from tractatus.lab.provenance import code_digest as current_code_digest

        self.root = Path(root)
        self.cells_dir = self.root / "cells"
        self.code_digest = code_digest if code_digest is not None else current_code_digest()
        self.stale: list[str] = []  # keys of stored cells ignored because their code digest differs

    def path(self, cell: Cell) -> Path:
        return self.cells_dir / f"{cell.key}.json"

    def load(self, cell: Cell) -> dict[str, Any] | None:
        """The stored result of this exact cell, or None (missing, unreadable or other parameters)."""
        path = self.path(cell)
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if record.get("fingerprint") != cell.fingerprint:
            return None
        if record.get("code_digest") != self.code_digest:
            self.stale.append(cell.key)
            return None
        result = record.get("result")
        return result if isinstance(result, dict) else None

    def save(self, cell: Cell, result: dict[str, Any]) -> None:
        self.cells_dir.mkdir(parents=True, exist_ok=True)
        record = {"cell": cell.to_dict(), "fingerprint": cell.fingerprint, "code_digest": self.code_digest, "result": result}
        path = self.path(cell)
        tmp = path.with_suffix(f".tmp{os.getpid()}")
        # write-then-rename: an interrupted run never leaves a half-written cell that looks finished
        tmp.write_text(json.dumps(record, sort_keys=True, indent=1, allow_nan=True), encoding="utf-8")
        os.replace(tmp, path)


class Backend(Protocol):
    name: str

    def run(self, fn: CellFunction, cells: Sequence[Cell]) -> Iterator[tuple[Cell, dict[str, Any]]]:
        """Yield (cell, result) as cells finish, in any order."""
        ...

    def close(self) -> None: ...


class LocalBackend:
    """In-process, one cell after another: the reference every other backend must match."""

    name = "local"

    def run(self, fn: CellFunction, cells: Sequence[Cell]) -> Iterator[tuple[Cell, dict[str, Any]]]:
        for cell in cells:
            yield cell, fn(cell)

    def close(self) -> None:
        pass


class RayBackend:
    """Each cell a Ray task. Starts a local Ray instance unless given the address of a cluster."""

    name = "ray"

    def __init__(self, address: str | None = None, *, num_cpus: int | None = None,
                 runtime_env: Mapping[str, Any] | None = None) -> None:
        import ray  # imported here: Ray is heavy and only this backend needs it

        self._ray = ray
        self.address = address
        self._owns_instance = False
        if ray.is_initialized():
            return
        kwargs: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False, "configure_logging": False}
        if runtime_env:
            kwargs["runtime_env"] = dict(runtime_env)
        if address not in (None, "", "local", "auto"):
            probe_ray_address(address)
        try:
            if address in (None, "", "local"):
                try:
                    ray.init(address="local", num_cpus=num_cpus, **kwargs)
                except Exception as first:
                    # Ray waits a fixed 30 s for its raylet; on a machine under heavy load that can
                    # run out once while the processes are still starting. Retry once, then give up.
                    if "timed out during startup" not in str(first):
                        raise
                    ray.shutdown()
                    ray.init(address="local", num_cpus=num_cpus, **kwargs)
            else:
                ray.init(address=address, **kwargs)
        except Exception as exc:  # ConnectionError, ValueError, RuntimeError: all mean "not reachable"
            detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            where = address or "a local Ray instance"
            raise ConfigError(f"cannot reach Ray cluster at {where!r}: {detail[:200]}") from None
        self._owns_instance = True

    def run(self, fn: CellFunction, cells: Sequence[Cell]) -> Iterator[tuple[Cell, dict[str, Any]]]:
        ray = self._ray
        remote_fn = ray.remote(num_cpus=1, max_retries=1)(fn)
        pending = {remote_fn.remote(cell): cell for cell in cells}
        while pending:
            done, _ = ray.wait(list(pending), num_returns=1)
            for ref in done:
                cell = pending.pop(ref)
                try:
                    result = ray.get(ref)
                except ray.exceptions.RayTaskError as exc:
                    # Re-raise the cell's own error (e.g. a ConfigError) rather than Ray's wrapper.
                    raise exc.as_instanceof_cause() from None
                yield cell, result

    def close(self) -> None:
        if self._owns_instance:
            self._ray.shutdown()
            self._owns_instance = False


def probe_ray_address(address: str, timeout_s: float = 5.0) -> None:
    """Fail fast on an unreachable cluster: Ray itself retries a dead GCS address for minutes."""
    hostport = address.split("://", 1)[-1].rstrip("/")
    host, sep, port = hostport.rpartition(":")
    if not sep or not port.isdigit() or not host:
        raise ConfigError(f"--ray-address: {address!r} is not HOST:PORT, ray://HOST:PORT, auto or local")
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=timeout_s):
            pass
    except OSError as exc:
        raise ConfigError(f"cannot reach Ray cluster at {address!r}: {exc.strerror or exc}") from None


def make_backend(name: str, *, address: str | None = None, num_cpus: int | None = None) -> Backend:
    if name == "local":
        if address:
            raise ConfigError("--ray-address is only meaningful with --backend ray")
        return LocalBackend()
    if name == "ray":
        return RayBackend(address, num_cpus=num_cpus)
    raise ConfigError(f"--backend: unknown backend {name!r} (expected local or ray)")


def run_grid(
    fn: CellFunction,
    cells: Sequence[Cell],
    *,
    backend: Backend,
    store: CellStore | None = None,
    on_done: OnCellDone | None = None,
) -> list[dict[str, Any]]:
    """Run every cell not already in the store; return results in the order of `cells`.

    Each result is saved as soon as it arrives, so an interrupted run keeps what it finished.
    """
    keys = [cell.key for cell in cells]
    if len(set(keys)) != len(keys):
        raise ConfigError("experiment grid has duplicate (configuration, seed) cells")
    results: dict[str, dict[str, Any]] = {}
    todo: list[Cell] = []
    for cell in cells:
        stored = store.load(cell) if store is not None else None
        if stored is None:
            todo.append(cell)
        else:
            results[cell.key] = stored
            if on_done is not None:
                on_done(cell, stored, True)
    for cell, result in backend.run(fn, todo):
        # round-trip through JSON so a fresh result equals a stored one exactly (tuples, floats)
        result = json.loads(json.dumps(result, allow_nan=True))
        if store is not None:
            store.save(cell, result)
        results[cell.key] = result
        if on_done is not None:
            on_done(cell, result, False)
    return [results[cell.key] for cell in cells]

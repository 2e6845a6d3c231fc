"""Where the audit log and the escalation queue live: opening a SQLite file or a SQLAlchemy URL.

One function turns the `--audit-db` / `TRACTATUS_AUDIT_DB` value into a SQLAlchemy engine with
the settings durability depends on, so the audit log and the escalation queue (which share the
database) cannot disagree about them.

Durability argument (SQLite):
- `journal_mode=WAL` + `synchronous=FULL`: every COMMIT fsyncs the write-ahead log before it
  returns, so a committed transaction survives a process kill *and* a power cut. (NORMAL would
  survive a SIGKILL but could lose the last commits on power loss; the audit log promises that a
  decision returned to a caller is on disk, so we pay for FULL.)
- The cost of that fsync is amortised by group commit in `AuditLog`: concurrent callers share
  one transaction and one fsync.
- Writers take the database lock up front (`BEGIN IMMEDIATE`), so two processes appending to
  the same file serialize instead of deadlocking on a lock upgrade.
PostgreSQL: commits are durable by default (`synchronous_commit=on`); writers serialize on a
transaction-scoped advisory lock.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from tractatus.governance.errors import AuditError

AUDIT_DB_ENV = "TRACTATUS_AUDIT_DB"
DEFAULT_AUDIT_DB = Path(".tractatus") / "audit.db"
# Execution option a writer sets on its connection so that its transactions begin IMMEDIATE.
WRITE_OPTION = "tractatus_write"
# How long a SQLite writer waits for another process holding the write lock before failing.
SQLITE_BUSY_TIMEOUT_S = 30.0
# Page cache per connection (KiB). SQLite's 2 MiB default keeps too few index pages of a
# million-entry log in memory, and appends then slow down as the log grows.
SQLITE_CACHE_KIB = 65_536


def resolve_location(location: str | Path | None) -> str | Path:
    """None -> $TRACTATUS_AUDIT_DB -> .tractatus/audit.db under the working directory."""
    if location is None or (isinstance(location, str) and not location.strip()):
        location = os.environ.get(AUDIT_DB_ENV) or None
    if location is None:
        return Path.cwd() / DEFAULT_AUDIT_DB
    if isinstance(location, str) and "://" in location:
        return location
    return Path(location)


def describe(location: str | Path) -> str:
    """The location as it may be shown to a person: a URL's password is hidden."""
    if isinstance(location, Path):
        return str(location)
    try:
        return make_url(location).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unparseable database URL>"


def open_engine(location: str | Path, *, synchronous: str = "FULL") -> Engine:
    """Create an engine for a path or URL and prove it is reachable and writable.

    `synchronous` (SQLite only) is FULL by default; NORMAL trades power-loss durability of the
    last commits for latency (see the module docstring) and exists for measuring that trade.
    """
    if synchronous not in ("FULL", "NORMAL"):
        raise AuditError(f"synchronous must be FULL or NORMAL, not {synchronous!r}")
    shown = describe(location)
    if isinstance(location, Path):
        url = URL.create("sqlite", database=str(location.expanduser().resolve()))
    else:
        try:
            url = make_url(location)
        except ArgumentError:
            raise AuditError(f"audit database {shown}: not a valid SQLAlchemy URL") from None
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        path = Path(url.database)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise AuditError(f"audit database {shown}: cannot create {path.parent} ({exc.strerror or exc})") from None
        if path.is_dir():
            raise AuditError(f"audit database {shown}: is a directory")
    try:
        engine = _create(url, synchronous)
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        raise AuditError(f"audit database {shown}: unreachable ({reason})") from None
    except ModuleNotFoundError as exc:
        raise AuditError(f"audit database {shown}: driver not installed ({exc.name})") from None
    return engine


def _create(url: URL, synchronous: str) -> Engine:
    if url.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_S},
    )

    # pysqlite's own transaction handling would BEGIN lazily and DEFERRED; SQLAlchemy's
    # documented recipe takes it over so we can BEGIN IMMEDIATE for writers.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_TIMEOUT_S * 1000)}")
        cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(WRITE_OPTION) else "BEGIN")

    return engine


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"

"""Opening the service database: engine, reachability check, migrations on start.

The schema is owned by Alembic (migrations/ ships inside the package); `open_database` upgrades
to head every time the service starts, so a fresh clone and an old database both end current.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, make_url, text
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from tractatus.governance.errors import ConfigError

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
VERSION_TABLE = "tractatus_service_version"  # not "alembic_version": the audit tables may share the database


def hide_password(url: str) -> str:
    """The URL as it may be shown to people: the password masked."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unparseable database URL>"


def create_db_engine(url: str, *, synchronous: str = "FULL") -> Engine:
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigError(f"invalid database URL {hide_password(url)!r}") from None
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            # WAL lets the dashboard read while a submission commits; FULL makes a committed
            # submission survive power loss, matching the audit log's durability (NORMAL: see
            # dashboard_session_factory).
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA synchronous={synchronous}")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


def migrate(engine: Engine) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        config.attributes["version_table"] = VERSION_TABLE
        command.upgrade(config, "head")


def open_database(url: str) -> Engine:
    """Engine for `url`, checked reachable and migrated. Unreachable -> ConfigError naming the URL."""
    engine = create_db_engine(url)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        engine.dispose()
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()
        detail = reason[0] if reason else type(exc).__name__
        password = make_url(url).password
        if password:
            detail = detail.replace(str(password), "***")
        raise ConfigError(f"cannot reach database {hide_password(url)}: {detail}") from None
    try:
        migrate(engine)
    except SQLAlchemyError as exc:
        engine.dispose()
        raise ConfigError(f"cannot migrate database {hide_password(url)}: {type(exc).__name__}") from None
    return engine


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def dashboard_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions for rows that only mirror the audit log (the dashboard's row per API decision).

    The audit entry of a decision is fsynced before the response leaves; the dashboard row beside
    it is a copy for display that carries the entry's `audit_seq`. Fsyncing it as well cost a
    second disk flush per `/api/v1/decide` (~7 ms each on this machine's disk, issue 12: keep-alive
    p50 <= 5 ms). With SQLite these rows therefore commit through a second engine on the same file
    with `synchronous=NORMAL`: in WAL mode the commit is atomic and survives a crash of the
    process, and it reaches the disk with the next fsynced commit or checkpoint; only a power cut
    can lose the last few such rows, and every one of them is still in the audit log. Submissions
    and everything else keep FULL (a separate pool, so no connection ever carries the weaker
    setting into other work). Other databases keep their durable default commit.
    """
    url = engine.url
    if engine.dialect.name != "sqlite" or url.database in (None, "", ":memory:"):
        return session_factory(engine)
    return session_factory(create_db_engine(url.render_as_string(hide_password=False), synchronous="NORMAL"))

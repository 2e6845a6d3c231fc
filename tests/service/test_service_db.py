"""Migrations run on start, are idempotent, and the schema matches the models."""

from __future__ import annotations

from sqlalchemy import inspect, text

from tractatus.service.db import VERSION_TABLE, hide_password, open_database
from tractatus.service.models import Base


def test_migrations_create_the_schema_and_are_idempotent(database_url):
    engine = open_database(database_url)
    tables = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables and VERSION_TABLE in tables
    with engine.connect() as conn:
        assert conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar() == "0001"
    engine.dispose()
    again = open_database(database_url)  # a second start upgrades nothing and fails on nothing
    for name, table in Base.metadata.tables.items():
        columns = {c["name"] for c in inspect(again).get_columns(name)}
        assert columns == set(table.columns.keys()), name
    again.dispose()


def test_hide_password():
    assert hide_password("postgresql+psycopg://u:pw@h:5432/d") == "postgresql+psycopg://u:***@h:5432/d"
    assert hide_password("sqlite:////tmp/x.db") == "sqlite:////tmp/x.db"


def test_dashboard_rows_skip_only_their_own_fsync(tmp_path):
    # A dashboard row mirrors an audit entry that is already fsynced: it commits with
    # synchronous=NORMAL on a pool of its own, and every other session keeps FULL.
    from tractatus.service.db import dashboard_session_factory, session_factory
    from tractatus.service.models import DecisionRecord

    engine = open_database(f"sqlite:///{tmp_path / 'service.db'}")
    dashboard = dashboard_session_factory(engine)
    durable = session_factory(engine)
    try:
        with dashboard.begin() as session:
            assert session.execute(text("PRAGMA synchronous")).scalar() == 1  # NORMAL
            session.add(DecisionRecord(created_at=1.0, source="api", verdict="allow", rule_ids=[], latency_us=1.0, audit_seq=1))
        with durable.begin() as session:
            assert session.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
            assert session.query(DecisionRecord).count() == 1  # the same file
        assert dashboard.kw["bind"] is not engine
    finally:
        dashboard.kw["bind"].dispose()
        engine.dispose()


def test_other_databases_keep_one_pool_for_dashboard_rows():
    from sqlalchemy import create_engine

    from tractatus.service.db import dashboard_session_factory

    engine = create_engine("sqlite://")
    assert dashboard_session_factory(engine).kw["bind"] is engine
    engine.dispose()

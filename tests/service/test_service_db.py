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

"""Fixtures for the service tests: a real app on a real database (SQLite, or PostgreSQL if DATABASE_URL is set).

With DATABASE_URL set (e.g. by scripts/start-postgres.sh in CI), every test gets its own fresh
PostgreSQL database created from that server and dropped afterwards, so the same suite runs
unchanged on both engines.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Iterator

import pytest
from fastapi.testclient import TestClient
from service_helpers import make_settings
from sqlalchemy import create_engine, make_url, text

from tractatus.service.app import create_app
from tractatus.service.settings import ServiceSettings


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    server = os.environ.get("DATABASE_URL")
    if not server:
        yield f"sqlite:///{tmp_path / 'service.db'}"
        return
    name = f"tractatus_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> ServiceSettings:
    return make_settings(tmp_path, database_url)


@pytest.fixture
def client(settings: ServiceSettings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client



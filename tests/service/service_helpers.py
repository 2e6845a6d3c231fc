"""Helpers shared by the service tests (a module of its own: conftest files are not importable)."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

from tractatus.service.context import ServiceContext
from tractatus.service.settings import ServiceSettings

API_KEY = "test-key-0123456789"
AUTH = {"Authorization": f"Bearer {API_KEY}"}
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')
RATING_FIELD = re.compile(r'name="rating_token" value="([^"]+)"')
REFERENCE = re.compile(r'id="reference"><code>([0-9a-f]{32})</code>')


def make_settings(tmp_path: Path, database_url: str, **overrides: object) -> ServiceSettings:
    values: dict[str, object] = {
        "data_dir": tmp_path / "data",
        "database_url": database_url,
        "api_key": API_KEY,
        "otel_exporter": "memory",
        "rate_limit_per_s": 1000.0,
        "rate_limit_burst": 1000,
    }
    if database_url.startswith("sqlite"):
        values["audit_db"] = str(tmp_path / "audit.db")
    values.update(overrides)
    return ServiceSettings.build(env={}, **values)


def ctx_of(client: TestClient) -> ServiceContext:
    return client.app.state.ctx  # type: ignore[attr-defined]


def csrf_token(client: TestClient) -> str:
    page = client.get("/feedback")
    assert page.status_code == 200
    match = CSRF_FIELD.search(page.text)
    assert match, "the form carries a CSRF token"
    return match.group(1)


def submit(client: TestClient, message: str, *, email: str = "", consent: bool = False, token: str | None = None):  # type: ignore[no-untyped-def]
    data = {"message": message, "email": email, "csrf_token": token or csrf_token(client)}
    if consent:
        data["consent"] = "on"
    return client.post("/feedback", data=data)


def reference_of(page_text: str) -> str:
    match = REFERENCE.search(page_text)
    assert match, "the result page shows the submission reference"
    return match.group(1)

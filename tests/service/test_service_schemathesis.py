"""Property-based API testing from the OpenAPI spec (schemathesis): no input may cause a server error.

Bounded: a few examples per operation, so the run stays in seconds. Requests carry the bearer
key so that generated bodies reach the handlers rather than stopping at 401.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from service_helpers import AUTH, make_settings

from tractatus.service.app import create_app


@pytest.fixture
def api_schema(tmp_path: Path, database_url: str):  # type: ignore[no-untyped-def]
    app = create_app(make_settings(tmp_path, database_url))
    return schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors(case):  # type: ignore[no-untyped-def]
    case.call_and_validate(headers=AUTH, checks=[not_a_server_error])

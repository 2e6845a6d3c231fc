"""Property-based API testing from the OpenAPI spec (schemathesis): no input may cause a server error.

Every operation in the spec is exercised with data that fits the schema (positive) and data
that does not (negative). Bounded: a few examples per operation and mode, so the run stays in
seconds. Requests carry the bearer key so that generated bodies reach the handlers.

(schemathesis' own pytest plugin, `from_fixture`, does not work with this pytest version, so
the operations are driven with hypothesis directly; the strategies are schemathesis'.)
"""

from __future__ import annotations

from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.generation.modes import GenerationMode
from service_helpers import AUTH, make_settings

from tractatus.service.app import create_app

EXAMPLES_PER_OPERATION = 6


def exercise(operation, mode: GenerationMode, calls: dict[str, int], server_errors: list[str]) -> None:  # type: ignore[no-untyped-def]
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def run(case) -> None:  # type: ignore[no-untyped-def]
        response = case.call(headers=AUTH)
        calls[operation.label] = calls.get(operation.label, 0) + 1
        if response.status_code >= 500:
            server_errors.append(f"{operation.label} {mode.value}: {response.status_code} {response.text[:200]}")

    run()


def test_no_server_errors(tmp_path: Path, database_url: str) -> None:
    app = create_app(make_settings(tmp_path, database_url))
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10
    calls: dict[str, int] = {}
    server_errors: list[str] = []
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                exercise(operation, mode, calls, server_errors)
            except Unsatisfiable:
                # No invalid input exists for this operation (e.g. GET without parameters).
                assert mode is GenerationMode.NEGATIVE, operation.label
    assert server_errors == []
    assert len(calls) == len(operations)


def test_every_response_matches_the_spec(tmp_path: Path, database_url: str) -> None:
    """schemathesis' checks on every response (status documented, body and headers fit the schema,
    content type, auth...): issue 12 found 30 mismatches (`detail` a string where the spec said a
    list; 400, 404 and 415 undocumented). Still excluded, and left open: positive_data_acceptance
    and negative_data_rejection, because the spec does not yet express every rule the governance
    applies (a `kind` the policy does not govern, NUL and lone surrogates in strings are 400s to
    schema-valid bodies)."""
    app = create_app(make_settings(tmp_path, database_url))
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    failures: list[str] = []
    for operation in [result.ok() for result in schema.get_all_operations()]:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                check_responses(operation, mode, failures)
            except Unsatisfiable:
                assert mode is GenerationMode.NEGATIVE, operation.label
    assert sorted(set(failures)) == []


def check_responses(operation, mode: GenerationMode, failures: list[str]) -> None:  # type: ignore[no-untyped-def]
    from schemathesis.checks import negative_data_rejection, positive_data_acceptance

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def run(case) -> None:  # type: ignore[no-untyped-def]
        try:
            case.call_and_validate(headers=AUTH, excluded_checks=[positive_data_acceptance, negative_data_rejection])
        except BaseException as error:  # a FailureGroup: keep one line per failure, go on
            for failure in getattr(error, "exceptions", [error]):
                failures.append(f"{operation.label} {mode.value}: {getattr(failure, 'title', type(failure).__name__)}")

    run()

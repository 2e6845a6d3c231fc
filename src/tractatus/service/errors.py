"""The one place that turns errors into HTTP responses.

A `TractatusError` becomes the status in `STATUS_BY_ERROR` with its one-line message. Request
validation (unknown fields, wrong types, invalid JSON or UTF-8) becomes 422 with the field that
failed. Anything unexpected becomes a 500 with no detail (the cause is logged without the
request body, which may hold personal data).
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from tractatus.governance.errors import (
    AuditError,
    ConfigError,
    InputError,
    IntegrityError,
    NotFoundError,
    PolicyError,
    TractatusError,
)

log = logging.getLogger("tractatus.service")

# Most specific first: IntegrityError is an AuditError.
STATUS_BY_ERROR: tuple[tuple[type[TractatusError], int], ...] = (
    (NotFoundError, 404),
    (InputError, 400),
    (IntegrityError, 409),  # the audit chain does not verify: the request conflicts with stored state
    (AuditError, 503),  # cannot audit means cannot decide: fail closed, try later
    (ConfigError, 503),
    (PolicyError, 503),
)


class PayloadError(InputError):
    """A request whose body has the wrong media type."""

    status = 415


def status_for(error: TractatusError) -> int:
    explicit = getattr(error, "status", None)
    if isinstance(explicit, int):
        return explicit
    for cls, status in STATUS_BY_ERROR:
        if isinstance(error, cls):
            return status
    return 400


def _validation_detail(exc: RequestValidationError) -> str:
    errors = exc.errors()
    if not errors:
        return "invalid request"
    first = errors[0]
    where = ".".join(str(p) for p in first.get("loc", ()) if p != "body") or "body"
    if first.get("type") == "extra_forbidden":
        return f"{where}: unknown field"
    if first.get("type") == "json_invalid":
        return "body is not valid JSON"
    return f"{where}: {first.get('msg', 'invalid value')}"


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(TractatusError)
    async def _tractatus(_: Request, exc: TractatusError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=status_for(exc))

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": _validation_detail(exc)}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(UnicodeDecodeError)
    async def _unicode(_: Request, exc: UnicodeDecodeError) -> JSONResponse:
        return JSONResponse({"detail": f"body is not valid UTF-8 (byte {exc.start})"}, status_code=400)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.error("unexpected %s on %s %s", type(exc).__name__, request.method, request.url.path)
        return JSONResponse({"detail": "internal error"}, status_code=500)

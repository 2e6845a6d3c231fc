"""Request dependencies shared by the routers: the service context and the two ways in."""

from __future__ import annotations

from fastapi import HTTPException, Request

from tractatus.service.context import ServiceContext
from tractatus.service.errors import PayloadError
from tractatus.service.security import SESSION_COOKIE, bearer_token, keys_match


def get_ctx(request: Request) -> ServiceContext:
    return request.app.state.ctx


def has_api_key(request: Request) -> bool:
    ctx = get_ctx(request)
    if ctx.settings.api_key is None:
        return True  # no key configured: the service only runs on loopback (settings.require_safe_bind)
    return keys_match(bearer_token(request.headers.get("authorization")), ctx.settings.api_key.get_secret_value())


def require_api_key(request: Request) -> None:
    if not has_api_key(request):
        raise HTTPException(401, "missing or wrong API key (Authorization: Bearer <TRACTATUS_API_KEY>)",
                            headers={"WWW-Authenticate": "Bearer"})


def is_logged_in(request: Request) -> bool:
    """Dashboard access: the API key as a bearer token, or a login session cookie."""
    return has_api_key(request) or get_ctx(request).logins.valid(request.cookies.get(SESSION_COOKIE))


def require_json(request: Request) -> None:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/json":
        raise PayloadError(f"expected Content-Type application/json, got {content_type or 'none'}")

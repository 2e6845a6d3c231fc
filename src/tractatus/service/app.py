"""The FastAPI application: composition of the context, middleware and routers.

`create_app(settings)` opens everything (database, policy, audit log), so a failure is raised
before the server binds a port, as one clear ConfigError/PolicyError/AuditError line.
"""

from __future__ import annotations

import time
from contextlib import asynccontextmanager
from pathlib import Path
from typing import AsyncIterator, Callable

from fastapi import Depends, FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles

from tractatus.governance.errors import ConfigError
from tractatus.service import routes_api, routes_pages
from tractatus.service.context import ServiceContext, build_context
from tractatus.service.db import hide_password
from tractatus.service.deps import get_ctx, require_api_key
from tractatus.service.errors import install_error_handlers
from tractatus.service.health import DatabaseProbe
from tractatus.service.openapi_doc import install_governed_openapi
from tractatus.service.schemas import ERROR_RESPONSES, HealthOut
from tractatus.service.security import BodySizeLimitMiddleware, RateLimitMiddleware, SecurityHeadersMiddleware
from tractatus.service.settings import ServiceSettings

STATIC_DIR = Path(__file__).with_name("static")


def create_app(settings: ServiceSettings, *, clock: Callable[[], float] = time.time) -> FastAPI:
    settings.require_safe_bind()
    ctx = build_context(settings, clock=clock)
    probe = DatabaseProbe(ctx.engine)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        probe.close()
        ctx.close()

    app = FastAPI(
        title="Tractatus governance service",
        version="1.0",
        description="Governed feedback pipeline and the Tractatus governance API. "
        "Every route but /feedback, /healthz and /static needs `Authorization: Bearer <TRACTATUS_API_KEY>`.",
        lifespan=lifespan,
        docs_url=None,  # Swagger UI loads from a CDN and runs inline script: serve the JSON spec only
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
    )
    app.state.ctx = ctx
    app.state.templates = routes_pages.make_templates()
    install_error_handlers(app)
    # Outermost first on the way in: headers on every response (even 413/429), then the size
    # limit before anything reads a body, then the rate limit.
    app.add_middleware(RateLimitMiddleware, limiter=ctx.limiter, on_limited=ctx.metrics.rate_limited.inc)
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(SecurityHeadersMiddleware)

    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")
    app.include_router(routes_pages.router)
    app.include_router(routes_api.router)
    install_governed_openapi(app, lambda: routes_api.policy_kinds(ctx))

    @app.get("/healthz", response_model=HealthOut, tags=["operations"], summary="Liveness and database reachability",
             responses={503: ERROR_RESPONSES[503]})
    async def healthz(request: Request) -> dict[str, object]:
        context: ServiceContext = get_ctx(request)
        if not await probe.reachable():  # inline for SQLite: no thread hop (service/health.py)
            raise ConfigError(f"database {hide_password(context.settings.resolved_database_url)} is unreachable") from None
        return {
            "status": "ok",
            "database": "ok",
            "policy": context.policy.name,
            "policy_digest": context.policy.digest,
            "audit_head_seq": context.audit.head[0],
        }

    @app.get("/metrics", tags=["operations"], dependencies=[Depends(require_api_key)], summary="Prometheus metrics",
             response_class=Response, responses={200: {"content": {"text/plain": {}}}, 401: ERROR_RESPONSES[401]})
    def metrics(request: Request) -> Response:
        return Response(get_ctx(request).metrics.exposition(), media_type="text/plain; version=0.0.4")

    return app

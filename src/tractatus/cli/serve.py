"""`tractatus serve`: run the governed feedback service and the governance API (FastAPI + uvicorn)."""

from __future__ import annotations

import copy
import socket
from pathlib import Path
from typing import Annotated, Any

import typer

from tractatus.governance.errors import ConfigError

app = typer.Typer(add_completion=False, help="Run the feedback service, governance API and dashboard.")


def bind_socket(host: str, port: int) -> socket.socket:
    """Bind before serving so that port 0 works and the real port can be printed.

    The socket is created with proto=IPPROTO_TCP and TCP_NODELAY set on the listener (Linux and
    the BSDs copy it to every accepted connection). `socket.create_server` leaves proto at 0, so
    asyncio's transport did not recognise the accepted sockets as TCP and never set TCP_NODELAY:
    on a reused keep-alive connection every response then waited ~40 ms for Nagle's algorithm
    and delayed ACKs (issue 12: 48 ms per decide on one keep-alive client, 3.9 ms on new ones).
    """
    bare = host.strip("[]")
    family = socket.AF_INET6 if ":" in bare else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)  # as socket.create_server does
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind((bare, port))
        sock.listen(2048)  # uvicorn's default backlog
    except OSError as exc:
        sock.close()
        raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    return sock


def log_config(level: str) -> dict[str, Any]:
    """Uvicorn's logging setup plus the access logger, on uvicorn's own default handler."""
    from uvicorn.config import LOGGING_CONFIG

    from tractatus.service.access_log import ACCESS_LOGGER

    config = copy.deepcopy(LOGGING_CONFIG)
    config["loggers"][ACCESS_LOGGER] = {"handlers": ["default"], "level": level.upper(), "propagate": False}
    return config


@app.callback(invoke_without_command=True)
def serve(
    host: Annotated[str, typer.Option(help="Address to bind. Non-loopback needs TRACTATUS_API_KEY.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port; 0 picks a free one (printed on start).")] = 8000,
    database_url: Annotated[
        str | None, typer.Option("--database-url", help="SQLAlchemy URL, e.g. postgresql+psycopg://... [env: DATABASE_URL]")
    ] = None,
    audit_db: Annotated[str | None, typer.Option("--audit-db", help="Audit log path or URL [env: TRACTATUS_AUDIT_DB]")] = None,
    data_dir: Annotated[Path | None, typer.Option("--data-dir", help="Directory of the default SQLite files.")] = None,
    policy: Annotated[Path | None, typer.Option("--policy", help="Governance policy (default policies/service.yaml).")] = None,
    seed: Annotated[int, typer.Option(min=0, help="Seed of the response strategy's random generator.")] = 0,
    rate_limit: Annotated[float | None, typer.Option("--rate-limit", help="Requests per second per client.")] = None,
    rate_burst: Annotated[int | None, typer.Option("--rate-burst", help="Burst size per client.")] = None,
    otel_exporter: Annotated[str | None, typer.Option("--otel-exporter", help="none | console")] = None,
    log_level: Annotated[str, typer.Option(help="debug | info | warning | error")] = "info",
) -> None:
    """Serve the feedback form, the dashboard and the governance API until interrupted."""
    import uvicorn

    from tractatus.service.access_log import AccessLog
    from tractatus.service.app import create_app
    from tractatus.service.settings import ServiceSettings

    settings = ServiceSettings.build(
        host=host,
        port=port,
        database_url=database_url,
        audit_db=audit_db,
        data_dir=data_dir,
        policy_path=policy,
        seed=seed,
        rate_limit_per_s=rate_limit,
        rate_limit_burst=rate_burst,
        otel_exporter=otel_exporter,
        log_level=log_level,
    )
    settings.require_safe_bind()
    sock = bind_socket(settings.host, settings.port)
    try:
        fastapi_app = create_app(settings)
    except BaseException:
        sock.close()
        raise
    bound_host, bound_port = sock.getsockname()[:2]
    shown = f"[{bound_host}]" if ":" in bound_host else bound_host
    typer.echo(f"serving on http://{shown}:{bound_port} (feedback /feedback, dashboard /dashboard, API spec /api/v1/openapi.json)")
    # Access logs name method, path (no query string), status and duration only: never a body, a
    # query string or a client address (see service/access_log.py); uvicorn's own is off.
    config = uvicorn.Config(
        AccessLog(fastapi_app),
        log_level=settings.log_level,
        log_config=log_config(settings.log_level),
        access_log=False,
        server_header=False,
    )
    uvicorn.Server(config).run(sockets=[sock])

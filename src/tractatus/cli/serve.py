"""`tractatus serve`: run the governed feedback service and the governance API (FastAPI + uvicorn)."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Optional

import typer

from tractatus.governance.errors import ConfigError

app = typer.Typer(add_completion=False, help="Run the feedback service, governance API and dashboard.")


def bind_socket(host: str, port: int) -> socket.socket:
    """Bind before serving so that port 0 works and the real port can be printed."""
    family = socket.AF_INET6 if ":" in host.strip("[]") else socket.AF_INET
    try:
        return socket.create_server((host.strip("[]"), port), family=family, reuse_port=False)
    except OSError as exc:
        raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


@app.callback(invoke_without_command=True)
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to bind. Non-loopback needs TRACTATUS_API_KEY."),
    port: int = typer.Option(8000, min=0, max=65535, help="Port; 0 picks a free one (printed on start)."),
    database_url: Optional[str] = typer.Option(
        None, "--database-url", help="SQLAlchemy URL, e.g. postgresql+psycopg://... [env: DATABASE_URL]"
    ),
    audit_db: Optional[str] = typer.Option(None, "--audit-db", help="Audit log path or URL [env: TRACTATUS_AUDIT_DB]"),
    data_dir: Optional[Path] = typer.Option(None, "--data-dir", help="Directory of the default SQLite files."),
    policy: Optional[Path] = typer.Option(None, "--policy", help="Governance policy (default policies/service.yaml)."),
    seed: int = typer.Option(0, min=0, help="Seed of the response strategy's random generator."),
    rate_limit: Optional[float] = typer.Option(None, "--rate-limit", help="Requests per second per client."),
    rate_burst: Optional[int] = typer.Option(None, "--rate-burst", help="Burst size per client."),
    otel_exporter: Optional[str] = typer.Option(None, "--otel-exporter", help="none | console"),
    log_level: str = typer.Option("info", help="debug | info | warning | error"),
) -> None:
    """Serve the feedback form, the dashboard and the governance API until interrupted."""
    import uvicorn

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
    typer.echo(f"serving on http://{shown}:{bound_port} (feedback /feedback, dashboard /dashboard, API /api/docs)")
    # Access logs name method, path and status only: never a body, so never a submitter's text.
    server = uvicorn.Server(uvicorn.Config(fastapi_app, log_level=settings.log_level, access_log=True, server_header=False))
    server.run(sockets=[sock])

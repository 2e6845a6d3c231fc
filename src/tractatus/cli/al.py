"""`tractatus al`: run the governed Agent Lightning 1.x stack.

    tractatus al up                       gateway :8080, governed proxy :8081, stub model :8000
    tractatus al up --model-url http://gpu-box:8000/v1 --model-name Qwen/Qwen2.5-7B-Instruct
    tractatus al hooks-path               the file to pass as AGL's `agentlightning.hooks`

Keys: the gateway's admin key comes from --gateway-key or $AGL_KEY (the trainer and the proxy
use it); agents present --agent-key / $TRACTATUS_AGENT_KEY to the proxy (empty = no key, which
`up` allows on loopback only). Ctrl-C or SIGTERM stops every server and closes the audit log.
"""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from tractatus.governance.errors import ConfigError, InputError

if TYPE_CHECKING:
    from tractatus.governance.governor import Governor
    from tractatus.integrations.agentlightning.stack import Stack

app = typer.Typer(
    add_completion=False, no_args_is_help=True, help="Run the governed Agent Lightning 1.x stack."
)

LOOPBACK = ("127.0.0.1", "localhost", "::1")
PolicyOpt = typer.Option(None, "--policy", help="Governance policy (default policies/agentlightning.yaml).")
ProxyPolicyOpt = typer.Option(
    None,
    "--proxy-policy",
    help="How the proxy delivers governed answers: stream release, refusal text "
    "(default policies/proxy/agentlightning.yaml).",
)


@app.command("up")
def up(
    host: str = typer.Option("127.0.0.1", help="Address every server binds."),
    gateway_port: int = typer.Option(
        8080, "--gateway-port", help="AGL API gateway (agl-server's default 8080); 0 = any free port."
    ),
    proxy_port: int = typer.Option(
        8081, "--proxy-port", help="Governed proxy: point agents (agent_url) here; 0 = any free port."
    ),
    stub_port: int = typer.Option(
        8000, "--stub-port", help="Stub model, when no --model-url is given; 0 = any free port."
    ),
    model_url: str | None = typer.Option(
        None,
        "--model-url",
        help="OpenAI-compatible base URL ending in /v1 (vLLM, llama.cpp, OpenAI) instead of the stub.",
    ),
    model_name: str = typer.Option(
        "tractatus-stub", "--model-name", help="Model name the model server serves."
    ),
    gateway_key: str = typer.Option(
        "", "--gateway-key", envvar="AGL_KEY", help="The gateway's admin key [env: AGL_KEY]."
    ),
    agent_key: str = typer.Option(
        "",
        "--agent-key",
        envvar="TRACTATUS_AGENT_KEY",
        help="Key agents present to the proxy [env: TRACTATUS_AGENT_KEY].",
    ),
    policy: Path | None = PolicyOpt,
    audit_db: str | None = typer.Option(
        None, "--audit-db", help="Audit log path or URL [env: TRACTATUS_AUDIT_DB]."
    ),
    proxy_policy: Path | None = ProxyPolicyOpt,
) -> None:
    """Start the gateway, the governed proxy and (without --model-url) the stub model until interrupted."""
    from tractatus.cli.governor_factory import open_governor
    from tractatus.governance.policy import bundled_policy_path, load_policy
    from tractatus.integrations.agentlightning.gateway import quiet_gateway_logs
    from tractatus.integrations.agentlightning.proxy_policy import load_proxy_policy
    from tractatus.integrations.agentlightning.stack import Stack, StackConfig, require_response_checks

    for option, port in (
        ("--gateway-port", gateway_port),
        ("--proxy-port", proxy_port),
        ("--stub-port", stub_port),
    ):
        if not 0 <= port <= 65535:
            raise InputError(f"{option} must be between 0 and 65535, got {port}")
    if model_url is not None and not model_url.startswith(("http://", "https://")):
        raise InputError(f"--model-url must be an http(s) URL ending in /v1, got {model_url!r}")
    if host not in LOOPBACK and not (gateway_key and agent_key):
        raise ConfigError(f"--host {host}: off loopback both --gateway-key and --agent-key are required")
    if policy is not None and not policy.is_file():
        raise InputError(f"--policy {policy}: no such file")
    if proxy_policy is not None and not proxy_policy.is_file():
        raise InputError(f"--proxy-policy {proxy_policy}: no such file")
    delivery = load_proxy_policy(proxy_policy)  # PolicyError (one line) before any server starts

    quiet_gateway_logs()
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    config = StackConfig(
        host=host,
        gateway_port=gateway_port,
        proxy_port=proxy_port,
        stub_port=stub_port,
        gateway_key=gateway_key,
        agent_key=agent_key,
        model_name=model_name,
        model_url=model_url,
        proxy_policy=delivery,
    )
    policy_path = policy or bundled_policy_path("agentlightning")
    require_response_checks(load_policy(policy_path))  # before any server starts
    with (
        open_governor(policy_path, audit_db=audit_db) as governor,
        Stack(config, governor) as stack,
    ):
        _print_endpoints(stack, governor, gateway_key=gateway_key, agent_key=agent_key)
        while not stop.wait(0.5):
            pass
        typer.echo("stopping: proxy, gateway, model", err=True)
    typer.echo("stopped", err=True)


def _print_endpoints(stack: Stack, governor: Governor, *, gateway_key: str, agent_key: str) -> None:
    from tractatus.integrations.agentlightning import hooks

    audit = governor.audit.location if governor.audit is not None else "none"
    typer.echo(
        "\n".join(
            [
                f"AGL gateway     {stack.gateway_url}   (admin key: {'set' if gateway_key else 'none'})",
                f"governed proxy  {stack.proxy_url}   (agent key: {'set' if agent_key else 'none'})",
                f"model           {stack.model_endpoint}   (served as {stack.model_name})",
                f"policy          {governor.policy.name} {governor.policy.digest[:12]}"
                f"   (streams released by {stack.config.proxy_policy.stream_release if stack.config.proxy_policy else 'sentence'})",
                f"audit log       {audit}",
                "",
                f"AGL controller  agl_server.url={stack.gateway_url} agl_server.agent_url={stack.proxy_url}",
                f"AGL trainer     agentlightning.hooks={hooks.__file__}",
                "Ctrl-C stops everything.",
            ]
        )
    )


@app.command("hooks-path")
def hooks_path() -> None:
    """Print the path of the GovernanceHooks file for AGL's trainer (`agentlightning.hooks=`)."""
    from tractatus.integrations.agentlightning import hooks

    typer.echo(hooks.__file__)

"""Serve only the governed proxy, in front of an AGL gateway started with `python -m agentlightning.server`.

    python examples/verl/serve_proxy.py --gateway http://127.0.0.1:8080 --port 8081

`tractatus al up` would also register a model with the gateway; under VERL the trainer
registers its own vLLM replicas, so the recipe runs AGL's gateway itself and this proxy beside it.
Keys: AGL_KEY (the gateway's), TRACTATUS_AGENT_KEY (optional); audit log: TRACTATUS_AUDIT_DB.
"""

from __future__ import annotations

import argparse
import os

import uvicorn

from tractatus.governance.audit import open_audit_log
from tractatus.integrations.agentlightning.proxy import ProxySettings, create_governed_proxy
from tractatus.integrations.agentlightning.stack import open_governor


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gateway", required=True, help="AGL gateway base URL")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--policy", default=None, help="policy file (default policies/agentlightning.yaml)")
    args = parser.parse_args()
    audit = open_audit_log()
    governor = open_governor(args.policy, audit)
    settings = ProxySettings(
        gateway_url=args.gateway,
        gateway_key=os.environ.get("AGL_KEY", ""),
        agent_key=os.environ.get("TRACTATUS_AGENT_KEY", ""),
    )
    try:
        uvicorn.run(create_governed_proxy(governor, settings), host=args.host, port=args.port, log_level="warning")
    finally:
        governor.close()
        audit.close()


if __name__ == "__main__":
    main()

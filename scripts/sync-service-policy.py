#!/usr/bin/env python3
"""Copy every check's `settings:` block (comments included) from policies/default.yaml into
policies/service.yaml, leaving service.yaml's `kinds`, verdicts and everything else as they are.

The service policy shares the project's thresholds and differs only in which kinds each check
governs and which verdicts its findings get; tests/service/test_service_policy.py fails when the
two drift apart, and this script brings them back together. Run: python3 scripts/sync-service-policy.py
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

POLICIES = Path(__file__).resolve().parents[1] / "policies"


def check_blocks(text: str) -> dict[str, str]:
    """name -> the text of its block under the top-level `checks:` mapping."""
    body = text[text.index("\nchecks:\n") + len("\nchecks:\n"):]
    end = re.search(r"^\S", body, re.M)
    body = body[: end.start()] if end else body
    return {m.group(1): m.group(2) for m in re.finditer(r"^  ([a-z_]+):\n((?:(?:    .*|\s*#.*|)\n)*)", body, re.M)}


def settings_of(block: str) -> str:
    lines = block.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith("    settings:"))
    end = start + 1
    while end < len(lines) and (lines[end].startswith("      ") or not lines[end].strip()):
        end += 1
    return "".join(lines[start:end]).rstrip("\n") + "\n"


def main() -> int:
    default = (POLICIES / "default.yaml").read_text()
    service_path = POLICIES / "service.yaml"
    service = service_path.read_text()
    defaults, services = check_blocks(default), check_blocks(service)
    missing = sorted(set(defaults) - set(services))
    if missing:
        print(f"add these checks to service.yaml first (with their kinds): {', '.join(missing)}", file=sys.stderr)
        return 1
    for name, block in services.items():
        if name in defaults:
            service = service.replace(block, block.replace(settings_of(block), settings_of(defaults[name])))
    service_path.write_text(service)
    print(f"synced the settings of {len(services)} checks into {service_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

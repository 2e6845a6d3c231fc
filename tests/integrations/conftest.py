"""Fixtures: the real AGL gateway, the stub model and the governed proxy, in-process on loopback."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import httpx
import pytest
from agl_support import GATEWAY_KEY

from tractatus.governance.audit import AuditLog, open_audit_log
from tractatus.governance.governor import Governor
from tractatus.integrations.agentlightning.gateway import quiet_gateway_logs
from tractatus.integrations.agentlightning.stack import Stack, StackConfig, open_governor
from tractatus.lab.envs.grammar import Grammar, load_grammar


@pytest.fixture(scope="session", autouse=True)
def _quiet_agl() -> None:
    quiet_gateway_logs()


@pytest.fixture(scope="session")
def grammar() -> Grammar:
    return load_grammar()


@pytest.fixture
def audit(tmp_path: Path) -> Iterator[AuditLog]:
    log = open_audit_log(tmp_path / "audit.db")
    yield log
    log.close()


@pytest.fixture
def governor(audit: AuditLog) -> Iterator[Governor]:
    gov = open_governor(None, audit)
    yield gov
    gov.close()


@pytest.fixture
def stack(governor: Governor) -> Iterator[Stack]:
    with Stack(StackConfig(gateway_key=GATEWAY_KEY), governor) as running:
        yield running


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=30.0) as client:
        yield client

"""POST /api/v1/decide refuses an action with nothing to decide on (422), and records nothing."""

from __future__ import annotations

import pytest
from service_helpers import AUTH, ctx_of
from sqlalchemy import func, select

from tractatus.service.models import DecisionRecord


def decisions(client) -> int:  # type: ignore[no-untyped-def]
    with ctx_of(client).sessions() as session:
        return session.scalar(select(func.count()).select_from(DecisionRecord))


@pytest.mark.parametrize(
    "body",
    [{"kind": "message"}, {"text": ""}, {"text": " \n\t "}, {"kind": "publish", "text": "  "}, {"kind": "tool_call"}],
)
def test_an_action_with_nothing_to_decide_is_422(client, body):  # type: ignore[no-untyped-def]
    before = decisions(client)
    response = client.post("/api/v1/decide", json=body, headers=AUTH)
    assert response.status_code == 422
    assert "text" in str(response.json()["detail"]) or "tool" in str(response.json()["detail"])
    assert decisions(client) == before


def test_a_tool_call_with_a_tool_and_no_text_is_decided(client):  # type: ignore[no-untyped-def]
    response = client.post("/api/v1/decide", json={"kind": "tool_call", "tool": "search", "arguments": {"q": "x"}}, headers=AUTH)
    assert response.status_code == 200
    assert response.json()["verdict"] == "allow"

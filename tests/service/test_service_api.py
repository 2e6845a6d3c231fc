"""The governance API: decide, audit, escalations, drift, rollouts, metrics, spans, OpenAPI."""

from __future__ import annotations

from service_helpers import AUTH, ctx_of, submit

BENIGN = "The quarterly report is attached."
WITH_EMAIL = "Contact me at john.doe@example.com about the invoice."
ABUSE = "You are a worthless idiot and I will find you and hurt you."


def decide(client, **body):  # type: ignore[no-untyped-def]
    response = client.post("/api/v1/decide", json=body, headers=AUTH)
    assert response.status_code == 200, response.text
    return response.json()


def test_decide_allows_ordinary_text_and_redacts_personal_data(client):
    benign = decide(client, text=BENIGN)
    assert benign["verdict"] == "allow" and benign["findings"] == []
    assert benign["audit_seq"] is not None and len(benign["policy_digest"]) == 64
    pii = decide(client, text=WITH_EMAIL)
    assert pii["verdict"] == "modify"
    assert "john.doe@example.com" not in pii["modified_text"] and "[EMAIL]" in pii["modified_text"]
    assert any(f["rule_id"].startswith("pii.") for f in pii["findings"])
    assert all("john.doe@example.com" not in (f.get("evidence") or "") for f in pii["findings"])


def test_decide_fails_closed_on_unknown_tools(client):
    result = decide(client, kind="tool_call", tool="launch_missiles", arguments={"target": "moon"})
    assert result["verdict"] == "block"
    assert [f["rule_id"] for f in result["findings"]] == ["tool.unknown"]


def test_response_drafts_with_guarantees_or_unsourced_statistics_are_not_allowed(client):
    for text in ("We guarantee 100% safety: it will never fail.", "87% of users prefer our product."):
        assert decide(client, kind="response", text=text)["verdict"] in ("escalate", "block")


def test_audit_verify_and_query(client):
    decide(client, text=BENIGN)
    decide(client, text=WITH_EMAIL)
    report = client.get("/api/v1/audit/verify", headers=AUTH).json()
    assert report["ok"] is True and report["entries_checked"] >= 2
    modified = client.get("/api/v1/audit", params={"verdict": "modify"}, headers=AUTH).json()
    assert len(modified) == 1 and modified[0]["verdict"] == "modify"
    assert "john.doe@example.com" not in str(modified)
    newest = client.get("/api/v1/audit", params={"limit": 1}, headers=AUTH).json()
    assert len(newest) == 1 and newest[0]["seq"] == report["entries_checked"]


def test_escalations_list_approve_deny(client):
    first = decide(client, text=ABUSE, agent_id="agent-a")
    second = decide(client, text=ABUSE + " Really.", agent_id="agent-b")
    assert first["verdict"] == "escalate" and first["escalation_id"]
    pending = client.get("/api/v1/escalations", headers=AUTH).json()
    assert {str(first["escalation_id"]), str(second["escalation_id"])} <= {str(item["id"]) for item in pending}
    approved = client.post(f"/api/v1/escalations/{first['escalation_id']}/approve",
                           json={"reviewer": "amy", "note": "context checked"}, headers=AUTH)
    assert approved.status_code == 200
    denied = client.post(f"/api/v1/escalations/{second['escalation_id']}/deny", json={"reviewer": "amy"}, headers=AUTH)
    assert denied.status_code == 200
    twice = client.post(f"/api/v1/escalations/{first['escalation_id']}/deny", json={"reviewer": "bob"}, headers=AUTH)
    assert twice.status_code in (400, 404, 409)
    assert client.get("/api/v1/escalations", headers=AUTH).json() == []
    assert [str(e["id"]) for e in client.get("/api/v1/escalations?status=approved", headers=AUTH).json()] == [str(first["escalation_id"])]
    assert client.get("/api/v1/audit/verify", headers=AUTH).json()["ok"] is True


def test_drift_alerts_and_held_agents(client):
    ctx = ctx_of(client)
    body = client.get("/api/v1/drift/alerts", headers=AUTH).json()
    assert body == {"alerts": [], "held_agents": {}}
    ctx.governor.state.hold_agent("feedback-responder", "drift:block: attempt rate 0.05 -> 0.60")
    held = decide(client, kind="response", text="Thanks for writing.", agent_id="feedback-responder")
    assert held["verdict"] == "block" and "drift.agent_held" in [f["rule_id"] for f in held["findings"]]
    cleared = client.post("/api/v1/drift/agents/feedback-responder/clear", headers=AUTH)
    assert cleared.status_code == 200
    assert decide(client, kind="response", text="Thanks for writing.", agent_id="feedback-responder")["verdict"] == "allow"
    # No hold left to clear: a well-formed request about nothing, like an unknown escalation id.
    assert client.post("/api/v1/drift/agents/feedback-responder/clear", headers=AUTH).status_code == 404


def test_a_drift_hold_on_the_responder_blocks_every_draft(client):
    ctx = ctx_of(client)
    ctx.governor.state.hold_agent("feedback-responder", "drift:block: test")
    page = submit(client, "The pricing table overlaps the footer on mobile.")
    assert page.status_code == 200
    from tractatus.service.responder import FALLBACK

    assert FALLBACK in page.text


def test_rollouts_are_exported_for_replay(client):
    submit(client, "Please add support for exporting the audit log to CSV.")
    rows = client.get("/api/v1/rollouts", headers=AUTH).json()
    assert len(rows) == 1 and set(rows[0]) >= {"prompt", "strategy", "response", "reward"}
    jsonl = client.get("/api/v1/rollouts.jsonl", headers=AUTH)
    assert jsonl.headers["content-type"].startswith("application/x-ndjson")
    assert len(jsonl.text.strip().splitlines()) == 1


def test_metrics_and_spans_per_decision(client):
    decide(client, text=BENIGN)
    decide(client, text=WITH_EMAIL)
    metrics = client.get("/metrics", headers=AUTH).text
    assert 'tractatus_decisions_total{source="api",verdict="allow"} 1.0' in metrics
    assert 'tractatus_decisions_total{source="api",verdict="modify"} 1.0' in metrics
    assert "tractatus_decision_latency_seconds_bucket" in metrics
    spans = ctx_of(client).tracing.memory.get_finished_spans()
    assert [s.attributes["tractatus.verdict"] for s in spans] == ["allow", "modify"]
    assert all("john.doe" not in str(dict(s.attributes)) for s in spans)


def test_openapi_describes_the_api(client):
    spec = client.get("/api/v1/openapi.json").json()
    for path in ("/api/v1/decide", "/api/v1/audit/verify", "/api/v1/audit", "/api/v1/escalations",
                 "/api/v1/escalations/{escalation_id}/approve", "/api/v1/drift/alerts", "/healthz"):
        assert path in spec["paths"], path
    assert "/feedback" not in spec["paths"]  # HTML pages are not part of the JSON API


def test_openapi_states_what_the_api_refuses(client):
    """service/openapi_doc.py: the rules the models alone cannot express are in the document."""
    from tractatus.governance.strict_json import NO_NUL_PATTERN
    from tractatus.service.routes_api import policy_kinds

    spec = client.get("/api/v1/openapi.json").json()
    schemas = spec["components"]["schemas"]
    action = schemas["ActionIn"]
    assert action["properties"]["kind"]["enum"] == sorted(policy_kinds(ctx_of(client)))
    assert action["properties"]["agent_id"]["pattern"] == NO_NUL_PATTERN
    assert action["properties"]["context"]["additionalProperties"] == {"$ref": "#/components/schemas/JsonValue"}
    assert len(action["anyOf"]) == 2  # a named tool, or non-blank text
    assert "64 levels" in schemas["JsonValue"]["description"]
    assert schemas["ReviewIn"]["properties"]["note"]["pattern"] == NO_NUL_PATTERN
    # Responses are described as they are: no pattern added to what the API sends back.
    assert "pattern" not in schemas["AuditEntryOut"]["properties"]["agent_id"]
    # The document and the API agree on an ungoverned kind and on NUL in a nested value.
    assert "no-such-kind" not in action["properties"]["kind"]["enum"]
    assert decide_status(client, {"text": "hello", "kind": "no-such-kind"}) == 400
    assert decide_status(client, {"text": "hello", "context": {"note": ["a\x00b"]}}) == 400
    assert decide_status(client, {"text": "hello", "context": {"note": ["ab"]}}) == 200


def decide_status(client, body):
    return client.post("/api/v1/decide", json=body, headers=AUTH).status_code


def test_service_domain_apis(client):
    classified = client.post("/api/v1/classify", json={"text": "Always use port 27027 for MongoDB.", "store": True}, headers=AUTH)
    assert classified.status_code == 200
    body = classified.json()
    assert body["quadrant"] in ("SYSTEM", "OPERATIONAL", "TACTICAL", "STRATEGIC") and body["persistence"] == "HIGH"
    assert body["parameters"].get("port") in (27027, "27027") and body["audit_seq"] >= 1
    conflict = client.post("/api/v1/validate", json={"action": {"kind": "tool_call", "tool": "db.query",
                           "text": "connect to mongodb://localhost:27017"}}, headers=AUTH)
    assert conflict.status_code == 200 and conflict.json()["status"] == "rejected"
    fine = client.post("/api/v1/validate", json={"action": {"text": "connect to mongodb://localhost:27027"}}, headers=AUTH)
    assert fine.json()["status"] == "approved"
    explicit = client.post("/api/v1/validate", json={"action": {"text": "We will use MySQL."}, "instructions": ["Never use MySQL."]},
                           headers=AUTH)
    assert explicit.json()["status"] in ("rejected", "warning")
    boundary = client.post("/api/v1/enforce", json={"text": "Our product guarantees 100% safety with zero risk."}, headers=AUTH).json()
    assert boundary["crosses_boundary"] and boundary["findings"][0]["rule_id"].startswith("boundary.")
    assert client.post("/api/v1/enforce", json={"text": "The quarterly report is attached."}, headers=AUTH).json() == {
        "crosses_boundary": False, "findings": []}
    calm = client.post("/api/v1/pressure", json={"messages": 3}, headers=AUTH).json()
    hot = client.post("/api/v1/pressure", json={"tokens_used": 99000, "token_budget": 100000, "messages": 150,
                                                "errors_recent": 6, "task_complexity": 1.0}, headers=AUTH).json()
    assert calm["level"].lower() == "normal" and hot["level"].lower() in ("critical", "dangerous")
    thin = client.post("/api/v1/verify", json={"action": {"kind": "tool_call", "tool": "shell.exec",
                       "arguments": {"command": "rm -rf /var/data"}}, "reasoning": "cleanup"}, headers=AUTH).json()
    assert thin["decision"] in ("require_review", "block", "request_confirmation")
    assert client.post("/api/v1/pressure", json={"messages": -1}, headers=AUTH).status_code == 422

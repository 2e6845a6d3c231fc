"""Authentication, rate limit, security headers, safe binding and start-up errors."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from service_helpers import API_KEY, AUTH, CSRF_FIELD, make_settings

from tractatus.governance.errors import ConfigError
from tractatus.service.app import create_app
from tractatus.service.security import TokenBucketLimiter
from tractatus.service.settings import ServiceSettings

PROTECTED = ["/api/v1/audit/verify", "/api/v1/audit", "/api/v1/escalations", "/api/v1/drift/alerts",
             "/api/v1/rollouts", "/api/v1/dashboard", "/metrics"]


@pytest.mark.parametrize("path", PROTECTED)
def test_api_routes_need_the_bearer_key(client, path):
    assert client.get(path).status_code == 401
    assert client.get(path, headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get(path, headers={"Authorization": f"Basic {API_KEY}"}).status_code == 401
    assert client.get(path, headers=AUTH).status_code == 200


def test_form_and_health_are_open(client):
    assert client.get("/feedback").status_code == 200
    health = client.get("/healthz")
    assert health.status_code == 200 and health.json()["status"] == "ok"


def test_security_headers_and_no_inline_script(client):
    for path in ("/feedback", "/login", "/healthz", "/api/v1/openapi.json"):
        response = client.get(path)
        csp = response.headers["content-security-policy"]
        assert "unsafe-inline" not in csp and "script-src 'self'" in csp and "default-src 'none'" in csp
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
    for path in ("/feedback", "/login"):
        html = client.get(path).text
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "no inline script"
        assert not re.search(r"\sstyle=", html) and "<style" not in html, "no inline style"
        assert "http://" not in html and "https://" not in html, "nothing from a CDN"
    dashboard = client.get("/dashboard", headers=AUTH).text
    assert "<script" not in dashboard and "https://" not in dashboard


def test_rate_limit_answers_429_with_retry_after(tmp_path, database_url):
    settings = make_settings(tmp_path, database_url, rate_limit_per_s=0.5, rate_limit_burst=3)
    with TestClient(create_app(settings)) as client:
        statuses = [client.get("/feedback").status_code for _ in range(5)]
        assert statuses[:3] == [200, 200, 200] and statuses[3:] == [429, 429]
        limited = client.get("/api/v1/audit", headers=AUTH)
        assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
        assert client.get("/healthz").status_code == 200  # health checks are exempt


def test_token_bucket_refills_with_an_injected_clock():
    now = [0.0]
    limiter = TokenBucketLimiter(rate=2.0, burst=2, clock=lambda: now[0])
    assert [limiter.allow("a")[0] for _ in range(3)] == [True, True, False]
    assert limiter.allow("b")[0] is True  # buckets are per client
    now[0] += 0.5
    assert limiter.allow("a")[0] is True and limiter.allow("a")[0] is False


def test_no_key_means_loopback_only():
    with pytest.raises(ConfigError, match="non-loopback"):
        ServiceSettings.build(env={}, host="0.0.0.0").require_safe_bind()
    with pytest.raises(ConfigError, match="non-loopback"):
        ServiceSettings.build(env={}, host="192.168.1.10").require_safe_bind()
    ServiceSettings.build(env={}, host="127.0.0.1").require_safe_bind()
    ServiceSettings.build(env={}, host="::1").require_safe_bind()
    ServiceSettings.build(env={"TRACTATUS_API_KEY": "k"}, host="0.0.0.0").require_safe_bind()


def test_unreachable_database_names_the_url_without_the_password(tmp_path):
    url = "postgresql+psycopg://tractatus:s3cret-pw@127.0.0.1:1/feedback"
    with pytest.raises(ConfigError) as caught:
        create_app(make_settings(tmp_path, url))
    message = str(caught.value)
    assert "s3cret-pw" not in message
    assert "postgresql+psycopg://tractatus:***@127.0.0.1:1/feedback" in message
    assert "\n" not in message


def test_dashboard_login_flow(client):
    assert client.get("/dashboard", follow_redirects=False).headers["location"] == "/login"
    login_page = client.get("/login")
    token = CSRF_FIELD.search(login_page.text).group(1)
    wrong = client.post("/login", data={"csrf_token": token, "api_key": "nope"})
    assert wrong.status_code == 401
    no_csrf = client.post("/login", data={"api_key": API_KEY})
    assert no_csrf.status_code == 403
    ok = client.post("/login", data={"csrf_token": token, "api_key": API_KEY}, follow_redirects=False)
    assert ok.status_code == 303
    assert "httponly" in ok.headers["set-cookie"].lower() and "samesite=strict" in ok.headers["set-cookie"].lower()
    page = client.get("/dashboard")
    assert page.status_code == 200 and "Governance dashboard" in page.text
    chart = client.get("/dashboard/charts/decisions.svg")
    assert chart.status_code == 200 and chart.headers["content-type"].startswith("image/svg+xml")
    assert client.get("/dashboard/charts/nope.svg").status_code == 404
    # the session opens the dashboard, not the API
    assert client.get("/api/v1/audit").status_code == 401


def test_dashboard_approves_and_denies_escalations(client):
    abusive = "You are a worthless idiot and I will find you and hurt you."
    client.post("/api/v1/decide", json={"text": abusive, "agent_id": "a"}, headers=AUTH)
    client.post("/api/v1/decide", json={"text": abusive + " Twice.", "agent_id": "b"}, headers=AUTH)
    page = client.get("/dashboard", headers=AUTH)
    assert page.status_code == 200 and 'id="pending-escalations">2<' in page.text
    assert "worthless idiot" not in page.text  # the queue shows the text with flagged spans masked
    ids = re.findall(r'action="/dashboard/escalations/(\d+)/approve"', page.text)
    token = CSRF_FIELD.search(page.text).group(1)
    assert client.post(f"/dashboard/escalations/{ids[0]}/approve", data={"note": "x"}, headers=AUTH).status_code == 403  # no CSRF
    approved = client.post(f"/dashboard/escalations/{ids[0]}/approve", data={"csrf_token": token}, headers=AUTH,
                           follow_redirects=False)
    assert approved.status_code == 303
    denied = client.post(f"/dashboard/escalations/{ids[1]}/deny", data={"csrf_token": token}, headers=AUTH,
                         follow_redirects=False)
    assert denied.status_code == 303
    assert client.get("/api/v1/escalations", headers=AUTH).json() == []
    statuses = {e["status"] for e in client.get("/api/v1/escalations?status=approved", headers=AUTH).json()}
    assert statuses == {"approved"}
    again = client.post(f"/dashboard/escalations/{ids[0]}/deny", data={"csrf_token": token}, headers=AUTH)
    assert again.status_code == 400 and "already approved" in again.text

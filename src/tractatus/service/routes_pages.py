"""The HTML pages: the feedback form and its answer, the dashboard and its login.

Every state-changing form carries a CSRF token (double submit: signed nonce in the form,
nonce in a SameSite=Strict cookie). Errors on these pages come back as the page again with the
message and a 4xx status, so a person sees what to fix.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from tractatus.governance.errors import InputError, NotFoundError, TractatusError
from tractatus.service.charts import CHARTS
from tractatus.service.context import ServiceContext
from tractatus.service.dashboard_data import DashboardData, collect
from tractatus.service.deps import get_ctx, is_logged_in
from tractatus.service.errors import status_for
from tractatus.service.escalations import decide_escalation, pending_escalations
from tractatus.service.forms import read_form
from tractatus.service.pipeline import FeedbackInput
from tractatus.service.security import CSRF_COOKIE, SESSION_COOKIE, CsrfTokens, keys_match

log = logging.getLogger("tractatus.service")
TEMPLATES_DIR = Path(__file__).with_name("templates")


# The dashboard shows at most this many characters of an action's (redacted) text or an agent id,
# then "…": a 64 KB body must not become a 64 KB table cell. The full redacted text stays in the
# database and in `tractatus escalations show`. Documented in docs/service.md.
DASHBOARD_TEXT_CHARS = 300


def make_templates() -> Jinja2Templates:
    """One template environment per app (it caches compiled templates): built by create_app."""
    templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
    templates.env.globals["dashboard_text_chars"] = DASHBOARD_TEXT_CHARS
    return templates
router = APIRouter(include_in_schema=False)
RATING_MAX_AGE_S = 7 * 86400


def _csrf_nonce(request: Request) -> tuple[str, bool]:
    nonce = request.cookies.get(CSRF_COOKIE)
    return (nonce, False) if nonce else (CsrfTokens.new_nonce(), True)


def render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    ctx = get_ctx(request)
    nonce, fresh = _csrf_nonce(request)
    page = request.app.state.templates.TemplateResponse(
        request, name, {"csrf_token": ctx.csrf.token_for(nonce), "logged_in": is_logged_in(request), **context},
        status_code=status,
    )
    if fresh:
        page.set_cookie(CSRF_COOKIE, nonce, httponly=True, samesite="strict", secure=ctx.settings.secure_cookies,
                        max_age=ctx.settings.csrf_max_age_s, path="/")
    return page


def check_csrf(request: Request, fields: dict[str, str]) -> None:
    if not get_ctx(request).csrf.valid(fields.get("csrf_token"), request.cookies.get(CSRF_COOKIE)):
        raise _CsrfError("missing or invalid CSRF token: reload the page and submit again")


class _CsrfError(InputError):
    status = 403


def _bool_field(fields: dict[str, str], name: str) -> bool:
    value = fields.get(name, "")
    if value not in ("", "on", "yes", "true", "1"):
        raise InputError(f"{name}: expected a checkbox value")
    return value != ""


# -- feedback ---------------------------------------------------------------------------------
@router.get("/", response_class=HTMLResponse)
def index() -> Response:
    return RedirectResponse("/feedback", status_code=303)


@router.get("/feedback", response_class=HTMLResponse)
def feedback_form(request: Request) -> Response:
    return render(request, "feedback.html", {"max_chars": get_ctx(request).settings.max_message_chars})


@router.post("/feedback", response_class=HTMLResponse)
async def submit_feedback(request: Request) -> Response:
    ctx = get_ctx(request)
    fields: dict[str, str] = {}
    try:
        fields = await read_form(request)
        check_csrf(request, fields)
        unknown = set(fields) - {"message", "email", "consent", "csrf_token"}
        if unknown:
            raise InputError(f"unknown form field {sorted(unknown)[0]!r}")
        raw = FeedbackInput(message=fields.get("message", ""), email=fields.get("email") or None,
                            consent=_bool_field(fields, "consent"))
        result = await run_in_threadpool(ctx.pipeline.submit, raw)
    except TractatusError as exc:
        # The message is not echoed back into the page: it may hold the very data we refuse to keep.
        return render(request, "feedback.html", {"error": str(exc), "max_chars": ctx.settings.max_message_chars},
                      status=status_for(exc))
    rating_token = ctx.signer.sign("rate", result.id) if result.rateable else None
    return render(request, "result.html", {"result": result, "rating_token": rating_token})


@router.post("/feedback/{submission_id}/rating", response_class=HTMLResponse)
async def rate_feedback(request: Request, submission_id: str) -> Response:
    ctx = get_ctx(request)
    try:
        fields = await read_form(request)
        check_csrf(request, fields)
        if ctx.signer.verify("rate", fields.get("rating_token"), RATING_MAX_AGE_S) != submission_id:
            raise _CsrfError("this rating link is not valid for this feedback")
        helpful = fields.get("helpful")
        if helpful not in ("yes", "no"):
            raise InputError("helpful: expected yes or no")
        await run_in_threadpool(ctx.pipeline.rate, submission_id, helpful == "yes")
    except TractatusError as exc:
        return render(request, "message.html", {"title": "Rating not recorded", "message": str(exc)}, status=status_for(exc))
    return render(request, "message.html", {"title": "Thank you", "message": "Your rating helps us answer better."})


# -- dashboard login ---------------------------------------------------------------------------
@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request) -> Response:
    return render(request, "login.html", {})


@router.post("/login", response_class=HTMLResponse)
async def login(request: Request) -> Response:
    ctx = get_ctx(request)
    try:
        fields = await read_form(request)
        check_csrf(request, fields)
        expected = ctx.settings.api_key
        if expected is not None and not keys_match(fields.get("api_key"), expected.get_secret_value()):
            raise _LoginError("wrong key")
    except TractatusError as exc:
        return render(request, "login.html", {"error": str(exc)}, status=status_for(exc))
    response = RedirectResponse("/dashboard", status_code=303)
    response.set_cookie(SESSION_COOKIE, ctx.logins.issue(), httponly=True, samesite="strict",
                        secure=ctx.settings.secure_cookies, max_age=ctx.logins.MAX_AGE_S, path="/")
    return response


class _LoginError(InputError):
    status = 401


@router.post("/logout")
async def logout(request: Request) -> Response:
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


# -- dashboard ---------------------------------------------------------------------------------
def _dashboard_data(ctx: ServiceContext) -> DashboardData:
    with ctx.sessions() as session:
        return collect(session, ctx.bandit.stats())


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard(request: Request) -> Response:
    if not is_logged_in(request):
        return RedirectResponse("/login", status_code=303)
    ctx = get_ctx(request)
    data = _dashboard_data(ctx)
    return render(request, "dashboard.html", {
        "data": data,
        "escalations": pending_escalations(ctx),
        "alerts": [a.to_dict() for a in ctx.drift.alerts[-20:]],
        "held": ctx.governor.state.held_agents,
        "policy": ctx.policy,
        "flash": request.query_params.get("flash"),
    })


@router.get("/dashboard/charts/{name}.svg")
def chart(request: Request, name: str) -> Response:
    if not is_logged_in(request):
        return Response(status_code=401)
    draw = CHARTS.get(name)
    if draw is None:
        raise NotFoundError(f"no chart {name!r}")
    return Response(draw(_dashboard_data(get_ctx(request))), media_type="image/svg+xml")


@router.post("/dashboard/escalations/{escalation_id}/{outcome}", response_class=HTMLResponse)
async def dashboard_escalation(request: Request, escalation_id: str, outcome: str) -> Response:
    if not is_logged_in(request):
        return RedirectResponse("/login", status_code=303)
    ctx = get_ctx(request)
    try:
        fields = await read_form(request)
        check_csrf(request, fields)
        if outcome not in ("approve", "deny"):
            raise NotFoundError(f"no escalation action {outcome!r}")
        note = fields.get("note", "")[:500]
        await run_in_threadpool(decide_escalation, ctx, escalation_id, outcome, "dashboard", note)
    except TractatusError as exc:
        return render(request, "message.html", {"title": "Escalation not changed", "message": str(exc)}, status=status_for(exc))
    return RedirectResponse(f"/dashboard?flash={outcome}d+{escalation_id[:12]}", status_code=303)

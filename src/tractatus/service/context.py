"""Everything one running service owns, built from its settings and closed together.

No module-level state: `create_app` builds one `ServiceContext` and hangs it on `app.state`.
Opening order matters for the error a person sees: the service database first (an unreachable
database is the most common start-up failure, reported with the URL, password hidden), then
the policy, then the audit log.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass
from typing import Callable

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from tractatus.governance.actions import Action, Decision
from tractatus.governance.audit import AuditLog, open_audit_log
from tractatus.governance.drift import DriftMonitor, drift_settings_from
from tractatus.governance.escalation import EscalationQueue
from tractatus.governance.governor import Governor
from tractatus.governance.lazy_pattern import compile_loaded_patterns
from tractatus.governance.policy import Policy, load_policy
from tractatus.governance.state import GovernanceState
from tractatus.service.analyzer import FeedbackAnalyzer
from tractatus.service.bandit import ThompsonBandit
from tractatus.service.contacts import ContactVault
from tractatus.service.db import dashboard_session_factory, open_database, session_factory
from tractatus.service.domain import DomainServices
from tractatus.service.metrics import DecisionTracing, ServiceMetrics
from tractatus.service.models import Rollout
from tractatus.service.pipeline import INTAKE_AGENT, FeedbackPipeline
from tractatus.service.responder import STRATEGIES, Responder
from tractatus.service.security import CsrfTokens, SessionTokens, Signer, TokenBucketLimiter
from tractatus.service.settings import ServiceSettings


@dataclass
class ServiceContext:
    settings: ServiceSettings
    engine: Engine
    sessions: sessionmaker[Session]
    policy: Policy
    audit: AuditLog
    escalations: EscalationQueue
    governor: Governor
    drift: DriftMonitor
    services: DomainServices
    pipeline: FeedbackPipeline
    bandit: ThompsonBandit
    metrics: ServiceMetrics
    tracing: DecisionTracing
    signer: Signer
    csrf: CsrfTokens
    logins: SessionTokens
    limiter: TokenBucketLimiter
    started_at: float

    def close(self) -> None:
        self.governor.close()
        self.audit.close()
        self.tracing.shutdown()
        dashboard_engine = self.pipeline.dashboard_sessions.kw["bind"]
        if dashboard_engine is not self.engine:
            dashboard_engine.dispose()
        self.engine.dispose()


def build_context(settings: ServiceSettings, *, clock: Callable[[], float] = time.time) -> ServiceContext:
    engine = open_database(settings.resolved_database_url)
    try:
        policy = load_policy(settings.resolved_policy_path)
        audit = open_audit_log(settings.resolved_audit_db, clock=clock)
    except Exception:
        engine.dispose()
        raise
    escalations = EscalationQueue(audit, clock=clock)  # in the audit log's database
    state = GovernanceState()
    drift = DriftMonitor(drift_settings_from(policy.document.drift, source=policy.source), state)

    drift_lock = threading.Lock()  # decisions arrive on many request threads; the monitor's streams are plain deques

    def watch_drift(action: Action, decision: Decision) -> None:
        # The form is not watched: a burst of submissions must not stop the form for everyone.
        if action.agent_id != INTAKE_AGENT:
            with drift_lock:
                drift.observe_decision(action, decision)

    governor = Governor(policy, audit=audit, state=state, escalations=escalations, observers=[watch_drift])
    # A server pays for the detectors' patterns at start, not in its first decisions: compiled
    # there, under the watchdog on a busy machine, they outlast the check budget and fail closed.
    compile_loaded_patterns("tractatus.governance.")
    sessions = session_factory(engine)
    bandit = ThompsonBandit(STRATEGIES, seed=settings.seed)
    with sessions() as session:
        bandit.replay(session.execute(select(Rollout.strategy, Rollout.reward).order_by(Rollout.id)).all())
    metrics = ServiceMetrics()
    tracing = DecisionTracing(settings.otel_exporter)
    pipeline = FeedbackPipeline(
        governor=governor,
        audit=audit,
        sessions=sessions,
        dashboard_sessions=dashboard_session_factory(engine),
        analyzer=FeedbackAnalyzer(),
        responder=Responder(),
        bandit=bandit,
        vault=ContactVault.open(settings.data_dir, settings.contact_key.get_secret_value() if settings.contact_key else None),
        metrics=metrics,
        tracing=tracing,
        max_message_chars=settings.max_message_chars,
        clock=clock,
    )
    signer = Signer(secrets.token_bytes(32), clock=clock)
    return ServiceContext(
        settings=settings,
        engine=engine,
        sessions=sessions,
        policy=policy,
        audit=audit,
        escalations=escalations,
        governor=governor,
        drift=drift,
        services=DomainServices.from_policy(policy),
        pipeline=pipeline,
        bandit=bandit,
        metrics=metrics,
        tracing=tracing,
        signer=signer,
        csrf=CsrfTokens(signer, settings.csrf_max_age_s),
        logins=SessionTokens(signer),
        limiter=TokenBucketLimiter(settings.rate_limit_per_s, settings.rate_limit_burst),
        started_at=clock(),
    )

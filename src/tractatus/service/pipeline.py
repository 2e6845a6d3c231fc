"""The feedback pipeline: govern, analyze, draft, re-validate, store, learn.

For one submission:
1. **Governance of the intake.** The message goes to the Governor as a `feedback` action with
   the submitter's consent in its context. PII and compliance findings are masked (redact) before
   anything else sees the text; from here on only the redacted text exists outside this call.
   A BLOCK (including every fail-closed path) stores no text at all; an ESCALATE (abuse) is
   queued for a person and answered with a neutral reply, no strategy.
2. **Analysis** of the redacted text: category and severity.
3. **Response.** The bandit picks a strategy among those the responder can keep for this person
   (a personal reply only with consent and a stored contact); the responder drafts it.
4. **Re-validation.** The draft goes to the Governor as a `response` action. Anything but allow
   or warn (PII echoed back, an absolute guarantee, an unsourced statistic, a promise of contact
   nobody can keep, a drift hold on the responder) blocks the draft: the person gets `FALLBACK`, the block is audited as an event,
   an escalation the draft raised is withdrawn (denied, audited: nothing was sent to approve),
   and the bandit is rewarded 0 for the attempt.
5. **Storage**, in ONE transaction: the anonymized submission, the contact (only with consent,
   encrypted), the decision rows and the rollout. Audit entries are already durable, because the
   Governor returns a decision only once its record is committed.

Raw text lives only in this function's locals; it is never logged, stored or put on a span.
"""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass
from typing import Callable

from sqlalchemy import update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from tractatus.governance.actions import Action, ActionKind, Decision, Verdict
from tractatus.governance.audit import AuditLog
from tractatus.governance.errors import ConfigError, InputError, NotFoundError
from tractatus.governance.governor import Governor
from tractatus.governance.redact import redact, redact_for_storage
from tractatus.service.analyzer import Analysis, FeedbackAnalyzer
from tractatus.service.bandit import ThompsonBandit
from tractatus.service.contacts import ContactVault, validate_email
from tractatus.service.metrics import DecisionTracing, ServiceMetrics
from tractatus.service.models import Contact, DecisionRecord, Rollout, Submission
from tractatus.service.responder import FALLBACK, REVIEW_REPLY, Responder

log = logging.getLogger("tractatus.service")

INTAKE_AGENT = "feedback-form"
RESPONDER_AGENT = "feedback-responder"
# Findings from these checks point at personal data: their spans are masked before storage.
PERSONAL_DATA_SOURCES = frozenset({"pii", "compliance"})


BLOCKED_REPLY = (
    "Sorry, we could not accept this message. Nothing you wrote has been stored. "
    "Please try again without personal or sensitive details."
)


@dataclass(frozen=True, slots=True)
class FeedbackInput:
    message: str
    email: str | None = None
    consent: bool = False


@dataclass(frozen=True, slots=True)
class SubmissionResult:
    id: str
    verdict: str
    category: str
    severity: str
    strategy: str
    response_text: str
    draft_blocked: bool
    flags: tuple[str, ...]
    redacted_message: str | None
    contact_kept: bool
    email_discarded: bool
    rateable: bool


def flags_of(decision: Decision) -> tuple[str, ...]:
    flags: set[str] = set()
    for finding in decision.findings:
        if finding.source == "pii":
            flags.add("pii")
        elif finding.source == "abuse":
            flags.add("abuse")
        elif finding.source == "compliance":
            flags.add(finding.category)  # consent_required, special_category, retention
        elif finding.source_kind == "engine":
            flags.add("engine")
    if decision.verdict == Verdict.ESCALATE:
        flags.add("escalated")
    if decision.verdict == Verdict.BLOCK:
        flags.add("blocked")
    return tuple(sorted(flags))


class FeedbackPipeline:
    def __init__(
        self,
        *,
        governor: Governor,
        audit: AuditLog,
        sessions: sessionmaker[Session],
        analyzer: FeedbackAnalyzer,
        responder: Responder,
        bandit: ThompsonBandit,
        vault: ContactVault,
        metrics: ServiceMetrics,
        tracing: DecisionTracing,
        max_message_chars: int,
        clock: Callable[[], float] = time.time,
        new_id: Callable[[], str] = lambda: uuid.uuid4().hex,
        dashboard_sessions: sessionmaker[Session] | None = None,
    ) -> None:
        self.governor = governor
        self.audit = audit
        self.sessions = sessions
        # Rows that only mirror the audit log (db.dashboard_session_factory: not fsynced apart).
        self.dashboard_sessions = dashboard_sessions if dashboard_sessions is not None else sessions
        self.analyzer = analyzer
        self.responder = responder
        self.bandit = bandit
        self.vault = vault
        self.metrics = metrics
        self.tracing = tracing
        self.max_message_chars = max_message_chars
        self._clock = clock
        self._new_id = new_id

    # -- governance ------------------------------------------------------------------------
    def decide(self, source: str, action: Action) -> Decision:
        """Ask the Governor, with a span and metrics. Never raises: the Governor fails closed."""
        with self.tracing.decision_span(source, action) as span:
            decision = self.governor.decide(action)
            self.tracing.record(span, decision)
        self.metrics.observe_decision(source, decision)
        return decision

    def record_api_decision(self, decision: Decision) -> None:
        with self.dashboard_sessions.begin() as session:
            session.add(self._decision_row("api", decision))

    def _decision_row(self, source: str, decision: Decision) -> DecisionRecord:
        return DecisionRecord(
            created_at=self._clock(),
            source=source,
            verdict=decision.verdict.label,
            rule_ids=list(decision.rule_ids),
            latency_us=decision.latency_us,
            audit_seq=decision.audit_seq,
        )

    # -- submission ------------------------------------------------------------------------
    def validate(self, raw: FeedbackInput) -> FeedbackInput:
        message = raw.message.strip()
        if not message:
            raise InputError("message: must not be empty")
        if len(message) > self.max_message_chars:
            raise InputError(f"message: longer than {self.max_message_chars} characters")
        email = validate_email(raw.email) if raw.email and raw.email.strip() else None
        return FeedbackInput(message=message, email=email, consent=raw.consent)

    def submit(self, raw: FeedbackInput) -> SubmissionResult:
        started = time.perf_counter()
        inp = self.validate(raw)
        submission_id = self._new_id()
        intake = self.decide(
            "intake",
            Action(
                kind=ActionKind.FEEDBACK.value,
                text=inp.message,
                agent_id=INTAKE_AGENT,
                context={"consent": inp.consent, "channel": "feedback_form"},
            ),
        )
        flags = flags_of(intake)
        decisions = [self._decision_row("intake", intake)]
        # A personal reply can be kept only with consent and a stored address (see responder).
        contact_kept = bool(inp.email and inp.consent and intake.verdict != Verdict.BLOCK)
        rollout: Rollout | None = None
        draft_blocked = False
        draft_audit_seq: int | None = None

        if intake.verdict == Verdict.BLOCK:
            redacted = None
            analysis = Analysis(category="noise", severity="low", scores={}, sentiment=0.0)
            strategy, response_text = "none", BLOCKED_REPLY
        else:
            # Stored and shown: every flagged span masked (governance.redact.redact_for_storage).
            # Analysed: only personal data masked, so that an insult still reads as abuse.
            redacted = redact_for_storage(inp.message, intake.findings)
            analysis = self.analyzer.analyze(redact(inp.message, intake.findings, sources=PERSONAL_DATA_SOURCES))
            offered = [arm for arm in self.bandit.arms if self.responder.offers(arm, contact_on_file=contact_kept)]
            if intake.verdict == Verdict.ESCALATE:
                strategy, response_text = "review", REVIEW_REPLY
            elif not offered:  # no strategy this bandit knows can be kept for this person
                strategy, response_text = "none", FALLBACK
            else:
                strategy = self.bandit.choose(offered)
                draft = self.responder.draft(strategy, analysis, contact_on_file=contact_kept)
                check = self.decide(
                    "draft",
                    Action(
                        kind=ActionKind.RESPONSE.value,
                        text=draft.text,
                        agent_id=RESPONDER_AGENT,
                        # What the commitments check needs to know: can a promise of contact be kept?
                        context={"strategy": strategy, "submission": submission_id, "contact_on_file": contact_kept},
                    ),
                )
                decisions.append(self._decision_row("draft", check))
                draft_audit_seq = check.audit_seq
                draft_blocked = check.verdict > Verdict.WARN
                response_text = FALLBACK if draft_blocked else draft.text
                if draft_blocked:
                    self.audit.append_event(
                        "draft_blocked",
                        RESPONDER_AGENT,
                        {
                            "submission_id": submission_id,
                            "strategy": strategy,
                            "verdict": check.verdict.label,
                            "rule_ids": list(check.rule_ids),
                            "decision_seq": check.audit_seq,
                        },
                    )
                    self._withdraw_escalation(check)
                    self.bandit.update(strategy, 0.0)
                    self.metrics.drafts_blocked.labels(strategy=strategy).inc()
                rollout = Rollout(
                    submission_id=submission_id,
                    created_at=self._clock(),
                    prompt=f"[{analysis.category}/{analysis.severity}] {redacted}",
                    strategy=strategy,
                    # The draft as governance saw it, with every flagged span masked: a blocked
                    # echo of the submitter's address is kept as "[EMAIL]", never raw.
                    response=redact(draft.text, check.findings),
                    blocked=draft_blocked,
                    reward=0.0 if draft_blocked else None,
                    rewarded_at=self._clock() if draft_blocked else None,
                )

        submission = Submission(
            id=submission_id,
            created_at=self._clock(),
            message_redacted=redacted,
            message_chars=len(inp.message),
            verdict=intake.verdict.label,
            flags=list(flags),
            finding_rules=sorted(set(intake.rule_ids)),
            category=analysis.category,
            severity=analysis.severity,
            strategy=strategy,
            response_text=response_text,
            draft_blocked=draft_blocked,
            consent=inp.consent,
            contact_kept=contact_kept,
            intake_audit_seq=intake.audit_seq,
            draft_audit_seq=draft_audit_seq,
            escalation_id=str(intake.escalation_id) if intake.escalation_id is not None else None,
            policy_digest=intake.policy_digest,
            latency_ms=(time.perf_counter() - started) * 1000.0,
        )
        try:
            with self.sessions.begin() as session:  # one transaction: all of it or none of it
                session.add(submission)
                session.flush()  # the submission row first: contacts and rollouts reference it
                if contact_kept and inp.email:
                    session.add(Contact(submission_id=submission_id, email_token=self.vault.seal(inp.email), created_at=self._clock()))
                session.add_all(decisions)
                if rollout is not None:
                    session.add(rollout)
        except SQLAlchemyError as exc:
            log.error("feedback %s not stored: %s", submission_id, type(exc).__name__)
            raise ConfigError("the feedback could not be stored (database error); nothing was kept, please try again") from None
        self.metrics.submissions.labels(category=analysis.category, severity=analysis.severity).inc()
        self.metrics.submission_latency.observe(time.perf_counter() - started)
        log.info(
            "feedback %s stored: verdict=%s category=%s severity=%s strategy=%s draft_blocked=%s",
            submission_id, intake.verdict.label, analysis.category, analysis.severity, strategy, draft_blocked,
        )
        return SubmissionResult(
            id=submission_id,
            verdict=intake.verdict.label,
            category=analysis.category,
            severity=analysis.severity,
            strategy=strategy,
            response_text=response_text,
            draft_blocked=draft_blocked,
            flags=flags,
            redacted_message=redacted,
            contact_kept=contact_kept,
            email_discarded=bool(inp.email) and not contact_kept,
            rateable=rollout is not None and not draft_blocked,
        )

    def _withdraw_escalation(self, check: Decision) -> None:
        """A draft the Governor escalated was never sent (the fallback was): there is nothing left
        for a person to approve, so the service closes the queue item itself, audited as a denial."""
        queue = self.governor.escalations
        if check.escalation_id is not None and queue is not None:
            queue.deny(check.escalation_id, "feedback-service", "draft withdrawn; the safe fallback was sent instead")

    # -- learning from ratings -------------------------------------------------------------
    def rate(self, submission_id: str, helpful: bool) -> str:
        """Record "was this helpful?" once per submission; teach the bandit if its draft was shown.

        Returns the strategy rated. A shown fallback (draft blocked) is not the strategy's text,
        so its rating is stored but does not reach the bandit (it already got 0 for the attempt).
        """
        reward = 1.0 if helpful else 0.0
        now = self._clock()
        with self.sessions.begin() as session:
            submission = session.get(Submission, submission_id)
            if submission is None:
                raise NotFoundError(f"no feedback {submission_id!r}")
            # Compare-and-set: two concurrent ratings cannot both land.
            changed = session.execute(
                update(Submission)
                .where(Submission.id == submission_id, Submission.rating.is_(None))
                .values(rating=int(helpful), rated_at=now)
            ).rowcount
            if not changed:
                raise InputError(f"feedback {submission_id!r} has already been rated")
            learns = not submission.draft_blocked and submission.strategy in self.bandit.arms
            if learns:
                session.execute(
                    update(Rollout)
                    .where(Rollout.submission_id == submission_id, Rollout.blocked.is_(False))
                    .values(reward=reward, rewarded_at=now)
                )
            strategy = submission.strategy
        if learns:
            self.bandit.update(strategy, reward)
        self.metrics.ratings.labels(strategy=strategy, helpful=str(helpful).lower()).inc()
        return strategy

"""Observability: Prometheus metrics and OpenTelemetry spans, one set per app instance.

The registry is the app's own `CollectorRegistry`, not prometheus-client's process-wide default,
and the tracer comes from the app's own `TracerProvider` (never installed globally), so tests can
run several apps in one process and read each one's numbers.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import ConsoleSpanExporter, SimpleSpanProcessor, SpanExporter
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import Span, Tracer
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest

from tractatus.governance.actions import Action, Decision

# Governance decisions take microseconds to milliseconds; a submission up to a second or so.
DECISION_BUCKETS = (0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0)
REQUEST_BUCKETS = (0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class ServiceMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.decisions = Counter(
            "tractatus_decisions", "Governance decisions made by the service", ["source", "verdict"], registry=self.registry
        )
        self.decision_latency = Histogram(
            "tractatus_decision_latency_seconds", "Governor latency per decision", ["source"],
            buckets=DECISION_BUCKETS, registry=self.registry,
        )
        self.findings = Counter("tractatus_findings", "Findings by rule id", ["rule_id"], registry=self.registry)
        self.submissions = Counter(
            "tractatus_feedback_submissions", "Feedback submissions stored", ["category", "severity"], registry=self.registry
        )
        self.drafts_blocked = Counter(
            "tractatus_drafts_blocked", "Response drafts blocked on re-validation", ["strategy"], registry=self.registry
        )
        self.ratings = Counter("tractatus_feedback_ratings", "Helpfulness ratings", ["strategy", "helpful"], registry=self.registry)
        self.rate_limited = Counter("tractatus_rate_limited", "Requests refused by the rate limit", registry=self.registry)
        self.submission_latency = Histogram(
            "tractatus_submission_seconds", "Time to process one feedback submission",
            buckets=REQUEST_BUCKETS, registry=self.registry,
        )

    def observe_decision(self, source: str, decision: Decision) -> None:
        self.decisions.labels(source=source, verdict=decision.verdict.label).inc()
        self.decision_latency.labels(source=source).observe(decision.latency_us / 1e6)
        for rule_id in decision.rule_ids:
            self.findings.labels(rule_id=rule_id).inc()

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


class DecisionTracing:
    """One span per governance decision. `exporter` none|console|memory; memory keeps spans for tests."""

    def __init__(self, exporter: str = "none") -> None:
        self.provider = TracerProvider()
        self.memory: InMemorySpanExporter | None = None
        chosen: SpanExporter | None = None
        if exporter == "console":
            chosen = ConsoleSpanExporter()
        elif exporter == "memory":
            chosen = self.memory = InMemorySpanExporter()
        if chosen is not None:
            self.provider.add_span_processor(SimpleSpanProcessor(chosen))
        self.tracer: Tracer = self.provider.get_tracer("tractatus.service")

    @contextmanager
    def decision_span(self, source: str, action: Action) -> Iterator[Span]:
        # Attributes carry digests and labels only, never the action's text.
        with self.tracer.start_as_current_span("governance.decide") as span:
            span.set_attribute("tractatus.source", source)
            span.set_attribute("tractatus.action.kind", action.kind)
            span.set_attribute("tractatus.agent_id", action.agent_id)
            yield span

    @staticmethod
    def record(span: Span, decision: Decision) -> None:
        span.set_attribute("tractatus.verdict", decision.verdict.label)
        span.set_attribute("tractatus.rule_ids", list(decision.rule_ids))
        span.set_attribute("tractatus.policy_digest", decision.policy_digest)
        span.set_attribute("tractatus.latency_us", decision.latency_us)
        if decision.audit_seq is not None:
            span.set_attribute("tractatus.audit_seq", decision.audit_seq)

    def shutdown(self) -> None:
        self.provider.shutdown()

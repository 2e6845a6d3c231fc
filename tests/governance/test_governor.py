"""The engine: selection, combination, tool gating, rules, and every fail-closed path."""

from __future__ import annotations

import threading
from typing import ClassVar, Sequence

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tractatus.governance.actions import Action, Finding, Severity, Span, Verdict
from tractatus.governance.checks import CheckContext, CheckSettings
from tractatus.governance.governor import Governor
from tractatus.governance.policy import parse_policy
from tractatus.governance.state import GovernanceState

POLICY = """\
version: 1
name: engine-test
limits: {max_text_bytes: 2000, check_timeout_ms: 200, cache_entries: 100}
on_error: block
severity_verdicts: {info: allow, low: warn, medium: block, high: block, critical: block}
tools:
  unknown: block
  known: {search: allow, db.query: allow, shell.exec: escalate}
rules:
  - id: db.prod
    tool: db.query
    when: {database: {eq: production}, sql: {regex: '(?i)^\\s*drop'}}
    verdict: block
    severity: critical
  - id: db.limit
    tool: db.query
    when: {limit: {gt: 1000}}
    verdict: warn
    severity: low
  - id: any.no-secret-arg
    tool: "*"
    when: {secret: {exists: true}}
    verdict: block
rate_limits:
  - {id: burst, kinds: [message], max_events: 3, window_s: 60}
checks:
  word:
    kinds: [message, tool_call]
    settings: {word: forbidden}
  redactor:
    kinds: [message]
    severity_verdicts: {low: modify}
    settings: {}
"""


class WordCheck:
    """Flags a configured word: a minimal real check."""

    name: ClassVar[str] = "word"
    kind: ClassVar[str] = "detector"
    stateful: ClassVar[bool] = False

    class Settings(CheckSettings):
        word: str

    calls = 0

    def __init__(self, settings: Settings) -> None:
        self.word = settings.word

    def evaluate(self, ctx: CheckContext) -> Sequence[Finding]:
        type(self).calls += 1
        index = ctx.text.text.find(self.word)
        if index < 0:
            return []
        return [Finding("word", "detector", "word", Severity.HIGH, "word.hit", "forbidden word", Span(index, index + len(self.word)))]


class RedactorCheck:
    name: ClassVar[str] = "redactor"
    kind: ClassVar[str] = "detector"
    stateful: ClassVar[bool] = False

    class Settings(CheckSettings):
        pass

    def __init__(self, settings: Settings) -> None:
        pass

    def evaluate(self, ctx: CheckContext) -> Sequence[Finding]:
        index = ctx.text.text.find("secret@example.com")
        if index < 0:
            return []
        return [Finding("redactor", "detector", "email", Severity.LOW, "redactor.email", "email", Span(index, index + 18))]


def make_registry(**overrides):
    registry = {"word": WordCheck, "redactor": RedactorCheck}
    registry.update(overrides)
    return registry


def governor(registry=None, policy_text: str = POLICY, **kwargs) -> Governor:
    registry = registry or make_registry()
    return Governor(parse_policy(policy_text, registry=registry), registry=registry, **kwargs)


def test_ordinary_text_is_allowed_with_the_policy_digest() -> None:
    gov = governor()
    decision = gov.decide(Action(text="hello there"))
    assert decision.verdict == Verdict.ALLOW
    assert decision.findings == ()
    assert decision.policy_digest == gov.policy.digest
    assert decision.latency_us > 0


def test_most_severe_verdict_wins_and_findings_carry_their_verdict() -> None:
    decision = governor().decide(Action(text="forbidden and secret@example.com"))
    assert decision.verdict == Verdict.BLOCK
    assert {f.rule_id: f.verdict for f in decision.findings} == {"word.hit": Verdict.BLOCK, "redactor.email": Verdict.MODIFY}


def test_modify_carries_the_redacted_text() -> None:
    decision = governor().decide(Action(text="write to secret@example.com today"))
    assert decision.verdict == Verdict.MODIFY
    assert decision.modified_text == "write to [EMAIL] today"


def test_unknown_tool_is_denied_by_default() -> None:
    decision = governor().decide(Action(kind="tool_call", tool="rm_everything"))
    assert decision.verdict == Verdict.BLOCK
    assert decision.rule_ids == ("tool.unknown",)


def test_tool_call_without_a_tool_is_denied() -> None:
    assert governor().decide(Action(kind="tool_call")).verdict == Verdict.BLOCK


def test_known_tool_verdicts_and_rules() -> None:
    gov = governor()
    assert gov.decide(Action(kind="tool_call", tool="search", arguments={"q": "weather"})).verdict == Verdict.ALLOW
    assert gov.decide(Action(kind="tool_call", tool="shell.exec", arguments={"command": "ls"})).verdict == Verdict.ESCALATE
    drop = gov.decide(Action(kind="tool_call", tool="db.query", arguments={"database": "production", "sql": " DROP TABLE x"}))
    assert drop.verdict == Verdict.BLOCK and "db.prod" in drop.rule_ids
    staging = gov.decide(Action(kind="tool_call", tool="db.query", arguments={"database": "staging", "sql": "drop table x"}))
    assert staging.verdict == Verdict.ALLOW
    big = gov.decide(Action(kind="tool_call", tool="db.query", arguments={"database": "staging", "sql": "select 1", "limit": "5000"}))
    assert big.verdict == Verdict.WARN
    secret = gov.decide(Action(kind="tool_call", tool="search", arguments={"q": "x", "secret": "hunter2"}))
    assert secret.verdict == Verdict.BLOCK and "any.no-secret-arg" in secret.rule_ids


def test_text_checks_see_tool_arguments() -> None:
    decision = governor().decide(Action(kind="tool_call", tool="search", arguments={"q": "the forbidden thing"}))
    assert decision.verdict == Verdict.BLOCK
    assert "word.hit" in decision.rule_ids


def test_rate_limit_is_kept_by_the_governor_per_agent() -> None:
    gov = governor()
    verdicts = [gov.decide(Action(text="hi", agent_id="a")).verdict for _ in range(4)]
    assert verdicts == [Verdict.ALLOW] * 3 + [Verdict.BLOCK]
    assert gov.decide(Action(text="hi", agent_id="b")).verdict == Verdict.ALLOW


def test_held_agent_is_blocked_until_cleared() -> None:
    state = GovernanceState()
    gov = governor(state=state)
    state.hold_agent("a", "drift alert")
    assert gov.decide(Action(text="hi", agent_id="a")).verdict == Verdict.BLOCK
    state.clear_agent("a")
    assert gov.decide(Action(text="hi", agent_id="a")).verdict == Verdict.ALLOW


def test_stateless_results_are_cached_by_content() -> None:
    WordCheck.calls = 0
    gov = governor()
    for _ in range(3):
        gov.decide(Action(text="same text", agent_id="x", context={"n": 1}))
    assert WordCheck.calls == 1
    gov.decide(Action(text="same text", agent_id="x", context={"n": 2}))  # context is part of the key
    assert WordCheck.calls == 2


# -- fail closed ---------------------------------------------------------------------------


class RaisingCheck(WordCheck):
    def evaluate(self, ctx: CheckContext) -> Sequence[Finding]:
        raise RuntimeError("boom")


class HangingCheck(WordCheck):
    release = threading.Event()

    def evaluate(self, ctx: CheckContext) -> Sequence[Finding]:
        self.release.wait(5)
        return []


def test_a_check_that_raises_blocks() -> None:
    decision = governor(make_registry(word=RaisingCheck)).decide(Action(text="harmless"))
    assert decision.verdict == Verdict.BLOCK
    assert decision.rule_ids == ("engine.check_error",)


def test_a_check_that_raises_escalates_when_the_policy_says_so() -> None:
    policy = POLICY.replace("on_error: block", "on_error: escalate")
    decision = governor(make_registry(word=RaisingCheck), policy_text=policy).decide(Action(text="harmless"))
    assert decision.verdict == Verdict.ESCALATE


def test_a_check_that_hangs_past_its_timeout_blocks() -> None:
    HangingCheck.release.clear()
    try:
        decision = governor(make_registry(word=HangingCheck)).decide(Action(text="harmless"))
    finally:
        HangingCheck.release.set()
    assert decision.verdict == Verdict.BLOCK
    assert "engine.check_timeout" in decision.rule_ids


def test_a_missing_check_blocks() -> None:
    registry = make_registry()
    policy = parse_policy(POLICY, registry=registry)
    del registry["word"]
    decision = Governor(policy, registry=registry).decide(Action(text="harmless"))
    assert decision.verdict == Verdict.BLOCK
    assert any("is not installed" in f.message for f in decision.findings)


def test_failing_audit_means_block() -> None:
    class BrokenAudit:
        def append_decisions(self, pairs):
            raise OSError("disk full")

    decision = governor(audit=BrokenAudit()).decide(Action(text="hello"))
    assert decision.verdict == Verdict.BLOCK
    assert "audit.unavailable" in decision.rule_ids


def test_a_closed_governor_blocks() -> None:
    gov = governor()
    gov.close()
    assert gov.decide(Action(text="hello")).verdict == Verdict.BLOCK


def test_oversized_text_is_blocked_not_truncated() -> None:
    decision = governor().decide(Action(text="x" * 3000))
    assert decision.verdict == Verdict.BLOCK
    assert "input.too_large" in decision.rule_ids


class FlakyCheck(WordCheck):
    def evaluate(self, ctx: CheckContext) -> Sequence[Finding]:
        if "a" in ctx.text.text:
            raise ValueError("flaky")
        return super().evaluate(ctx)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text(max_size=300), kind=st.sampled_from(["message", "tool_call", "publish", "x"]), tool=st.none() | st.text(max_size=10))
def test_no_input_crashes_the_engine_and_an_exception_never_allows(text: str, kind: str, tool: str | None) -> None:
    gov = _PROPERTY_GOVERNOR
    decision = gov.decide(Action(kind=kind, text=text, tool=tool))
    assert isinstance(decision.verdict, Verdict)
    if kind == "message" and "a" in text or kind == "x":
        assert decision.verdict == Verdict.BLOCK


_PROPERTY_GOVERNOR = governor(make_registry(word=FlakyCheck))


def test_batch_decisions_keep_input_order() -> None:
    gov = governor()
    decisions = gov.decide_batch([Action(text="ok"), Action(text="forbidden"), Action(text="fine")])
    assert [d.verdict for d in decisions] == [Verdict.ALLOW, Verdict.BLOCK, Verdict.ALLOW]


@pytest.mark.parametrize("bad", ["", "   "])
def test_empty_text_is_allowed_not_crashing(bad: str) -> None:
    assert governor().decide(Action(text=bad)).verdict == Verdict.ALLOW


def test_a_kind_the_policy_does_not_govern_fails_closed() -> None:
    decision = governor().decide(Action(kind="teleport", text="hello"))
    assert decision.verdict == Verdict.BLOCK
    assert decision.rule_ids == ("kind.unknown",)


def test_an_escalation_that_cannot_be_queued_blocks() -> None:
    class BrokenQueue:
        def submit(self, action, decision):
            raise OSError("database is locked")

    decision = governor(escalations=BrokenQueue()).decide(Action(kind="tool_call", tool="shell.exec", arguments={"command": "ls"}))
    assert decision.verdict == Verdict.BLOCK
    assert "escalation.unavailable" in decision.rule_ids


def test_cached_cross_reference_results_follow_the_instruction_history() -> None:
    from tractatus.governance.policy import bundled_policy_path, load_policy
    from tractatus.governance.services.persistence_classifier import InstructionPersistenceClassifier

    policy = load_policy(bundled_policy_path("default"))
    gov = Governor(policy)
    call = Action(kind="tool_call", tool="db.query", arguments={"database": "app", "port": 27017, "sql": "select 1"})
    assert gov.decide(call).verdict == Verdict.ALLOW
    assert gov.decide(call).verdict == Verdict.ALLOW  # served from the cache
    classifier = InstructionPersistenceClassifier(policy.check_settings("instruction_persistence_classifier"))
    gov.state.add_instruction(classifier.classify("Always use port 27027 for the database."))
    after = gov.decide(call)
    assert after.verdict != Verdict.ALLOW
    assert any(f.source == "cross_reference_validator" for f in after.findings)
    other_port = Action(kind="tool_call", tool="db.query", arguments={"database": "app", "port": 27027, "sql": "select 1"})
    assert gov.decide(other_port).verdict == Verdict.ALLOW  # non-string arguments are part of the key


def test_a_drift_hold_the_policy_made_an_escalation_escalates() -> None:
    from tractatus.governance.drift import HOLD_PREFIX

    state = GovernanceState()
    gov = governor(state=state)
    state.hold_agent("a", f"{HOLD_PREFIX}escalate: attempt rate shifted")
    assert gov.decide(Action(text="hi", agent_id="a")).verdict == Verdict.ESCALATE
    state.hold_agent("b", "operator hold")
    assert gov.decide(Action(text="hi", agent_id="b")).verdict == Verdict.BLOCK

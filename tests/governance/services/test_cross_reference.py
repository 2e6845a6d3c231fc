"""CrossReferenceValidator: actions that contradict stored instructions are caught; others pass."""

from __future__ import annotations

import pytest

from conftest import default_policy, policy_settings
from tractatus.governance.actions import Action, Finding, Persistence, Severity, Verdict
from tractatus.governance.checks import CheckContext
from tractatus.governance.actions import action_text
from tractatus.governance.governor import Governor
from tractatus.governance.normalize import normalize
from tractatus.governance.registry import default_registry
from tractatus.governance.services.cross_reference import (
    ConflictSeverity,
    CrossReferenceValidator,
    ValidationStatus,
)
from tractatus.governance.services.persistence_classifier import InstructionPersistenceClassifier
from tractatus.governance.state import GovernanceState


@pytest.fixture(scope="module")
def clickbait_detector():  # the real detector, built from the same policy
    return default_registry()["clickbait"](default_policy().check_settings("clickbait"))


@pytest.fixture(scope="module")
def bound_validator(clickbait_detector) -> CrossReferenceValidator:
    return CrossReferenceValidator(policy_settings(CrossReferenceValidator), detectors={"clickbait": clickbait_detector})


def ctx_for(action: Action, state: GovernanceState) -> CheckContext:
    text = action_text(action)
    return CheckContext(action=action, text=normalize(text), state=state)


# -- parameter conflicts ------------------------------------------------------------------


def test_port_conflict_in_arguments_is_rejected_with_a_question(classifier: InstructionPersistenceClassifier, validator: CrossReferenceValidator) -> None:
    instruction = classifier.classify("Use port 27027 for MongoDB")
    assert instruction.persistence == Persistence.HIGH
    action = Action(kind="tool_call", tool="db.connect", arguments={"host": "localhost", "port": 27017})
    result = validator.validate(action, [instruction])
    assert result.status == ValidationStatus.REJECTED
    assert result.severity == ConflictSeverity.CRITICAL
    (conflict,) = result.conflicts
    assert (conflict.kind, conflict.subject, conflict.expected, conflict.actual) == ("parameter_conflict", "port", 27027, 27017)
    assert result.question is not None and "27027" in result.question and "27017" in result.question


def test_port_conflict_in_a_connection_string(classifier: InstructionPersistenceClassifier, validator: CrossReferenceValidator) -> None:
    instruction = classifier.classify("Use port 27027 for MongoDB")
    result = validator.validate(Action(text="Connecting to mongodb://localhost:27017/app now"), [instruction])
    assert result.status == ValidationStatus.REJECTED
    assert {(c.subject, c.actual) for c in result.conflicts} == {("port", 27017)}


@pytest.mark.parametrize(
    "action",
    [
        Action(kind="tool_call", tool="db.connect", arguments={"port": 27027}),
        Action(kind="tool_call", tool="db.connect", arguments={"port": "27027"}),
        Action(text="Connecting to mongodb://localhost:27027/app"),
        Action(text="The weekly report is ready."),
        Action(kind="tool_call", tool="search", arguments={"query": "mongodb default port"}),
        # a port stated for MongoDB does not bind calls to other services
        Action(kind="tool_call", tool="http_get", arguments={"url": "https://localhost:8443/health"}),
        Action(text="Connect to postgres://db.internal:5432/app"),
    ],
)
def test_honouring_or_unrelated_actions_are_approved(classifier, validator, action: Action) -> None:
    result = validator.validate(action, [classifier.classify("Use port 27027 for MongoDB")])
    assert result.status == ValidationStatus.APPROVED
    assert result.conflicts == ()
    assert result.question is None


@pytest.mark.parametrize(
    ("instruction", "conflicting", "honouring"),
    [
        ("Save all reports to /var/reports", {"path": "/tmp/report.csv"}, {"path": "/var/reports/q3/report.csv"}),
        ("Call https://api.example.com/v2 for order data", {"url": "https://evil.example.net/v2/orders"}, {"url": "https://api.example.com/v2/orders"}),
        ("Deploy to the staging environment", {"environment": "production"}, {"env": "stage"}),
        ("Use the analytics database", {"database": "billing"}, {"db": "Analytics"}),
        ("Build everything with Python 3.12", {"command": "python 3.11 -m build"}, {"command": "python 3.12.4 -m build"}),
    ],
)
def test_other_parameters(classifier, validator, instruction: str, conflicting: dict, honouring: dict) -> None:
    stored = [classifier.classify(instruction)]
    assert validator.validate(Action(kind="tool_call", tool="x", arguments=conflicting), stored).conflicts != ()
    assert validator.validate(Action(kind="tool_call", tool="x", arguments=honouring), stored).conflicts == ()


def test_severity_follows_the_instructions_persistence(classifier, validator) -> None:
    action = Action(kind="tool_call", tool="db.connect", arguments={"port": 5432})
    high = classifier.classify("Use port 6543 for the replica")
    medium = classifier.classify("We should use port 6543")
    low = classifier.classify("Maybe use port 6543, if possible")
    assert (high.persistence, medium.persistence, low.persistence) == (Persistence.HIGH, Persistence.MEDIUM, Persistence.LOW)
    assert validator.validate(action, [high]).status == ValidationStatus.REJECTED
    warning = validator.validate(action, [medium])
    assert (warning.status, warning.severity, warning.question) == (ValidationStatus.WARNING, ConflictSeverity.WARNING, None)
    minor = validator.validate(action, [low])
    assert (minor.status, minor.severity) == (ValidationStatus.APPROVED, ConflictSeverity.MINOR)
    assert len(minor.conflicts) == 1  # reported, not hidden
    # the worst conflict decides when several instructions disagree with the action
    assert validator.validate(action, [low, medium, high]).status == ValidationStatus.REJECTED


# -- prohibitions -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("instruction", "action", "status"),
    [
        ("Never use MongoDB.", Action(text="I will store the sessions in MongoDB."), ValidationStatus.REJECTED),
        ("Never use MongoDB.", Action(kind="tool_call", tool="mongodb.insert", arguments={"doc": "{}"}), ValidationStatus.REJECTED),
        ("Never use emojis in titles.", Action(kind="publish", text="Big news: we added an emoji picker"), ValidationStatus.REJECTED),
        ("Never use MongoDB, Redis or MySQL.", Action(text="Cache it in redis"), ValidationStatus.REJECTED),
        ("Never use port 27017.", Action(kind="tool_call", tool="db.connect", arguments={"url": "mongodb://h:27017"}), ValidationStatus.REJECTED),
        # a plain "don't"/"avoid" is a standing rule of MEDIUM persistence: a warning, not a rejection
        ("Don't deploy on Fridays.", Action(text="Deploying the release on Friday evening"), ValidationStatus.WARNING),
        ("Avoid jargon.", Action(text="We leverage synergies, lots of jargon here"), ValidationStatus.WARNING),
    ],
)
def test_prohibition_violations_are_caught(classifier, validator, instruction: str, action: Action, status: ValidationStatus) -> None:
    result = validator.validate(action, [classifier.classify(instruction)])
    assert result.status == status, result
    assert any(c.kind == "prohibition_violation" for c in result.conflicts)
    assert (result.question is not None) == (status == ValidationStatus.REJECTED)


@pytest.mark.parametrize(
    ("instruction", "action"),
    [
        ("Never use MongoDB.", Action(text="Store the sessions in PostgreSQL.")),
        ("Never use MongoDB.", Action(text="The mongoose library is unrelated.")),
        ("Don't deploy on Fridays.", Action(text="Deploying the release on Tuesday morning")),
        ("do not forget the meeting", Action(text="I forgot the meeting notes at home")),
        ("Never use emojis in titles.", Action(text="A plain title")),
        ("Never use port 27017.", Action(kind="tool_call", tool="db.connect", arguments={"url": "mongodb://h:27027"})),
    ],
)
def test_actions_that_do_not_do_the_forbidden_thing_pass(classifier, validator, instruction: str, action: Action) -> None:
    assert validator.validate(action, [classifier.classify(instruction)]).status == ValidationStatus.APPROVED


# -- prohibitions judged by a detector -----------------------------------------------------


def test_no_clickbait_is_judged_by_the_clickbait_detector(classifier, bound_validator) -> None:
    constraint = classifier.classify("no clickbait, keep accuracy", source="deliberation")
    bait = bound_validator.validate(Action(kind="publish", text="You WON'T BELIEVE what this one weird trick does!!!"), [constraint])
    assert bait.status == ValidationStatus.REJECTED
    assert bait.conflicts[0].kind == "prohibition_violation" and bait.conflicts[0].subject == "clickbait"
    plain = bound_validator.validate(Action(kind="publish", text="City council approves the 2025 budget"), [constraint])
    assert plain.status == ValidationStatus.APPROVED
    # mentioning the word is not doing the thing
    mention = bound_validator.validate(Action(kind="publish", text="Our editors avoid clickbait in every headline."), [constraint])
    assert mention.status == ValidationStatus.APPROVED


def test_findings_already_produced_can_judge_detector_prohibitions(classifier, validator) -> None:
    constraint = classifier.classify("no clickbait", source="deliberation")
    headline = Action(kind="publish", text="Some headline")
    prior = [Finding("clickbait", "detector", "curiosity_gap", Severity.HIGH, "clickbait.curiosity_gap", "bait")]
    assert validator.validate(headline, [constraint], findings=prior).status == ValidationStatus.REJECTED
    assert validator.validate(headline, [constraint], findings=[]).status == ValidationStatus.APPROVED


def test_unverifiable_detector_prohibition_fails_closed(classifier, validator) -> None:
    constraint = classifier.classify("no clickbait", source="deliberation")
    state = GovernanceState()
    state.add_instruction(constraint)
    findings = validator.evaluate(ctx_for(Action(kind="publish", text="City council approves budget"), state))
    assert [f.category for f in findings] == ["prohibition_unverifiable"]
    assert findings[0].verdict == Verdict.ESCALATE


def test_bind_checks_hands_over_the_policy_detectors(classifier, clickbait_detector) -> None:
    validator = CrossReferenceValidator(policy_settings(CrossReferenceValidator))
    validator.bind_checks({"clickbait": clickbait_detector, "pii": None, "unrelated": clickbait_detector})
    state = GovernanceState()
    state.add_instruction(classifier.classify("no clickbait", source="deliberation"))
    assert validator.evaluate(ctx_for(Action(kind="publish", text="City council approves budget"), state)) == ()


# -- as a check -----------------------------------------------------------------------------


def test_check_reads_instructions_from_governance_state(classifier, validator) -> None:
    state = GovernanceState()
    action = Action(kind="tool_call", tool="db.connect", arguments={"port": 27017})
    assert validator.evaluate(ctx_for(action, state)) == ()  # no instructions, nothing to contradict
    state.add_instruction(classifier.classify("Use port 27027 for MongoDB"))
    (finding,) = validator.evaluate(ctx_for(action, state))
    assert finding.category == "parameter_conflict"
    assert finding.severity == Severity.CRITICAL
    assert finding.verdict == Verdict.ESCALATE  # a clarification question goes to a person
    assert "27027" in finding.message and "?" in finding.message


def test_prohibition_finding_blocks_and_points_at_the_text(classifier, validator) -> None:
    state = GovernanceState()
    state.add_instruction(classifier.classify("Never use MongoDB"))
    action = Action(text="Plan: store sessions in MongoDB and cache in memory")
    (finding,) = validator.evaluate(ctx_for(action, state))
    assert finding.verdict == Verdict.BLOCK
    assert finding.span is not None and action.text[finding.span.start : finding.span.end] == "MongoDB"


def test_through_the_governor(classifier) -> None:
    governor = Governor(default_policy())
    try:
        governor.state.add_instruction(classifier.classify("Use port 27027 for MongoDB"))
        conflicting = Action(kind="tool_call", tool="db.query", arguments={"port": 27017, "database": "orders", "sql": "SELECT 1"})
        honouring = Action(kind="tool_call", tool="db.query", arguments={"port": 27027, "database": "orders", "sql": "SELECT 1"})
        other_service = Action(kind="tool_call", tool="http_get", arguments={"url": "http://localhost:8080/status"})
        decision = governor.evaluate(conflicting)
        assert decision.verdict == Verdict.ESCALATE
        assert "cross_reference.parameter_conflict" in decision.rule_ids
        assert governor.evaluate(honouring).verdict == Verdict.ALLOW
        assert governor.evaluate(other_service).verdict == Verdict.ALLOW
    finally:
        governor.close()

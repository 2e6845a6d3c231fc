"""InstructionPersistenceClassifier: explicit, lasting instructions persist; remarks do not."""

from __future__ import annotations

import pytest

from tractatus.governance.actions import (
    Action,
    Persistence,
    Quadrant,
    Severity,
    TemporalScope,
    VerificationLevel,
)
from tractatus.governance.checks import CheckContext
from tractatus.governance.normalize import normalize
from tractatus.governance.services.persistence_classifier import InstructionPersistenceClassifier
from tractatus.governance.state import GovernanceState


def test_port_instruction_is_a_high_persistence_system_instruction(classifier: InstructionPersistenceClassifier) -> None:
    instruction = classifier.classify("Use port 27027 for the MongoDB connection.")
    assert instruction.quadrant == Quadrant.SYSTEM
    assert instruction.persistence == Persistence.HIGH
    assert instruction.temporal_scope == TemporalScope.PROJECT
    assert instruction.parameters["port"] == 27027
    assert instruction.verification == VerificationLevel.MANDATORY
    assert instruction.explicitness >= 0.6


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Connect to mongodb://db.internal:27027/orders", {"url": "mongodb://db.internal:27027/orders", "host": "db.internal", "port": 27027, "database": "orders"}),
        ("Set the host to api.example.com and the port to 8443", {"host": "api.example.com", "port": 8443}),
        ("Save the reports to /var/reports/q3", {"path": "/var/reports/q3"}),
        ("Use the analytics database", {"database": "analytics"}),
        ("Write results into the collection named events_v2", {"collection": "events_v2"}),
        ("Deploy to the staging environment", {"env": "staging"}),
        ("Pin version 2.4.1 of the client", {"version": "2.4.1"}),
        ("Build everything with Python 3.12", {"python_version": "3.12"}),
        ("Call https://api.example.com/v2/orders for order data", {"url": "https://api.example.com/v2/orders", "host": "api.example.com"}),
    ],
)
def test_extracts_parameters(classifier: InstructionPersistenceClassifier, text: str, expected: dict[str, object]) -> None:
    params = dict(classifier.classify(text).parameters)
    for key, value in expected.items():
        assert params.get(key) == value, (key, params)


@pytest.mark.parametrize(
    ("text", "prohibited"),
    [
        ("Never use MongoDB.", ("mongodb",)),
        ("Never use MongoDB, Redis or MySQL for this service.", ("mongodb", "redis", "mysql")),
        ("Don't deploy on Fridays.", ("deploy on fridays",)),
        ("no clickbait, keep accuracy", ("clickbait",)),
        ("Avoid jargon, keep sentences short.", ("jargon",)),
        ("Emojis are not allowed in titles.", ("emojis",)),
        ("Please stop using jQuery.", ("jquery",)),
        ("You may not include personal data in logs.", ("personal data",)),
        ("Write clearly. Do not use exclamation marks.", ("exclamation marks",)),
        ("You must never expose API keys in client code.", ("api keys",)),
    ],
)
def test_extracts_prohibitions(classifier: InstructionPersistenceClassifier, text: str, prohibited: tuple[str, ...]) -> None:
    assert classifier.classify(text).prohibitions == prohibited


@pytest.mark.parametrize(
    "text",
    [
        "do not forget the meeting",
        "Don't hesitate to ask questions.",
        "There is no problem with that.",
        "No worries, take your time.",
        "I do not like blue.",
        "This is not a priority.",
        "The tests guarantee nothing.",
        "we should design a better UI",
        "this is important",
        "The API key is in the vault; never commit it",  # "it" refers elsewhere: nothing to match
        "Don't do that.",
        "No need to add tests.",
    ],
)
def test_remarks_forbid_nothing(classifier: InstructionPersistenceClassifier, text: str) -> None:
    assert classifier.classify(text).prohibitions == ()


@pytest.mark.parametrize(
    "text",
    [
        "we should design a better UI",
        "this is important",
        "do not forget the meeting",
        "I do not think that is right",
        "It's not a big deal",
        "The design should be simpler, it's important",
        "Maybe try a darker colour?",
        "Please fix the login bug now",
        "No need to add tests",
    ],
)
def test_no_lone_keyword_makes_an_instruction_binding(classifier: InstructionPersistenceClassifier, text: str) -> None:
    instruction = classifier.classify(text)
    assert instruction.persistence != Persistence.HIGH, instruction
    assert instruction.temporal_scope != TemporalScope.PERMANENT, instruction
    assert instruction.verification not in (VerificationLevel.MANDATORY, VerificationLevel.REQUIRED), instruction


def test_a_plain_remark_is_low_and_an_exploration_is_variable(classifier: InstructionPersistenceClassifier) -> None:
    assert classifier.classify("this is important").persistence == Persistence.LOW
    assert classifier.classify("we should design a better UI").persistence == Persistence.LOW
    exploration = classifier.classify("Maybe brainstorm a few alternative headline ideas")
    assert exploration.quadrant == Quadrant.STOCHASTIC
    assert exploration.persistence == Persistence.VARIABLE


@pytest.mark.parametrize(
    "text",
    ["MongoDB runs on port 27027", "The staging database is at db-staging.internal:5432", "The API is served from https://api.example.com/v2"],
)
def test_configuration_statements_bind_like_orders(classifier: InstructionPersistenceClassifier, text: str) -> None:
    """The 27027 incident's instruction was a statement of configuration, not an imperative."""
    instruction = classifier.classify(text)
    assert instruction.quadrant == Quadrant.SYSTEM
    assert instruction.persistence == Persistence.HIGH
    assert instruction.parameters


def test_a_statement_without_parameters_binds_nothing(classifier: InstructionPersistenceClassifier) -> None:
    assert classifier.classify("The server is down again").persistence == Persistence.LOW


def test_only_explicit_permanence_phrases_make_an_instruction_permanent(classifier: InstructionPersistenceClassifier) -> None:
    assert classifier.classify("Never use MongoDB").temporal_scope == TemporalScope.PERMANENT
    assert classifier.classify("From now on, always cite a source").temporal_scope == TemporalScope.PERMANENT
    assert classifier.classify("From now on, respond only in Spanish").persistence == Persistence.HIGH
    assert classifier.classify("Never use MongoDB").persistence == Persistence.HIGH
    # "do not X" is a prohibition but not a promise to hold forever
    dont = classifier.classify("Do not use MongoDB")
    assert dont.temporal_scope == TemporalScope.PROJECT
    assert dont.prohibitions == ("mongodb",)


@pytest.mark.parametrize(
    ("text", "scope"),
    [
        ("For this session, answer in French", TemporalScope.SESSION),
        ("Use tabs for indentation in this repository", TemporalScope.PROJECT),
        ("Rename this function right now", TemporalScope.IMMEDIATE),
        ("Going forward, keep every reply under 100 words", TemporalScope.PERMANENT),
    ],
)
def test_temporal_scope_markers(classifier: InstructionPersistenceClassifier, text: str, scope: TemporalScope) -> None:
    assert classifier.classify(text).temporal_scope == scope


@pytest.mark.parametrize(
    ("text", "quadrant"),
    [
        ("Our mission is accuracy; protect user trust above all", Quadrant.STRATEGIC),
        ("Configure the server to listen on port 8080", Quadrant.SYSTEM),
        ("Every pull request needs a code review before merge", Quadrant.OPERATIONAL),
        ("Fix this bug in the login form", Quadrant.TACTICAL),
        ("Feel free to explore creative alternatives", Quadrant.STOCHASTIC),
    ],
)
def test_quadrants(classifier: InstructionPersistenceClassifier, text: str, quadrant: Quadrant) -> None:
    assert classifier.classify(text).quadrant == quadrant


def test_hedging_lowers_explicitness(classifier: InstructionPersistenceClassifier) -> None:
    firm = classifier.classify("Use port 8080 for the API")
    hedged = classifier.classify("Maybe use port 8080 for the API, if possible")
    assert hedged.explicitness < firm.explicitness
    assert hedged.persistence != Persistence.HIGH


def test_parameters_inside_a_prohibition_are_not_instructed_values(classifier: InstructionPersistenceClassifier) -> None:
    instruction = classifier.classify("Never use port 27017; the database listens on port 27027")
    assert instruction.prohibitions == ("port 27017",)
    assert instruction.parameters["port"] == 27027


def test_deliberated_constraints_bind_with_high_persistence(classifier: InstructionPersistenceClassifier) -> None:
    constraint = classifier.classify("no clickbait, keep accuracy", source="deliberation")
    assert constraint.persistence == Persistence.HIGH
    assert constraint.prohibitions == ("clickbait",)
    assert constraint.source == "deliberation"
    assert constraint.verification == VerificationLevel.MANDATORY


def test_classification_sees_through_unicode_tricks(classifier: InstructionPersistenceClassifier) -> None:
    plain = classifier.classify("Never use MongoDB")
    tricked = classifier.classify("Ｎever use Mongo\u200bDB")  # fullwidth N, zero-width space
    assert tricked.prohibitions == plain.prohibitions
    assert tricked.persistence == plain.persistence


def test_ids_are_stable_and_text_is_kept_verbatim(classifier: InstructionPersistenceClassifier) -> None:
    a, b = classifier.classify("Use port 27027"), classifier.classify("Use port 27027")
    assert a.id == b.id and a.text == "Use port 27027"
    assert a.to_dict()["parameters"] == {"port": 27027}


def test_as_a_check_it_records_the_classification(classifier: InstructionPersistenceClassifier) -> None:
    action = Action(kind="instruction", text="Never use MongoDB", context={"source": "user"})
    (finding,) = classifier.evaluate(CheckContext(action=action, text=normalize(action.text), state=GovernanceState()))
    assert finding.severity == Severity.INFO
    assert finding.category == "instruction_classified"
    assert "HIGH persistence" in finding.message and "mongodb" in finding.message

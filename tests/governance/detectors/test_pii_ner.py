"""The optional NER tier: never downloads, loads lazily, refuses to run without its model when the
policy requires it, and finds names the pattern tier cannot once a spaCy pipeline is there."""

from __future__ import annotations

from pathlib import Path

import pytest
from detector_helpers import build, run

from tractatus.governance.errors import PolicyError

NOT_SELF_NAMED = "Please forward this to Angela Merkel tomorrow"


def test_required_ner_without_its_model_is_one_clear_policy_error(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="ner_required is true") as info:
        build("pii", ner_required=True, ner_model=str(tmp_path / "no-such-pipeline"))
    assert "\n" not in str(info.value)


def test_optional_ner_without_its_model_runs_the_pattern_tier(tmp_path: Path) -> None:
    detector = build("pii", ner_model=str(tmp_path / "no-such-pipeline"))
    assert detector.ner_available is False
    assert [f.category for f in run(detector, "my name is Angela Merkel, mail angela@example.org")] == [
        "person",
        "email",
    ]
    assert run(detector, NOT_SELF_NAMED) == []  # no model: a name without a cue is not found


def _tiny_english_pipeline(path: Path) -> Path:
    """A real spaCy pipeline with no trained weights: an entity ruler that calls two title-case
    words in a row a PERSON. It stands in for en_core_web_*, which no registry here ships."""
    spacy = pytest.importorskip("spacy")
    pytest.importorskip("presidio_analyzer")
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([{"label": "PERSON", "pattern": [{"IS_TITLE": True}, {"IS_TITLE": True}]}])
    nlp.to_disk(path)
    return path


@pytest.mark.slow
def test_ner_tier_loads_a_local_pipeline_lazily_and_finds_names(tmp_path: Path) -> None:
    model = _tiny_english_pipeline(tmp_path / "tiny_en")
    detector = build("pii", ner_model=str(model), ner_required=True)
    assert detector.ner_available is True
    assert detector._names is None  # nothing loaded before the first text
    findings = run(detector, NOT_SELF_NAMED)
    assert [(f.category, NOT_SELF_NAMED[f.span.start : f.span.end]) for f in findings] == [
        ("person", "Angela Merkel")
    ]
    assert all("Merkel" not in (f.evidence or "") for f in findings)


@pytest.mark.slow
def test_a_pipeline_that_cannot_load_raises_inside_evaluate(tmp_path: Path) -> None:
    pytest.importorskip("presidio_analyzer")
    broken = tmp_path / "broken"
    broken.mkdir()  # a directory, but not a spaCy pipeline
    detector = build("pii", ner_model=str(broken))
    with pytest.raises(Exception):  # noqa: B017 - the governor turns any exception into a fail-closed finding
        run(detector, NOT_SELF_NAMED)

"""The learned tiers inside the detectors: scope, severities, evidence and the red-team/benign cases of issue 9."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "detectors"))
from detector_helpers import blocking, build

from tractatus.governance.actions import Action, Finding, Severity
from tractatus.governance.checks import CheckContext
from tractatus.governance.normalize import normalize
from tractatus.governance.state import GovernanceState


def run(detector: Any, text: str, kind: str = "message") -> list[Finding]:
    ctx = CheckContext(action=Action(text=text, kind=kind), text=normalize(text), state=GovernanceState())
    return list(detector.evaluate(ctx))


def learned(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.category == "learned"]


@pytest.fixture(scope="module")
def clickbait() -> Any:
    return build("clickbait")


@pytest.fixture(scope="module")
def abuse() -> Any:
    return build("abuse")


@pytest.mark.parametrize("headline", ["34 Reasons 'How I Met Your Mother' Was The Cleverest Show On TV", "Can You Name This Ballet Move"])
def test_clickbait_the_rules_missed_is_blocked_when_published(clickbait: Any, headline: str) -> None:
    (finding,) = learned(run(clickbait, headline, "publish"))
    assert finding.severity >= Severity.MEDIUM and finding.rule_id == "clickbait.learned"
    assert finding.evidence and finding.span is not None and 0 <= finding.span.start < finding.span.end <= len(headline)


@pytest.mark.parametrize("headline", ["Senate passes budget bill after long debate", "Python 3.12.1 released",
                                      "U.S. Declares Public Health Emergency Over Swine Flu", "Breaking: council approves budget"])
def test_news_headlines_pass_the_headline_model(clickbait: Any, headline: str) -> None:
    assert not learned(run(clickbait, headline, "publish"))


def test_the_headline_model_scores_publish_actions_only(clickbait: Any) -> None:
    assert not learned(run(clickbait, "Can You Name This Ballet Move", "message"))


@pytest.mark.parametrize("headline", ["How to configure nginx as a reverse proxy", "Top 10 Python tips"])
def test_how_to_headlines_are_at_most_a_warning(clickbait: Any, headline: str) -> None:
    assert not blocking(run(clickbait, headline, "publish"))


def test_shocking_results_inside_is_caught_by_rule(clickbait: Any) -> None:
    assert any(f.rule_id == "clickbait.curiosity_gap" for f in blocking(run(clickbait, "SHOCKING results inside")))
    assert not blocking(run(clickbait, "The details are inside the attached report"))


def test_the_learned_tier_sees_through_evasions(clickbait: Any) -> None:
    plain = learned(run(clickbait, "Can You Name This Ballet Move", "publish"))
    evaded = learned(run(clickbait, "Cаn Yоu N\u200bame Thіs Ballet Move", "publish"))  # Cyrillic а о і, zero-width
    assert plain and evaded and evaded[0].severity == plain[0].severity


def test_the_learned_abuse_tier_warns_but_never_blocks_alone(abuse: Any) -> None:
    (finding,) = learned(run(abuse, "Dumb ass hoe"))
    assert finding.severity == Severity.LOW and "ass" in (finding.evidence or "")
    for benign in ("fuck this bug", "I hate Mondays", "this update kills my battery", "kill -9 the process"):
        assert not blocking(run(abuse, benign)), benign
    assert not run(abuse, "this update kills my battery")


@pytest.mark.parametrize("text", ["You are all idiots and I hope your whole company burns down",
                                  "I hope she get raped in the future", "I hope your family dies"])
def test_wishes_of_harm_are_threats(abuse: Any, text: str) -> None:
    assert any(f.rule_id == "abuse.threat" for f in blocking(run(abuse, text)))


@pytest.mark.parametrize("text", ["I hope you get better soon", "I hope your team burns those calories at the gym",
                                  "U.S. Declares Public Health Emergency Over Swine Flu", "hope your build gets fixed"])
def test_benign_look_alikes_of_harm_pass(abuse: Any, text: str) -> None:
    assert not blocking(run(abuse, text)), [(f.rule_id, f.evidence) for f in run(abuse, text)]


def test_null_disables_the_learned_tier() -> None:
    assert not learned(run(build("abuse", learned=None), "Dumb ass hoe"))
    assert build("abuse", learned=None).model_digests == {}


_SHORTCUT_TEXTS = [
    "Thanks for the update, I will review the draft tomorrow.",
    "fuck this bug, it broke the build again",
    "You are all idiots and I hope your whole company burns down",
    "I hate Mondays",
    "kill -9 the stuck process",
    "shut up you stupid bitch",
    "The quarterly report is attached.",
    "this is some bullshit, the app crashed twice",
]


def _scored(vectors: list[Any]) -> int:
    from tractatus.governance.detectors.text_model import NO_FEATURES

    return sum(vector is not NO_FEATURES for vector in vectors)


@pytest.mark.parametrize("text", _SHORTCUT_TEXTS)
def test_the_early_stop_gives_the_same_finding_as_the_full_score(abuse: Any, text: str) -> None:
    from tractatus.governance.detectors.text_model import model_input, tokenize

    tier = abuse._learned
    words = model_input(normalize(text))
    full = tier.probability(words)
    flagged = bool(learned(run(abuse, text)))
    # The detector adds a target rule on top of the tier (abuse_target.py): a text aimed at nobody
    # ("fuck this bug") scores high and is still not flagged.
    aimed = abuse.aims_at_someone(CheckContext(action=Action(kind="message", text=text), text=normalize(text), state=GovernanceState()))
    assert flagged == (full >= tier.settings.warn_probability and aimed)
    score, vectors = tier._score(words, tokenize(words), stop_below=tier.settings.warn_probability)
    if _scored(vectors) < len(tier.settings.models):  # stopped early: only when the full score is a clear miss
        assert score == 0.0 and full < tier.settings.warn_probability
    else:
        assert score == full


@pytest.mark.parametrize("rule", ["geometric_mean", "mean"])
def test_the_score_combines_the_models_in_the_configured_order(abuse: Any, rule: str) -> None:
    """Scoring cheapest first must not change a bit: the same score as combining in the policy's
    order; and the early stop of each rule only skips a model when the full score is a miss."""
    import math

    from tractatus.governance.detectors.learned_tier import LearnedTier
    from tractatus.governance.detectors.text_model import model_input, tokenize

    tier = LearnedTier(abuse._learned.settings.model_copy(update={"combine": rule}), "abuse")
    for text in _SHORTCUT_TEXTS:
        words = model_input(normalize(text))
        probabilities = [model.probabilities(words)[positive] for model, positive in tier._models]
        if rule == "mean":
            expected = math.fsum(probabilities) / len(probabilities)
        else:
            logs = 0.0
            for p in probabilities:
                logs += math.log(p)
            expected = math.exp(logs / len(probabilities))
        assert tier.probability(words) == expected
        assert tier.model_probabilities(words) == probabilities
        for threshold in (0.3, 0.59, 0.9):
            score, vectors = tier._score(words, tokenize(words), stop_below=threshold)
            assert score == (0.0 if _scored(vectors) < len(tier._models) else expected)
            assert (score >= threshold) == (expected >= threshold)


def test_the_early_stop_skips_the_second_model_on_ordinary_text(abuse: Any) -> None:
    from tractatus.governance.detectors.text_model import model_input, tokenize

    words = model_input(normalize("Thanks for the update, I will review the draft tomorrow. " * 10))
    _, vectors = abuse._learned._score(words, tokenize(words), stop_below=abuse._learned.settings.warn_probability)
    assert _scored(vectors) == 1


def _case_texts() -> list[str]:
    import json

    data = Path(__file__).resolve().parents[1] / "data"
    return [json.loads(line)["text"] for path in sorted(data.glob("*_cases.jsonl"))
            for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.mark.parametrize(("name", "kind"), [("clickbait", "publish"), ("abuse", "message")])
def test_the_screen_flags_exactly_what_the_exact_score_flags(name: str, kind: str) -> None:
    """On the red-team and benign cases (near-threshold texts among them): the screening score is
    within 1e-9 of the exact one, and the tier finds something exactly when the exact score
    reaches warn, with the exact score in its message."""
    from tractatus.governance.detectors.learned_tier import SCREEN_MARGIN

    tier = build(name)._learned
    warn = tier.settings.warn_probability
    flagged = 0
    for text in _case_texts():
        ctx = CheckContext(action=Action(text=text, kind=kind), text=normalize(text), state=GovernanceState())
        read = tier._read(ctx)
        cased = tier._cased(ctx, read)
        exact, _ = tier._score(read, None, cased=cased)
        screened, _ = tier._score(read, None, screen=True, cased=cased)
        assert abs(screened - exact) <= 1e-9 < SCREEN_MARGIN
        found = tier.findings(ctx, "learned", "x")
        assert bool(found) == (exact >= warn)
        if found:
            flagged += 1
            assert f"model probability {exact:.2f}" in found[0].message
    assert flagged > 0  # the cases reach the threshold: the comparison can fail

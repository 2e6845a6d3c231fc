"""MetacognitiveVerifier: does the reasoning an agent gives actually support the action it proposes?

Five scores in [0, 1], each from plain, inspectable features of the action and its reasoning:

- alignment     the reasoning talks about what the action does (shared content words with the
                tool name, argument names and values and the action text);
- coherence     it argues (because, so that, therefore...) rather than hedges (maybe, I guess);
- completeness  it is long enough to explain itself and mentions checking the result;
- safety        non-destructive actions score 1; destructive ones (delete, drop, rm -rf, force
                push...) start low and earn safety only from named safeguards (backup,
                snapshot, dry run, rollback, confirmed by a person);
- alternatives  other options were considered (the `alternatives` given, or the reasoning
                says it weighed them).

Confidence is their weighted sum; the policy's thresholds map it to proceed,
proceed_with_caution, request_confirmation, require_review or block. A destructive action with
thin reasoning goes at least to review, whatever its other scores.

As a check it acts only when the action carries `context["reasoning"]`: no reasoning, nothing
to verify (ordinary actions pass untouched).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import IntEnum
from typing import Any, ClassVar, Literal, Mapping, Sequence, cast, get_args

from pydantic import Field, model_validator

from tractatus.governance.actions import Action, Finding, Severity, Verdict
from tractatus.governance.checks import CheckContext, CheckSettings
from tractatus.governance.errors import InputError
from tractatus.governance.lazy_pattern import lazy_compile
from tractatus.governance.services.patterns import content_words, phrases
from tractatus.governance.services.settings_rules import StrictModel, require_keys, require_weights

ScoreName = Literal["alignment", "coherence", "completeness", "safety", "alternatives"]
DecisionName = Literal["proceed", "proceed_with_caution", "request_confirmation", "require_review", "block"]


class VerifierDecision(IntEnum):
    PROCEED = 0
    PROCEED_WITH_CAUTION = 1
    REQUEST_CONFIRMATION = 2
    REQUIRE_REVIEW = 3
    BLOCK = 4

    @property
    def label(self) -> DecisionName:
        return cast(DecisionName, self.name.lower())


class DecisionThresholds(StrictModel):
    """Minimum confidence for each decision; below `require_review` the action is blocked."""

    proceed: float = Field(gt=0, le=1)
    proceed_with_caution: float = Field(gt=0, le=1)
    request_confirmation: float = Field(gt=0, le=1)
    require_review: float = Field(gt=0, le=1)

    @model_validator(mode="after")
    def _decreasing(self) -> DecisionThresholds:
        if not self.proceed > self.proceed_with_caution > self.request_confirmation > self.require_review:
            raise ValueError("thresholds must decrease: proceed > proceed_with_caution > request_confirmation > require_review")
        return self


class MetacognitiveSettings(CheckSettings):
    weights: dict[ScoreName, float]
    thresholds: DecisionThresholds
    alignment_terms: int = Field(ge=1, description="shared content words for full alignment")
    complete_reasoning_words: int = Field(ge=1, description="reasoning words for full completeness")
    destructive_min_reasoning_words: int = Field(ge=0, description="below this, a destructive action goes to review")
    destructive_base_safety: float = Field(ge=0, le=1, description="safety of a destructive action with no safeguard")
    safeguard_credit: float = Field(ge=0, le=1, description="safety each named safeguard adds")
    expected_alternatives: int = Field(ge=1, description="alternatives considered for a full score")
    decision_verdicts: dict[DecisionName, Literal["allow", "warn", "escalate", "block"]]

    @model_validator(mode="after")
    def _complete(self) -> MetacognitiveSettings:
        require_weights(self.weights, get_args(ScoreName))
        require_keys(self.decision_verdicts, get_args(DecisionName), "decision_verdicts")
        return self


_DESTRUCTIVE = lazy_compile(
    r"\b(?:delete|deletes|deleting|drop|truncate|destroy|wipe|purge|erase|shred|overwrite|format|revoke|terminate|"
    r"shutdown|shut\s+down|decommission|uninstall|rm\s+-[a-z]*[rf][a-z]*|rmdir|kill\s+-9|mkfs|dd\s+if=|"
    r"force[\s-]push|push\s+(?:--force|-f)\b|reset\s+--hard|remove\s+all|delete_\w+|drop_\w+)\b"
    r"|\b(?:rm|del)\b(?=\s)",
    re.IGNORECASE,
)
_SAFEGUARDS = phrases(
    "backup", "backups", "backed up", "snapshot", "snapshots", "dry run", "dry-run", "rollback", "roll back",
    "reversible", "can be restored", "restore", "confirmed by", "approved by", "sign-off", "signed off",
    "tested on staging", "staging first", "soft delete", "archived", "archive first", "point-in-time recovery",
)
_CONNECTIVES = phrases(
    "because", "since", "so that", "therefore", "thus", "hence", "in order to", "which means", "as a result",
    "consequently", "given that", "so we", "so i", "this ensures", "to avoid", "to prevent", "the goal is",
)
_HEDGES = phrases(
    "maybe", "i guess", "not sure", "probably", "hopefully", "i think", "might work", "no idea", "whatever",
    "just in case", "should be fine", "idk", "somehow",
)
_VERIFICATION_STEPS = phrases(
    "check", "checked", "verify", "verified", "validate", "validated", "test", "tested", "confirm", "confirmed",
    "review", "reviewed", "monitor", "measure", "compare", "inspect", "first", "then", "after that",
)
_ALTERNATIVE_WORDS = phrases(
    "alternatively", "instead", "another option", "other option", "other options", "considered", "option a",
    "option b", "rather than", "compared with", "compared to", "trade-off", "tradeoff", "versus",
)
_WORD = lazy_compile(r"\w+")


@dataclass(frozen=True, slots=True)
class VerificationResult:
    confidence: float
    scores: Mapping[ScoreName, float]
    decision: VerifierDecision
    destructive: bool
    concerns: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "confidence": round(self.confidence, 4),
            "scores": {k: round(v, 4) for k, v in self.scores.items()},
            "decision": self.decision.label,
            "destructive": self.destructive,
            "concerns": list(self.concerns),
        }


def _action_terms(action: Action) -> frozenset[str]:
    parts: list[str] = [action.text]
    if action.tool:
        parts.append(action.tool.replace(".", " ").replace("_", " "))
    for key, value in action.arguments.items():
        parts.append(str(key).replace("_", " "))
        if isinstance(value, (str, int, float)):
            parts.append(str(value))
    return content_words(" ".join(parts))


def _action_surface(action: Action) -> str:
    values = " ".join(str(v) for v in action.arguments.values() if isinstance(v, (str, int, float)))
    return f"{action.tool or ''} {' '.join(action.arguments)} {values} {action.text}"


class MetacognitiveVerifier:
    name: ClassVar[str] = "metacognitive_verifier"
    kind: ClassVar[str] = "service"
    # Reads the tool name and non-string arguments, which the governor's content cache key does
    # not cover: never cached (it returns at once when no reasoning is supplied).
    stateful: ClassVar[bool] = True
    Settings: ClassVar[type[CheckSettings]] = MetacognitiveSettings

    def __init__(self, settings: MetacognitiveSettings) -> None:
        self.settings = settings

    # -- domain API ------------------------------------------------------------------------
    def verify(self, action: Action, reasoning: str, *, alternatives: Sequence[str] = ()) -> VerificationResult:
        s = self.settings
        if not isinstance(reasoning, str):
            raise InputError("reasoning must be text")
        if isinstance(alternatives, str) or not all(isinstance(a, str) for a in alternatives):
            raise InputError("alternatives must be a list of strings")
        words = len(_WORD.findall(reasoning))
        concerns: list[str] = []

        action_terms = _action_terms(action)
        shared = action_terms & content_words(reasoning)
        alignment = min(1.0, len(shared) / min(s.alignment_terms, len(action_terms))) if action_terms else 0.5
        if alignment < 0.5:
            concerns.append("the reasoning does not discuss what the action does")

        coherence = 0.0
        if words:
            coherence = 0.5 + (0.5 if _CONNECTIVES.search(reasoning) else 0.0) - 0.25 * len(_HEDGES.findall(reasoning))
            coherence = min(1.0, max(0.0, coherence))
        if coherence < 0.5:
            concerns.append("the reasoning hedges or gives no reasons")

        completeness = 0.7 * min(1.0, words / s.complete_reasoning_words) + (0.3 if _VERIFICATION_STEPS.search(reasoning) else 0.0)
        if words < s.complete_reasoning_words:
            concerns.append(f"thin reasoning ({words} words)")

        destructive = _DESTRUCTIVE.search(_action_surface(action)) is not None
        safety = 1.0
        if destructive:
            safeguards = {m.group(0).lower() for m in _SAFEGUARDS.finditer(reasoning)}
            safety = min(1.0, s.destructive_base_safety + s.safeguard_credit * len(safeguards))
            if not safeguards:
                concerns.append("destructive action with no safeguard named (backup, dry run, rollback...)")

        considered = len([a for a in alternatives if a.strip()]) + (1 if _ALTERNATIVE_WORDS.search(reasoning) else 0)
        alternatives_score = min(1.0, considered / s.expected_alternatives)

        scores: dict[ScoreName, float] = {
            "alignment": alignment,
            "coherence": coherence,
            "completeness": completeness,
            "safety": safety,
            "alternatives": alternatives_score,
        }
        confidence = sum(s.weights[name] * value for name, value in scores.items())
        decision = self._decision(confidence)
        if destructive and words < s.destructive_min_reasoning_words:
            decision = max(decision, VerifierDecision.REQUIRE_REVIEW)
            concerns.append("destructive action with thin reasoning: at least a review by a person")
        return VerificationResult(confidence, scores, decision, destructive, tuple(concerns))

    def _decision(self, confidence: float) -> VerifierDecision:
        t = self.settings.thresholds
        if confidence >= t.proceed:
            return VerifierDecision.PROCEED
        if confidence >= t.proceed_with_caution:
            return VerifierDecision.PROCEED_WITH_CAUTION
        if confidence >= t.request_confirmation:
            return VerifierDecision.REQUEST_CONFIRMATION
        if confidence >= t.require_review:
            return VerifierDecision.REQUIRE_REVIEW
        return VerifierDecision.BLOCK

    # -- Check interface -------------------------------------------------------------------
    def evaluate(self, ctx: CheckContext) -> Sequence[Finding]:
        reasoning = ctx.action.context.get("reasoning")
        if reasoning is None or (isinstance(reasoning, str) and not reasoning.strip()):
            return ()
        alternatives = ctx.action.context.get("alternatives", ())
        if alternatives is None:
            alternatives = ()
        if not isinstance(alternatives, (list, tuple)):
            raise InputError("context 'alternatives' must be a list of strings")
        result = self.verify(ctx.action, reasoning, alternatives=tuple(alternatives))
        verdict = Verdict.parse(self.settings.decision_verdicts[result.decision.label])
        if verdict == Verdict.ALLOW:
            return ()
        concerns = "; ".join(result.concerns) or "low confidence"
        return (
            Finding(
                source=self.name,
                source_kind=self.kind,
                category=result.decision.label,
                severity=Severity.HIGH if result.decision >= VerifierDecision.REQUIRE_REVIEW else Severity.MEDIUM,
                rule_id=f"metacognitive.{result.decision.label}",
                message=f"confidence {result.confidence:.2f} -> {result.decision.label}: {concerns}",
                verdict=verdict,
            ),
        )

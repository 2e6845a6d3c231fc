"""The learned tier a detector runs beside its rules: one or more shipped text models, one score.

The rules stay for explanation and for the evasions they name; the model catches the class of
text the rules were never written for. Both read the same normalized text (`model_input`), so the
normalizer's evasion handling applies to the model too. Thresholds and the action kinds the tier
scores live in the policy (`LearnedTierSettings`); the model files ship with the package, and
their digests travel with every decision (`Governor.model_digest`).
"""

from __future__ import annotations

import math
from typing import Literal

from pydantic import Field, model_validator

from tractatus.governance.actions import Finding, Severity, Span
from tractatus.governance.checks import CheckContext, CheckSettings
from tractatus.governance.detectors.text_model import Features, TextModel, load_model, model_input, tokenize

SeverityName = Literal["info", "low", "medium", "high", "critical"]


class LearnedTierSettings(CheckSettings):
    """Every field is required: a policy states each threshold where it is defined."""

    models: list[str] = Field(
        min_length=1,
        description="Shipped models (detectors/models/<name>.json). With several, the score is the "
        "geometric mean of their probabilities: every model must agree for a high score.",
    )
    kinds: list[str] = Field(min_length=1, description="Action kinds the tier scores (the model's own domain).")
    warn_probability: float = Field(gt=0, le=1, description="At or above: a low-severity finding (warn).")
    block_probability: float | None = Field(
        gt=0, le=1, description="At or above: a finding of `block_severity`; null: the tier only ever warns."
    )
    block_severity: SeverityName = Field(description="Severity of a finding at or above block_probability.")
    evidence_terms: int = Field(ge=1, le=10, description="How many of the weightiest n-grams a finding names.")
    first_line_chars: int | None = Field(
        ge=1, description="Score only the first line, cut to this many characters (a headline model reads the "
        "headline); null: the whole text."
    )

    @model_validator(mode="after")
    def _ordered(self) -> LearnedTierSettings:
        if self.block_probability is not None and self.warn_probability > self.block_probability:
            raise ValueError("warn_probability must not be above block_probability")
        return self


class LearnedTier:
    """Scores one text with the configured models; built once per loaded policy."""

    def __init__(self, settings: LearnedTierSettings, source: str) -> None:
        self.settings = settings
        self.source = source
        self._models: list[tuple[TextModel, str]] = []
        for name in settings.models:
            model = load_model(name)
            self._models.append((model, str(model.meta.get("positive", model.classes[-1]))))
        self._kinds = frozenset(settings.kinds)
        self._block_severity = Severity.parse(settings.block_severity)

    @property
    def model_digests(self) -> dict[str, str]:
        return {model.name: model.digest for model, _ in self._models}

    def applies(self, ctx: CheckContext) -> bool:
        return bool(self._models) and ctx.action.kind in self._kinds

    def probability(self, text: str, tokens: list[str] | None = None) -> float:
        """The geometric mean of the models' probabilities for their positive class."""
        return self._score(text, tokens)[0]

    def _score(self, text: str, tokens: list[str] | None) -> tuple[float, list[Features]]:
        if tokens is None:
            tokens = tokenize(text)
        vectors = [model.features(text, tokens) for model, _ in self._models]
        logs = 0.0
        for (model, positive), vector in zip(self._models, vectors, strict=True):
            p = model.probabilities(text, features=vector)[positive]
            if p <= 0.0:
                return 0.0, vectors
            logs += math.log(p)
        return math.exp(logs / len(self._models)), vectors

    def findings(self, ctx: CheckContext, category: str, what: str, text: str | None = None) -> list[Finding]:
        """One finding when the score reaches `warn_probability`, with the n-grams that weighed most.

        `text` replaces `model_input(ctx.text)` (a detector that blanks spans before scoring); it
        must keep that text's length, so the evidence offsets still map back to the original."""
        if not self.applies(ctx):
            return []
        settings = self.settings
        text = model_input(ctx.text) if text is None else text
        if settings.first_line_chars is not None:
            text = text.split("\n", 1)[0][: settings.first_line_chars]  # a prefix: offsets still hold
        score, vectors = self._score(text, tokenize(text))
        if score < settings.warn_probability:
            return []
        blocks = settings.block_probability is not None and score >= settings.block_probability
        severity = self._block_severity if blocks else Severity.LOW
        model, positive = self._models[0]
        terms = model.explain(text, positive, top=settings.evidence_terms, features=vectors[0])
        evidence = ", ".join(f'"{c.term.strip()}"' for c in terms) or None
        return [
            Finding(
                source=self.source,
                source_kind="detector",
                category=category,
                severity=severity,
                rule_id=f"{self.source}.{category}",
                message=f"{what} (model probability {score:.2f}; warn at {settings.warn_probability:g}"
                + (f", block at {settings.block_probability:g})" if settings.block_probability is not None else ")"),
                span=_span_of(ctx, text, [c.term for c in terms]),
                evidence=evidence,
            )
        ]


def _span_of(ctx: CheckContext, text: str, terms: list[str]) -> Span:
    """Where the weightiest n-gram occurs (mapped back to the original text), else the whole text."""
    for term in terms:
        stripped = term.strip()
        at = text.find(stripped) if stripped else -1
        if at >= 0:
            return ctx.text.words_to_original_span(at, at + len(stripped))
    return Span(0, len(ctx.text.original))

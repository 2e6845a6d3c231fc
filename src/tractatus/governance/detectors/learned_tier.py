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

from tractatus.governance.actions import Finding, KindName, Severity, Span
from tractatus.governance.checks import CheckContext, CheckSettings
from tractatus.governance.detectors.headline_input import STYLED_HEADLINE, check_form, input_form, readable
from tractatus.governance.detectors.headline_style import case_source
from tractatus.governance.detectors.text_model import (
    NO_FEATURES,
    Features,
    TextModel,
    load_model,
    model_input,
    tokenize,
    word_runs,
)

SeverityName = Literal["info", "low", "medium", "high", "critical"]
Combine = Literal["geometric_mean", "mean"]

# How far below `warn_probability` a screening score (`TextModel.fast_features`) must be for the
# tier to skip the exact score. The fast scores differ from the exact ones only in the order their
# sums add up (about 1e-16 on a probability; tests/governance/test_fast_paths.py checks 1e-9 on
# generated text), so a text screened out is one the exact score leaves below the threshold too,
# and every finding is still computed by the exact path: no decision, message or evidence changes.
SCREEN_MARGIN = 1e-6


def combine_probabilities(rule: Combine, probabilities: list[float]) -> float:
    """One score from the models' probabilities (configured order), as the tier computes it.

    geometric_mean: every model must agree for a high score; mean: one confident model can carry a
    hesitant one half-way. Which is better is measured, not assumed (learning/abuse_combine_dev.py)."""
    if rule == "mean":
        return math.fsum(probabilities) / len(probabilities)
    if min(probabilities) <= 0.0:
        return 0.0
    total = 0.0
    for p in probabilities:  # the configured order, as the score has always been summed
        total += math.log(p)
    return math.exp(total / len(probabilities))


class LearnedTierSettings(CheckSettings):
    """Every field is required: a policy states each threshold where it is defined."""

    models: list[str] = Field(
        min_length=1,
        description="Shipped models (detectors/models/<name>.json). With several, the score is the "
        "combination of their probabilities named by `combine`.",
    )
    combine: Combine = Field(
        default="geometric_mean",
        description="How several models' probabilities become one score: geometric_mean (every model must "
        "agree) or mean. A single model's score is its probability either way.",
    )
    kinds: list[KindName] = Field(min_length=1, description="Action kinds the tier scores (the model's own domain).")
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
        self._forms: list[str | None] = []  # the input form each model's file names (`headline_input`)
        for name in settings.models:
            model = load_model(name)
            self._models.append((model, str(model.meta.get("positive", model.classes[-1]))))
            self._forms.append(check_form(model.meta.get("input")))
        # Cheapest first: fewer n-gram families (unigrams only < + bigrams < + characters), then
        # the smaller vocabulary; ties keep the policy's order.
        self._reads_case = STYLED_HEADLINE in self._forms  # a model reads the headline's capitals
        self._order = sorted(range(len(self._models)), key=lambda i: self._models[i][0].cost_rank)
        self._kinds = frozenset(settings.kinds)
        self._block_severity = Severity.parse(settings.block_severity)

    @property
    def model_digests(self) -> dict[str, str]:
        return {model.name: model.digest for model, _ in self._models}

    def applies(self, ctx: CheckContext) -> bool:
        return bool(self._models) and ctx.action.kind in self._kinds

    def probability(self, text: str, tokens: list[str] | None = None) -> float:
        """The models' probabilities for their positive class, combined by `settings.combine`
        (for models that read the text, not its case: `score` reads the case from the action)."""
        return self._score(text, tokens)[0]

    def model_probabilities(self, text: str) -> list[float]:
        """Each model's probability for its positive class, in the configured order (for dev studies)."""
        tokens = tokenize(text)
        out = []
        for (model, positive), form in zip(self._models, self._forms, strict=True):
            formed = text if form is None else input_form(text, form)
            out.append(model.probabilities(formed, tokenize(formed) if form is not None else tokens)[positive])
        return out

    def _score(self, text: str, tokens: list[str] | None, stop_below: float | None = None, *,
               screen: bool = False, inputs: _Inputs | None = None, cased: str | None = None) -> tuple[float, list[Features]]:
        """The score and each model's features (in the configured order); with `screen`, both from
        `TextModel.fast_features` (equal to the exact ones up to the last bits; see SCREEN_MARGIN).
        `inputs` keeps the text's model inputs and their tokens (filled here) for another call;
        `cased` is `text` with its case, for a model that reads it (`_cased`).

        With `stop_below`, scoring stops as soon as the models scored so far keep the combined
        score under that value, and the score returned is 0.0: every probability is at most 1, so
        the best the remaining models can do is 1 each (`_best_possible`). Models are scored
        cheapest first (`_order`), which on ordinary text is also the one that settles it
        (alt-profanity-check's unigram model puts business prose far below what the threshold
        leaves room for: warn squared under the geometric mean, 2 x warn - 1 under the mean of
        two); the score is combined in the configured order at the end, so the order of scoring
        never changes a bit of it.
        """
        # One text, tokenized once per input form the models read (usually one form), when a model reads it.
        inputs = {} if inputs is None else inputs
        if tokens is not None:
            inputs[(None, False)] = (text, tokens)
        count = len(self._models)
        vectors: list[Features] = [NO_FEATURES] * count
        probabilities = [1.0] * count
        featurized: dict[tuple[str, str | None], Features] = {}
        for done, index in enumerate(self._order, 1):
            model, positive = self._models[index]
            form = self._forms[index]
            # Models that share a featurizer (`TextModel.featurizer_digest`) and read the same
            # input form have equal features: vectorized once (the two headline models).
            shared = (model.featurizer_digest, form)
            known = featurized.get(shared)
            if known is None:
                read = _input_of(text, form, model.reads_word_runs, inputs, cased)
                known = featurized[shared] = model.fast_features(*read) if screen else model.features(*read)
            vectors[index] = known
            probabilities[index] = p = model.probabilities(text, features=vectors[index])[positive]
            if p <= 0.0 and self.settings.combine == "geometric_mean":
                return 0.0, vectors
            # A small margin keeps the shortcut clear of rounding: only a clear miss stops early.
            if stop_below is not None and done < count and self._best_possible(probabilities) < stop_below * (1 - 1e-9):
                return 0.0, vectors
        return combine_probabilities(self.settings.combine, probabilities), vectors

    def _best_possible(self, probabilities: list[float]) -> float:
        """The highest score the models not yet scored (still 1.0 in `probabilities`) could give."""
        return combine_probabilities(self.settings.combine, probabilities)

    def _read(self, ctx: CheckContext, text: str | None = None) -> str:
        """What the models read of an action: its model input (or `text` in its place), or the first line of it."""
        text = model_input(ctx.text) if text is None else text
        if self.settings.first_line_chars is not None:
            text = text.split("\n", 1)[0][: self.settings.first_line_chars]  # a prefix: offsets still hold
        return text

    def _cased(self, ctx: CheckContext, text: str) -> str | None:
        """`text` (read by `_read`: the model input or a prefix of it) with its case, when a model
        reads case: `case_source` has the model input's length, so a prefix lines up."""
        return case_source(ctx.text)[: len(text)] if self._reads_case else None

    def score(self, ctx: CheckContext) -> float | None:
        """The tier's probability for this action as `findings` computes it; None when the tier does
        not score the action's kind. For reports (dev operating points, precision-recall curves)."""
        if not self.applies(ctx):
            return None
        text = self._read(ctx)
        return self._score(text, None, cased=self._cased(ctx, text))[0]

    def findings(self, ctx: CheckContext, category: str, what: str, text: str | None = None) -> list[Finding]:
        """One finding when the score reaches `warn_probability`, with the n-grams that weighed most.

        `text` replaces `model_input(ctx.text)` (a detector that blanks spans before scoring); it
        must keep that text's length, so the evidence offsets still map back to the original."""
        if not self.applies(ctx):
            return []
        settings = self.settings
        text = self._read(ctx, text)
        # Screened first: most texts end here, far below the threshold. What is left is scored
        # exactly, as it always was, so a finding is bit for bit what it was without the screen.
        inputs: _Inputs = {}
        cased = self._cased(ctx, text)
        screened, _ = self._score(text, None, stop_below=settings.warn_probability, screen=True, inputs=inputs, cased=cased)
        if screened < settings.warn_probability - SCREEN_MARGIN:
            return []
        score, vectors = self._score(text, None, stop_below=settings.warn_probability, inputs=inputs, cased=cased)
        if score < settings.warn_probability:
            return []
        blocks = settings.block_probability is not None and score >= settings.block_probability
        severity = self._block_severity if blocks else Severity.LOW
        model, positive = self._models[0]
        terms = model.explain(text, positive, top=settings.evidence_terms, features=vectors[0])
        evidence = ", ".join(f'"{readable(c.term.strip())}"' for c in terms) or None
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


# A text's model inputs, by (input form, whether word runs will do), with the tokens the models read.
_Inputs = dict[tuple[str | None, bool], tuple[str, list[str]]]


def _input_of(text: str, form: str | None, runs: bool, inputs: _Inputs, cased: str | None = None) -> tuple[str, list[str]]:
    """The input form of `text` a model reads and its tokens, computed once per text: `tokenize`'s
    tokens, or for a model that can read word runs (`TextModel.reads_word_runs`), those or the
    word runs, whichever is at hand (the same counts either way)."""
    known = inputs.get((form, runs)) or (inputs.get((form, False)) if runs else None)
    if known is None:
        formed = input_form(text, form, cased)
        known = inputs[(form, runs)] = (formed, word_runs(formed) if runs else tokenize(formed))
    return known


def _span_of(ctx: CheckContext, text: str, terms: list[str]) -> Span:
    """Where the weightiest n-gram occurs (mapped back to the original text), else the whole text."""
    for term in terms:
        stripped = term.strip()
        at = text.find(stripped) if stripped else -1
        if at >= 0:
            return ctx.text.words_to_original_span(at, at + len(stripped))
    return Span(0, len(ctx.text.original))

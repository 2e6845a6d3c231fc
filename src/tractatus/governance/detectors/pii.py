"""PII detector: e-mail, phone, payment cards, IBAN, US SSN, IP addresses, street addresses, names.

Two tiers:
- the pattern tier (`pii_recognizers`) always runs, needs no model and costs microseconds; it
  finds person names only where a person names themselves or signs (`pii_names`);
- the NER tier adds person names anywhere, from Microsoft Presidio's `AnalyzerEngine` on a spaCy
  English pipeline (optional extra "ner"). It is loaded lazily, on the first text, because
  building the engine takes seconds. No model is ever downloaded: `ner_model` names an installed
  spaCy package or a pipeline directory. Without one, `ner_required: false` runs the pattern
  tier alone (`ner_available` says so), and `ner_required: true` refuses to build the detector
  with one clear line, so a policy that depends on NER cannot silently run without it. A load
  that fails later raises inside `evaluate`, which the governor turns into a fail-closed finding.

Evidence is always masked ("j***@e***.com"); the raw value never leaves the request.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import MappingProxyType
from typing import Any, ClassVar, Literal, Mapping, Sequence

from pydantic import Field

from tractatus.governance.actions import Finding, Severity
from tractatus.governance.checks import CheckContext, CheckSettings
from tractatus.governance.detectors.evidence import mask_alnum, mask_digits, mask_email, mask_ip, mask_words
from tractatus.governance.detectors.pii_recognizers import (
    PiiCategory,
    PiiMatch,
    RecognizerSettings,
    recognize_cached,
)
from tractatus.governance.errors import PolicyError

SeverityName = Literal["info", "low", "medium", "high", "critical"]
_SPACY_MODELS = ("en_core_web_lg", "en_core_web_md", "en_core_web_sm", "en_core_web_trf")

_MESSAGES: Mapping[str, str] = MappingProxyType({
    "email": "e-mail address",
    "phone": "phone number",
    "payment_card": "payment card number (Luhn-valid)",
    "iban": "IBAN (checksum-valid)",
    "ssn": "US social security number",
    "ip_address": "IP address",
    "street_address": "street address",
    "person": "person name",
})


class PiiSettings(CheckSettings):
    categories: tuple[PiiCategory, ...] = Field(min_length=1, description="Which kinds of personal data to report.")
    severities: dict[PiiCategory, SeverityName] = Field(description="Severity of a finding, per category.")
    role_mailboxes: tuple[str, ...] = Field(description="Local parts of shared mailboxes (support@...), not a person's.")
    role_mailbox_severity: SeverityName
    private_ip_severity: SeverityName = Field(description="Severity for private/link-local addresses.")
    consented_categories: tuple[PiiCategory, ...] = Field(
        description="Categories a person may have agreed to share: with `context.consent` true they get consented_severity.",
    )
    consented_severity: SeverityName = Field(description="Severity of a consented category's finding.")
    recognizers: RecognizerSettings
    ner_enabled: bool = Field(description="Use Presidio for person names when it and a spaCy model are installed.")
    ner_min_score: float = Field(ge=0, le=1, description="Lowest Presidio score reported as a name.")
    ner_required: bool = Field(
        description="Refuse to run without the NER tier (fail closed) instead of falling back to patterns."
    )
    ner_model: str | None = Field(
        description="Installed spaCy package or pipeline directory for the NER tier; unset: the first en_core_web_* installed.",
    )


def pii_evidence(match: PiiMatch) -> str:
    """A masked form of a match, safe to show and store."""
    if match.category == "email":
        return mask_email(match.value)
    if match.category in ("phone", "payment_card"):
        return mask_digits(match.value, keep_last=2 if match.category == "phone" else 4)
    if match.category == "ssn":
        return mask_digits(match.value, keep_last=0)
    if match.category == "iban":
        return mask_alnum(match.value, keep_first=2, keep_last=2)
    if match.category == "ip_address":
        return mask_ip(match.value)
    return mask_words(match.value)


def spacy_model(preferred: str | None = None) -> str | None:
    """The spaCy pipeline the NER tier would load: `preferred` when it is an installed package or
    an existing directory, else the first installed en_core_web_* package; None when there is none
    or Presidio is not installed. Nothing is fetched."""
    if importlib.util.find_spec("presidio_analyzer") is None or importlib.util.find_spec("spacy") is None:
        return None
    if preferred is not None:
        installed = Path(preferred).is_dir() or (preferred.isidentifier() and importlib.util.find_spec(preferred) is not None)
        return preferred if installed else None
    return next((m for m in _SPACY_MODELS if importlib.util.find_spec(m) is not None), None)


def presidio_available(preferred: str | None = None) -> bool:
    """True when Presidio's analyzer and a spaCy English pipeline are importable (nothing is fetched)."""
    return spacy_model(preferred) is not None


class _PresidioNames:
    """Person names from Presidio's AnalyzerEngine on one spaCy pipeline (a package or a directory:
    Presidio loads either without downloading)."""

    def __init__(self, model: str, min_score: float) -> None:
        from presidio_analyzer import AnalyzerEngine
        from presidio_analyzer.nlp_engine import NlpEngineProvider

        provider = NlpEngineProvider(
            nlp_configuration={"nlp_engine_name": "spacy", "models": [{"lang_code": "en", "model_name": model}]}
        )
        self._engine: Any = AnalyzerEngine(nlp_engine=provider.create_engine(), supported_languages=["en"])
        self._min_score = min_score

    def find(self, text: str) -> list[PiiMatch]:
        results = self._engine.analyze(text=text, entities=["PERSON"], language="en")
        return [
            PiiMatch("person", r.start, r.end, text[r.start : r.end])
            for r in results
            if r.score >= self._min_score
        ]


class PiiDetector:
    name: ClassVar[str] = "pii"
    kind: ClassVar[str] = "detector"
    stateful: ClassVar[bool] = False
    Settings: ClassVar[type[CheckSettings]] = PiiSettings

    def __init__(self, settings: PiiSettings) -> None:
        self.settings = settings
        self._categories = frozenset(settings.categories)
        self._roles = frozenset(r.lower() for r in settings.role_mailboxes)
        self._severities = {category: Severity.parse(name) for category, name in settings.severities.items()}
        self._role_severity = Severity.parse(settings.role_mailbox_severity)
        self._private_ip_severity = Severity.parse(settings.private_ip_severity)
        self._consented = frozenset(settings.consented_categories)
        self._consented_severity = Severity.parse(settings.consented_severity)
        want_names = settings.ner_enabled and "person" in self._categories
        self._ner_model = spacy_model(settings.ner_model) if want_names else None
        if want_names and settings.ner_required and self._ner_model is None:
            wanted = settings.ner_model or "an en_core_web_* package"
            raise PolicyError(
                f"pii: ner_required is true but the NER tier cannot load ({wanted} with presidio-analyzer); "
                "install the 'ner' extra and a spaCy English pipeline, or set ner_required: false"
            )
        self._names: _PresidioNames | None = None  # built on first use: loading takes seconds

    @property
    def ner_available(self) -> bool:
        return self._ner_model is not None

    def _ner(self) -> _PresidioNames | None:
        if self._ner_model is not None and self._names is None:
            self._names = _PresidioNames(self._ner_model, self.settings.ner_min_score)
        return self._names

    def matches(self, ctx: CheckContext) -> list[PiiMatch]:
        """Validated matches in `ctx.text.text` (normalized offsets)."""
        found = [
            m for m in recognize_cached(ctx.text, self.settings.recognizers, self._roles) if m.category in self._categories
        ]
        names = self._ner()
        if names is not None:
            taken = [(m.start, m.end) for m in found]
            found.extend(m for m in names.find(ctx.text.text) if all(m.end <= s or m.start >= e for s, e in taken))
        return found

    def _severity(self, match: PiiMatch, consent: bool) -> Severity:
        # Consent is the caller's record (context.consent), the same one the compliance
        # detector's consent_required rule reads: a person's own contact details, given to be
        # shared, are not a leak. Cards, IBANs and SSNs are not in the policy's list.
        if consent and match.category in self._consented:
            return self._consented_severity
        if match.detail == "role":
            return self._role_severity
        if match.category == "ip_address" and match.detail == "private":
            return self._private_ip_severity
        return self._severities.get(match.category, Severity.MEDIUM)

    def evaluate(self, ctx: CheckContext) -> Sequence[Finding]:
        out = []
        consent = ctx.action.context.get("consent") is True
        for match in self.matches(ctx):
            what = _MESSAGES[match.category]
            if match.detail == "role":
                what = "business phone number" if match.category == "phone" else "shared-mailbox e-mail address"
            out.append(
                Finding(
                    source=self.name,
                    source_kind=self.kind,
                    category=match.category,
                    severity=self._severity(match, consent),
                    rule_id=f"pii.{match.category}",
                    message=f"contains a {what}",
                    span=ctx.text.to_original_span(match.start, match.end),
                    evidence=pii_evidence(match),
                )
            )
        return out

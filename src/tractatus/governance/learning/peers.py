"""Packaged peers the harness runs on the same rows as the governor: what a user could install instead.

- abuse: `alt-profanity-check` (a linear model shipped as a package; flags at its own 0.5) and
  `better-profanity` (a word list with leetspeak variants);
- PII: Presidio's pattern recognizers (email, phone, card, SSN, IP, IBAN) without its NLP engine,
  since a spaCy model cannot be fetched here; so Presidio finds no names and no addresses in this
  run, and the report says so;
- clickbait: the trivial baseline "starts with a digit or contains 'you'".

A peer sees the raw text (no Tractatus normalization), as it would if used on its own. Peers whose
library is not installed are skipped, and the report names them as not run.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class PeerOutput:
    flagged: bool
    score: float | None  # for precision-recall curves; None when the peer has no score
    categories: frozenset[str] = frozenset()  # PII peers: the detector's category names they found


class Peer(Protocol):
    name: str
    # A peer too slow to run on every row runs on a seeded sample of at most this many held-out
    # rows, and this many positives per evasion operator; None: every row. The report gives n.
    max_rows: int | None
    max_evasion_rows: int | None

    def run(self, texts: Sequence[str]) -> list[PeerOutput]: ...


class TrivialClickbaitBaseline:
    """The baseline the issue measures: a headline that starts with a digit or contains "you"."""

    name = "trivial baseline (digit or 'you')"
    max_rows = None
    max_evasion_rows = None

    def run(self, texts: Sequence[str]) -> list[PeerOutput]:
        out = []
        for text in texts:
            stripped = text.lstrip()
            flagged = (bool(stripped) and stripped[0].isdigit()) or "you" in text.casefold()
            out.append(PeerOutput(flagged, float(flagged)))
        return out


class ProfanityCheckPeer:
    """alt-profanity-check: probability of offensive language; flags at 0.5 like its `predict`."""

    name = "alt-profanity-check"
    max_rows = None
    max_evasion_rows = None

    def __init__(self) -> None:
        from profanity_check import predict_prob

        self._predict_prob = predict_prob

    def run(self, texts: Sequence[str]) -> list[PeerOutput]:
        if not texts:
            return []
        probs = self._predict_prob(list(texts))
        return [PeerOutput(bool(p >= 0.5), float(p)) for p in probs]


class BetterProfanityPeer:
    """better-profanity: its default word list, with its own leetspeak handling."""

    name = "better-profanity"
    # It compares every word with each of its ~800 words' leetspeak variants in turn (a list
    # scan): about 0.05-0.2 s a tweet here, so it runs on a sample (see Peer).
    max_rows = 400
    max_evasion_rows = 60

    def __init__(self) -> None:
        from better_profanity import Profanity

        self._profanity = Profanity()  # an instance of its own, not the module-level one
        self._profanity.load_censor_words()

    def run(self, texts: Sequence[str]) -> list[PeerOutput]:
        out = []
        for text in texts:
            flagged = bool(self._profanity.contains_profanity(text))
            out.append(PeerOutput(flagged, float(flagged)))
        return out


# Presidio entity types -> the PII detector's category names.
_PRESIDIO_CATEGORIES = {
    "EMAIL_ADDRESS": "email",
    "PHONE_NUMBER": "phone",
    "CREDIT_CARD": "payment_card",
    "US_SSN": "ssn",
    "IP_ADDRESS": "ip_address",
    "IBAN_CODE": "iban",
}


def _offline_email_recognizer() -> Any:
    """Presidio's email recognizer, validating domains with tldextract's bundled suffix list.

    Its stock `validate_result` calls `tldextract.extract`, which fetches the public suffix list
    over the network on first use; nothing may be downloaded at run time, so the snapshot shipped
    inside tldextract is used instead (suffix_list_urls=()).
    """
    import tldextract
    from presidio_analyzer.predefined_recognizers import EmailRecognizer

    extract = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)

    class OfflineEmailRecognizer(EmailRecognizer):
        def validate_result(self, pattern_text: str) -> bool:
            return extract(pattern_text).fqdn != ""

    return OfflineEmailRecognizer()


class PresidioPatternPeer:
    """Presidio's predefined pattern recognizers, called directly (no AnalyzerEngine, no spaCy model).

    Flags a text when any recognizer returns a result, at any score: Presidio's own default
    (`AnalyzerEngine.analyze` has score_threshold 0). The score for curves is the highest result.
    """

    name = "presidio patterns"
    max_rows = None
    max_evasion_rows = 500  # ~10 ms a sentence: the evasion runs would dominate the harness

    def __init__(self) -> None:
        from presidio_analyzer.predefined_recognizers import (
            CreditCardRecognizer,
            IbanRecognizer,
            IpRecognizer,
            PhoneRecognizer,
            UsSsnRecognizer,
        )

        self._recognizers = [
            _offline_email_recognizer(), PhoneRecognizer(), CreditCardRecognizer(), UsSsnRecognizer(),
            IpRecognizer(), IbanRecognizer(),
        ]  # fmt: skip

    def run(self, texts: Sequence[str]) -> list[PeerOutput]:
        out = []
        for text in texts:
            found: dict[str, float] = {}
            for recognizer in self._recognizers:
                for result in recognizer.analyze(text, recognizer.supported_entities, None) or ():
                    category = _PRESIDIO_CATEGORIES.get(result.entity_type)
                    if category is not None:
                        found[category] = max(found.get(category, 0.0), float(result.score))
            out.append(PeerOutput(bool(found), max(found.values(), default=0.0), frozenset(found)))
        return out


_PEERS_BY_TASK: dict[str, tuple[tuple[str, Any], ...]] = {
    "clickbait": (("", TrivialClickbaitBaseline),),
    "abuse": (("profanity_check", ProfanityCheckPeer), ("better_profanity", BetterProfanityPeer)),
    "pii": (("presidio_analyzer", PresidioPatternPeer),),
}


def peers_for(task: str) -> tuple[list[Peer], list[str]]:
    """The peers for a task that can run here, and the names of those whose library is missing."""
    ready: list[Peer] = []
    missing: list[str] = []
    for module, cls in _PEERS_BY_TASK.get(task, ()):
        if module and importlib.util.find_spec(module) is None:
            missing.append(f"{cls.name} (not installed: pip install 'tractatus[eval]')")
            continue
        ready.append(cls())
    return ready, missing


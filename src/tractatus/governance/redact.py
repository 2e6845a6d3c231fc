"""Redaction: replace the spans findings point at with a placeholder naming their category.

Used for MODIFY decisions, for everything stored (audit log, escalation queue, service
database) and for evidence shown to people, so that raw personal data never leaves the
request that carried it.
"""

from __future__ import annotations

import re
from typing import Iterable, Sequence

from tractatus.governance.actions import Finding

# A card's security code and expiry date are as sensitive as its number (PCI DSS forbids storing
# the code at all). Masked when they stand within this many characters after or before a card
# number that a finding points at; elsewhere "cvv 123" is not known to belong to a card.
CARD_DETAILS_WINDOW = 40
_CARD_DETAILS = re.compile(
    r"(?i)\b(?:cvv2?|cvc2?|cid|csc|security\s+code)\b\s*[:#=-]?\s*\d{3,4}\b"
    r"|\b(?:exp(?:iry|ires|iration)?\.?(?:\s+date)?\s*[:=-]?\s*)?(?:0?[1-9]|1[0-2])\s*[/-]\s*(?:20)?\d{2}\b"
)


def redact(text: str, findings: Iterable[Finding], *, sources: frozenset[str] | None = None) -> str:
    """Return `text` with every finding span (optionally only those from `sources`) masked.

    Overlapping spans are merged; the merged span takes the first finding's category.
    """
    spans = sorted(
        (f.span.start, f.span.end, f.category)
        for f in findings
        if f.span is not None and (sources is None or f.source in sources) and f.span.end > f.span.start
    )
    return _mask(text, spans)


def redact_for_storage(text: str, findings: Sequence[Finding]) -> str:
    """The one masking for text that is stored or shown (escalation queue, service database,
    dashboard): every finding span (personal data, insults, slurs, threats, assurances...), the PII
    category naming a span that a compliance finding also covers ([EMAIL], not [CONSENT_REQUIRED]),
    and a card's security code and expiry date next to a masked card number."""
    pii_spans = [f.span for f in findings if f.source == "pii" and f.span is not None]

    def overlaps_pii(finding: Finding) -> bool:
        span = finding.span
        return span is not None and any(span.start < p.end and p.start < span.end for p in pii_spans)

    kept = [f for f in findings if f.source == "pii" or not overlaps_pii(f)]
    spans = sorted(
        (f.span.start, f.span.end, f.category) for f in kept if f.span is not None and f.span.end > f.span.start
    )
    for f in findings:
        if f.source == "pii" and f.category == "payment_card" and f.span is not None:
            lo, hi = max(0, f.span.start - CARD_DETAILS_WINDOW), min(len(text), f.span.end + CARD_DETAILS_WINDOW)
            spans.extend((m.start(), m.end(), "payment_card_details") for m in _CARD_DETAILS.finditer(text, lo, hi))
    return _mask(text, sorted(spans))


def _mask(text: str, spans: list[tuple[int, int, str]]) -> str:
    """`text` with each (start, end, category) span, sorted by start, replaced by [CATEGORY]."""
    if not spans:
        return text
    merged: list[tuple[int, int, str]] = []
    for start, end, category in spans:
        if merged and start < merged[-1][1]:
            first_start, first_end, first_category = merged[-1]
            merged[-1] = (first_start, max(first_end, end), first_category)
        else:
            merged.append((start, end, category))
    out: list[str] = []
    cursor = 0
    for start, end, category in merged:
        out.append(text[cursor:start])
        out.append(f"[{category.upper()}]")
        cursor = end
    out.append(text[cursor:])
    return "".join(out)

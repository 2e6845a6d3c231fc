"""Redaction: replace the spans findings point at with a placeholder naming their category.

Used for MODIFY decisions, for everything stored (audit log, escalation queue, service
database) and for evidence shown to people, so that raw personal data never leaves the
request that carried it.
"""

from __future__ import annotations

from typing import Iterable

from tractatus.governance.actions import Finding


def redact(text: str, findings: Iterable[Finding], *, sources: frozenset[str] | None = None) -> str:
    """Return `text` with every finding span (optionally only those from `sources`) masked.

    Overlapping spans are merged; the merged span takes the first finding's category.
    """
    spans = sorted(
        (f.span.start, f.span.end, f.category)
        for f in findings
        if f.span is not None and (sources is None or f.source in sources) and f.span.end > f.span.start
    )
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

"""Evidence for people: short excerpts, with personal data masked so it never leaves the request.

A finding's `evidence` is what a person sees in the CLI, the audit log and the escalation queue.
For personal data it is a masked form that still lets a reviewer tell what kind of thing was
found ("j***@e***.com", "***-***-**67"), never the raw value.
"""

from __future__ import annotations

import re

_EXCERPT_CHARS = 80
_WORD = re.compile(r"[A-Za-z0-9]+")


def excerpt(text: str, start: int, end: int) -> str:
    """The matched stretch of the original text, cut to a readable length."""
    piece = " ".join(text[start:end].split())
    return piece if len(piece) <= _EXCERPT_CHARS else piece[: _EXCERPT_CHARS - 3] + "..."


def mask_email(value: str) -> str:
    local, _, domain = value.partition("@")
    host, _, tld = domain.rpartition(".")
    return f"{local[:1]}***@{host[:1]}***.{tld}" if host else f"{local[:1]}***@***"


def mask_digits(value: str, keep_last: int) -> str:
    """Replace every digit but the last `keep_last` with '*', keeping separators for shape."""
    total = sum(c.isdigit() for c in value)
    seen = 0
    out = []
    for char in value:
        if char.isdigit():
            seen += 1
            out.append(char if seen > total - keep_last else "*")
        else:
            out.append(char)
    return "".join(out)


def mask_alnum(value: str, keep_first: int = 2, keep_last: int = 2) -> str:
    """Keep a short prefix and suffix of letters/digits (an IBAN's country code), mask the rest."""
    compact = "".join(c for c in value if c.isalnum())
    if len(compact) <= keep_first + keep_last:
        return "*" * len(compact)
    return compact[:keep_first] + "*" * (len(compact) - keep_first - keep_last) + compact[-keep_last:]


def mask_words(value: str) -> str:
    """Keep the first character of each word ("1** M*** St*****"): the shape, not the content."""
    return _WORD.sub(lambda m: m.group()[0] + "*" * (len(m.group()) - 1), value)


def mask_ip(value: str) -> str:
    if "." in value:
        first, *rest = value.split(".")
        return ".".join([first, *("***" for _ in rest)])
    groups = value.split(":")
    return ":".join([groups[0], *("****" if g else "" for g in groups[1:])])

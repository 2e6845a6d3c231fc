"""What a PII recognizer returns: one validated match, with offsets into the normalized text."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

PiiCategory = Literal[
    "email", "phone", "payment_card", "iban", "ssn", "ip_address", "street_address", "person"
]


@dataclass(frozen=True, slots=True)
class PiiMatch:
    """Something shaped and validated like personal data, with offsets into the normalized text."""

    category: PiiCategory
    start: int
    end: int
    value: str
    detail: str = ""  # "role" (a shared mailbox, a business's phone), "private" IP, "international" phone, "self-named" person...

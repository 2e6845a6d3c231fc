"""Text normalization every detector runs first. (Placeholder: the detectors work replaces it.)"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class NormalizedText:
    original: str
    text: str


def normalize(text: str) -> NormalizedText:
    return NormalizedText(original=text, text=unicodedata.normalize("NFKC", text))

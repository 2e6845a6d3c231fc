"""A one-character-for-one translation table that runs on bytes when the text is ASCII.

`str.translate` with a mapping looks every character up in a dictionary: ~30 ns a character, so
~30 µs for a kilobyte, and the text pipeline translates the same kilobyte several times
(tokens for the learned models, digits folded to "0", the gates' word set). `bytes.translate`
indexes a 256-byte table in C, about seven times faster. For ASCII text (nearly all of it) the
two give the same string, character for character, because the table maps ASCII to ASCII; any
other text takes the `str.translate` path, so the result never depends on which path ran.

The standard library has no such switch; numpy or regex substitutions cost more per call at this size.
"""

from __future__ import annotations

from collections.abc import Mapping


class AsciiTable:
    """`str.translate(mapping)` for a mapping of ASCII characters to single ASCII characters."""

    __slots__ = ("_bytes", "_str")

    def __init__(self, mapping: Mapping[str, str]) -> None:
        if not all(len(k) == 1 and len(v) == 1 and k.isascii() and v.isascii() for k, v in mapping.items()):
            raise ValueError("an AsciiTable maps single ASCII characters to single ASCII characters")
        self._str = str.maketrans(dict(mapping))
        self._bytes = bytes.maketrans("".join(mapping).encode("ascii"), "".join(mapping.values()).encode("ascii"))

    def translate(self, text: str) -> str:
        """Exactly `text.translate(mapping)`."""
        if text.isascii():
            return text.encode("ascii").translate(self._bytes).decode("ascii")
        return text.translate(self._str)

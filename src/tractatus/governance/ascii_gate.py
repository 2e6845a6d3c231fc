"""An RE2 scan that proves a standard-library pattern cannot match ASCII text, before it runs.

Python's `re` has no fast skip for most patterns (only for a literal or a character-class
prefix), so a scan of a kilobyte that finds nothing costs it 10-70 µs on this project's hardware,
at every position of the text. RE2 runs a DFA over the bytes in one pass: ~5 µs for the same
kilobyte, whatever the pattern. Detectors keep their `re` patterns (offsets, groups, look-arounds
and the code around them stay exactly as they are) and ask the gate first: when the gate proves
there is no match, the scan is skipped; otherwise it runs as before. So a gate can only save time,
never change a result, as long as it matches wherever the pattern does
(tests/governance/test_fast_paths.py compares each gate with its pattern on generated text).

Only ASCII text is ruled out: on it, RE2's `\\b`, `\\w`, `\\d` and character classes mean what
Python's Unicode `re` means, and byte offsets are character offsets. `\\s` differs (RE2's lacks
the vertical tab and \\x1c-\\x1f), so gate sources spell the class out (`WHITESPACE`). Other
text always runs the pattern.
"""

from __future__ import annotations

import re
import threading
from functools import cache
from typing import Any

# Python's `\s` on ASCII: space, \t \n \v \f \r and the four ASCII separators \x1c-\x1f.
_SPACE_CHARS = r"\t\n\x0b\x0c\r \x1c-\x1f"
WHITESPACE = f"[{_SPACE_CHARS}]"
_LOOKAROUND = ("(?=", "(?!", "(?<=", "(?<!")


def gate_source(source: str) -> str:
    r"""An RE2 pattern that matches ASCII text wherever the Python pattern `source` does.

    `\s` is spelled out, `\Z` becomes `\z` and `\uXXXX` `\x{XXXX}`; look-arounds (which RE2
    lacks) are dropped, and so is `$` (Python's also matches before a final newline): dropping an
    assertion only lets the gate match more, never less. Back-references and `\S` inside a class
    have no RE2 form: ValueError (leave such a pattern ungated).
    """
    out: list[str] = []
    i, size, in_class = 0, len(source), False
    while i < size:
        char = source[i]
        if char == "\\":
            escape = source[i : i + 2]
            if escape == "\\s":
                out.append(_SPACE_CHARS if in_class else WHITESPACE)
            elif escape == "\\S" and not in_class:
                out.append(f"[^{_SPACE_CHARS}]")
            elif escape == "\\Z" and not in_class:
                out.append("\\z")
            elif escape in ("\\u", "\\U"):
                digits = 4 if escape == "\\u" else 8
                out.append(f"\\x{{{source[i + 2 : i + 2 + digits]}}}")
                i += 2 + digits
                continue
            elif escape[1:].isdigit() or escape == "\\S":
                raise ValueError(f"no RE2 gate for {escape!r} in {source[:40]!r}")
            else:
                out.append(escape)
            i += 2
            continue
        if in_class:
            in_class = char != "]"  # a leading "]" was taken as a literal when the class opened
            out.append(char)
            i += 1
            continue
        if char == "[":
            in_class = True
            out.append(char)
            i += 1
            if source[i : i + 1] == "^":
                out.append("^")
                i += 1
            if source[i : i + 1] == "]":  # a leading "]" is a literal
                out.append("\\]")
                i += 1
            continue
        if char == "{" and re.match(r"\{,\d+\}", source[i:]):  # Python's {,n} is {0,n}; RE2 reads it literally
            out.append("{0")
            i += 1
            continue
        if source.startswith("(?P=", i):
            raise ValueError(f"no RE2 gate for a back-reference in {source[:40]!r}")
        if source.startswith(_LOOKAROUND, i):
            i = _group_end(source, i)
            continue
        out.append("" if char == "$" else char)
        i += 1
    return "".join(out)


def _group_end(source: str, start: int) -> int:
    """The index just after the group that opens at `start` (escapes and classes skipped)."""
    depth, i, in_class = 0, start, False
    while i < len(source):
        char = source[i]
        if char == "\\":
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            if source[i + 1 : i + 2] == "^":
                i += 1
            if source[i + 1 : i + 2] == "]":
                i += 1
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise ValueError(f"unbalanced group in {source[:40]!r}")


def unnamed_groups(source: str) -> str:
    """An RE2 source with its named groups made plain groups, so that sources naming the same
    group can share one alternation (a gate only asks whether there is a match)."""
    return re.sub(r"\(\?P<\w+>", "(?:", source)


def leftmost_start(compiled: Any, data: bytes) -> int:
    """Where the leftmost match of the compiled RE2 pattern in `data` starts, -1 if none: exactly
    `compiled.search(data)`'s answer, from one call into RE2.

    Why not `compiled.search`: google-re2's Python wrapper runs every search as a generator that
    clamps positions, builds a match object and, for a str, encodes it and maps byte offsets back
    to characters. On the text pipeline's ~20 gate scans per kilobyte that wrapper cost about as
    much as a third of the scans themselves. This calls the compiled program the wrapper calls
    (`_regexp.Match`, whole text, unanchored) and reads the first span. A wrapper without that
    attribute (another version of the package) takes the public path, with the same answer
    (tests/governance/test_fast_paths.py compares both on generated text)."""
    program = getattr(compiled, "_regexp", None)
    anchor = _unanchored()
    if program is None or anchor is None:
        found = compiled.search(data)
        return -1 if found is None else found.start()
    return program.Match(anchor, data, 0, len(data))[0][0]


def may_search(compiled: Any, text: str) -> bool:
    """False only when the compiled RE2 pattern has no match in `text`. On ASCII text this is
    exactly `compiled.search(text) is not None` (the wrapper would hand RE2 the same bytes), from
    `leftmost_start`; other text answers True and leaves the decision to the caller's own scan.
    For a str scan over text that usually holds no match: the usual case costs one RE2 call."""
    return not text.isascii() or leftmost_start(compiled, text.encode("ascii")) >= 0


@cache
def _unanchored() -> Any:
    """re2's "unanchored" constant, or None where the wrapper has none. Looked up on the first
    scan, not at import (importing re2 is start-up time most CLI commands never need)."""
    import re2

    return getattr(getattr(re2, "_Anchor", None), "UNANCHORED", None)


class AsciiGate:
    """`may_match(text)`: False only if `source` (RE2 syntax) has no match in ASCII `text`.

    Compiled on first use: importing re2 and compiling is start-up time most CLI commands never need.
    """

    __slots__ = ("_compiled", "_lock", "source")

    def __init__(self, source: str) -> None:
        self.source = source
        self._compiled: Any = None  # re2 ships no type hints
        self._lock = threading.Lock()  # the governor's watchdog runs checks on worker threads

    def compiled(self) -> Any:
        """The RE2 pattern, or False if RE2 refuses the source (then the gate never rules out:
        a missing gate costs time, never a decision; tests check that every gate compiles)."""
        compiled = self._compiled
        if compiled is None:
            with self._lock:
                if self._compiled is None:
                    import re2

                    options = re2.Options()
                    options.max_mem = 64 << 20  # alternations of many words need a DFA above 8 MiB
                    try:
                        self._compiled = re2.compile(self.source, options)
                    except re2.error:
                        self._compiled = False
                compiled = self._compiled
        return compiled

    def first_start(self, text: str) -> int:
        """For ASCII `text`: where the gate's leftmost match starts, which no match of the gated
        pattern can precede; -1 if the gate does not match (neither can the pattern), 0 if the
        gate could not be compiled."""
        compiled = self.compiled()
        if compiled is False:
            return 0
        return leftmost_start(compiled, text.encode("ascii"))

    def may_match(self, text: str) -> bool:
        if not text.isascii():
            return True
        compiled = self.compiled()
        return compiled is False or leftmost_start(compiled, text.encode("ascii")) >= 0

"""Regular expressions compiled on first use, not at import.

The detectors' patterns are large alternations (every insult noun with its masked spellings);
compiling them all at import was most of a CLI start-up (issue 12, item 6), although the word
gates in front of them leave most patterns unused for most texts. `re` cannot keep compiled
patterns across processes, so the saving is to compile each pattern once, when a text first
opens its gate. `lazy_compile` returns an object with the `re.Pattern` methods the code calls;
it is typed as `re.Pattern[str]` so that callers and annotations stay unchanged.
"""

from __future__ import annotations

import re
import sys
import threading
from typing import Any, Iterator, cast

from tractatus.governance.ascii_gate import AsciiGate, gate_source

# Texts shorter than this are scanned by `re` alone: an RE2 gate's fixed cost (~3 µs) is more
# than `re` needs for them. Not a governance threshold: the gate never changes a result.
_GATE_MIN_CHARS = 128


class LazyPattern:
    r"""`re.compile(pattern, flags)`, done on the first call and kept.

    `search`, `finditer` and `findall` over a whole ASCII text first ask an RE2 gate made of the
    same pattern (ascii_gate.py), when `re` could not skip ahead by itself (see `_re_skips_ahead`):
    `re` tries a pattern that starts with `\b`, a group or a look-around at every position,
    70-250 µs for a kilobyte of one of the detectors' long alternations, where RE2 scans it in ~5 µs.
    A closed gate means no match, so `re` does not run; an open one tells where the first match
    can start at the earliest, and `re` starts there (with `pos`, which keeps look-behinds and
    `\b` reading the characters before it, so the matches are the same). Results never change.
    """

    __slots__ = ("_compiled", "_flags", "_gate", "_lock", "_source")

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self._source = pattern
        self._flags = flags
        self._compiled: re.Pattern[str] | None = None
        self._lock = threading.Lock()  # the governor's watchdog runs checks on worker threads
        self._gate = _gate_for(pattern, flags)

    @property
    def compiled(self) -> re.Pattern[str]:
        compiled = self._compiled
        if compiled is None:
            with self._lock:
                if self._compiled is None:
                    self._compiled = re.compile(self._source, self._flags)
                compiled = self._compiled
        return compiled

    @property
    def pattern(self) -> str:
        return self._source

    @property
    def flags(self) -> int:
        return self.compiled.flags

    @property
    def groupindex(self) -> Any:
        return self.compiled.groupindex

    def _first_possible(self, string: str) -> int:
        """Where a match can start at the earliest, -1 if nowhere (the gate's answer), 0 if unknown."""
        gate = self._gate
        if gate is None or len(string) < _GATE_MIN_CHARS or not string.isascii():
            return 0
        return gate.first_start(string)

    def search(self, string: str, *args: int) -> re.Match[str] | None:
        if args:
            return self.compiled.search(string, *args)
        start = self._first_possible(string)
        return None if start < 0 else self.compiled.search(string, start)

    def match(self, string: str, *args: int) -> re.Match[str] | None:
        return self.compiled.match(string, *args)

    def fullmatch(self, string: str, *args: int) -> re.Match[str] | None:
        return self.compiled.fullmatch(string, *args)

    def finditer(self, string: str, *args: int) -> Iterator[re.Match[str]]:
        if args:
            return self.compiled.finditer(string, *args)
        start = self._first_possible(string)
        return iter(()) if start < 0 else self.compiled.finditer(string, start)

    def findall(self, string: str, *args: int) -> list[Any]:
        if args:
            return self.compiled.findall(string, *args)
        start = self._first_possible(string)
        return [] if start < 0 else self.compiled.findall(string, start)

    def split(self, string: str, maxsplit: int = 0) -> list[str | Any]:
        return self.compiled.split(string, maxsplit)

    def sub(self, repl: Any, string: str, count: int = 0) -> str:
        return self.compiled.sub(repl, string, count)

    def subn(self, repl: Any, string: str, count: int = 0) -> tuple[str, int]:
        return self.compiled.subn(repl, string, count)

    def __repr__(self) -> str:
        return f"lazy_compile({self._source[:40]!r}...)"


def _re_skips_ahead(source: str) -> bool:
    """Whether `re` can jump to candidate positions by itself: the pattern starts with one plain
    character, escape or class, not repeated (then `re` compiles a literal or character-set
    prefix and scans for it in C). A pattern starting with `\\b`, `^`, a group, a look-around or a
    repeat is tried at every position. A heuristic for speed only: either answer gives the same
    matches."""
    if not source or source[0] in "(^$.|)":
        return False
    if source[0] == "\\":
        if source[1:2] in ("b", "B", "A", "Z") or source[1:2].isdigit():
            return False
        end = 2
    elif source[0] == "[":
        end = 2 if source[1:2] == "^" else 1
        end += source[end : end + 1] == "]"  # a leading "]" is a literal
        while end < len(source) and source[end] != "]":
            end += 2 if source[end] == "\\" else 1
        end += 1
    else:
        end = 1
    return source[end : end + 1] not in ("*", "+", "?", "{")


def _gate_for(pattern: str, flags: int) -> AsciiGate | None:
    """The RE2 gate for a pattern `re` scans slowly; None where `re` is fast or RE2 cannot express it."""
    if not isinstance(pattern, str) or _re_skips_ahead(pattern) or flags & ~(re.IGNORECASE | re.UNICODE):
        return None  # bytes patterns scan bytes: not what the gate reads
    try:
        source = gate_source(pattern)
    except ValueError:
        return None
    return AsciiGate(f"(?i){source}" if flags & re.IGNORECASE else source)


def lazy_compile(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """A pattern compiled when first used (see the module docstring for why the cast is safe)."""
    return cast("re.Pattern[str]", LazyPattern(pattern, flags))


def compile_loaded_patterns(prefix: str = "tractatus.") -> int:
    """Compile now every lazy pattern that an imported module under `prefix` holds (in its globals,
    or nested in tuples, lists, sets and dicts there); returns how many were compiled.

    For long-running processes (the service): they would rather pay once at start than have the
    first text that opens a word gate compile under the governor's watchdog, where on a loaded
    machine the compile alone can outlast `check_timeout_ms` and the decision fails closed (seen
    under load: 1.8 s for a first decision whose clickbait check compiled its patterns).
    """
    compiled = 0
    seen: set[int] = set()
    for name, module in list(sys.modules.items()):
        if not name.startswith(prefix) or module is None:
            continue
        stack: list[tuple[Any, int]] = [(value, 0) for value in vars(module).values()]
        while stack:
            value, depth = stack.pop()
            if id(value) in seen:
                continue
            seen.add(id(value))
            if isinstance(value, LazyPattern):
                if value._compiled is None:
                    value.compiled  # noqa: B018 (compiles and keeps it)
                    compiled += 1
                if value._gate is not None:
                    value._gate.compiled()
            elif depth < 4 and isinstance(value, (tuple, list, set, frozenset)):
                stack.extend((item, depth + 1) for item in value)
            elif depth < 4 and isinstance(value, dict):
                stack.extend((item, depth + 1) for item in value.values())
    return compiled

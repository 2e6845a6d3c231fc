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


class LazyPattern:
    """`re.compile(pattern, flags)`, done on the first call and kept."""

    __slots__ = ("_compiled", "_flags", "_lock", "_source")

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self._source = pattern
        self._flags = flags
        self._compiled: re.Pattern[str] | None = None
        self._lock = threading.Lock()  # the governor's watchdog runs checks on worker threads

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

    def search(self, string: str, *args: int) -> re.Match[str] | None:
        return self.compiled.search(string, *args)

    def match(self, string: str, *args: int) -> re.Match[str] | None:
        return self.compiled.match(string, *args)

    def fullmatch(self, string: str, *args: int) -> re.Match[str] | None:
        return self.compiled.fullmatch(string, *args)

    def finditer(self, string: str, *args: int) -> Iterator[re.Match[str]]:
        return self.compiled.finditer(string, *args)

    def findall(self, string: str, *args: int) -> list[Any]:
        return self.compiled.findall(string, *args)

    def split(self, string: str, maxsplit: int = 0) -> list[str | Any]:
        return self.compiled.split(string, maxsplit)

    def sub(self, repl: Any, string: str, count: int = 0) -> str:
        return self.compiled.sub(repl, string, count)

    def subn(self, repl: Any, string: str, count: int = 0) -> tuple[str, int]:
        return self.compiled.subn(repl, string, count)

    def __repr__(self) -> str:
        return f"lazy_compile({self._source[:40]!r}...)"


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
            elif depth < 4 and isinstance(value, (tuple, list, set, frozenset)):
                stack.extend((item, depth + 1) for item in value)
            elif depth < 4 and isinstance(value, dict):
                stack.extend((item, depth + 1) for item in value.values())
    return compiled

"""Regular expressions that come from policy files: compiled with RE2, so they cannot stall the engine.

Python's `re` backtracks: `(a+)+$` on 30 `a`s and a `b`, or the old `shell.no-destructive-rm` rule
on `rm -` and 1,600 `r`s, run for seconds to minutes while holding the decision. RE2 (Google's
automaton engine, through the `google-re2` package) matches in time linear in the input, whatever
the pattern. The price is a smaller language, which a policy author must know:

- no backreferences (`\\1`, `(?P=name)`), no lookaround (`(?=`, `(?!`, `(?<=`, `(?<!`), no `\\Z`
  (use `\\z`), no `\\uXXXX` escapes (write the character, or `\\x{XXXX}`);
- `\\w`, `\\d`, `\\s` and `\\b` are ASCII-only (Python's are Unicode-aware); for letters of any
  script use `\\pL` (RE2's `[[:alpha:]]` is ASCII too);
- `$` matches only at the very end (Python's also matches before a final newline).

A pattern RE2 cannot run is a policy error, never a silent fallback to the backtracking engine.

Nested unbounded quantifiers (`(a+)+`, `(\\w*\\s?)*`, `((ab)+c)+`) are refused too, although RE2
runs them in linear time. In a policy they usually mean the author expected backtracking semantics
or copied a pattern that stalls every other engine that reads the same file (a linter, a SIEM, an
older version of this project); `(a+)+` matches nothing `a+` would not. The rule is deliberately
simple and so conservative: it also refuses harmless nestings such as `((ab)+c)+`. Bound the inner
repeat (`{1,64}`) or rewrite with one quantifier. Bounded repeats such as `(\\d{1,3}\\.){3}` pass.
"""

from __future__ import annotations

import re
import re._parser as sre_parse  # the stdlib's own regex parser: a syntax tree to look for nested repeats
from typing import Any, Callable, Sequence

import re2

_OPTIONS = re2.Options()
_OPTIONS.log_errors = False  # RE2 would print its own line to stderr; the policy error says it once

_UNBOUNDED = sre_parse.MAXREPEAT
_REPEATS = (sre_parse.MAX_REPEAT, sre_parse.MIN_REPEAT, sre_parse.POSSESSIVE_REPEAT)


class RegexError(ValueError):
    """A policy-supplied pattern RE2 cannot run, or one with nested unbounded quantifiers."""


def compile_policy_regex(pattern: str) -> Any:
    """Compile `pattern` with RE2, refusing nested unbounded quantifiers. Raises RegexError."""
    nested = _nested_unbounded_repeat(pattern)
    if nested:
        raise RegexError(
            f"nested unbounded quantifiers ({nested}): they stall backtracking engines; "
            "bound the inner repeat ({1,N}) or write one quantifier"
        )
    try:
        return re2.compile(pattern, _OPTIONS)
    except re2.error as exc:
        reason = exc.args[0].decode("utf-8", "replace") if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        raise RegexError(f"invalid regular expression for RE2: {reason} (RE2 has no backreferences or lookaround)") from None


def compile_regex_set(patterns: Sequence[str]) -> Callable[[str], Sequence[int]]:
    """One RE2 automaton for many patterns: `match(text)` returns the indexes (in `patterns`) of
    every pattern found in `text`, in one pass over it, however many patterns there are."""
    regex_set = re2.Set.SearchSet(_OPTIONS)
    for pattern in patterns:
        compile_policy_regex(pattern)  # the same checks, and errors, as a single pattern
        regex_set.Add(pattern)
    regex_set.Compile()

    def match(text: str) -> Sequence[int]:
        return regex_set.Match(text) or ()

    return match


def valid_regex(value: str | None) -> str | None:
    """A pydantic validator body: the pattern compiles under RE2, or the policy error says why."""
    if value is not None:
        compile_policy_regex(value)
    return value


def _nested_unbounded_repeat(pattern: str) -> str | None:
    """The innermost offending repeat, e.g. "(a+)+", or None.

    Uses Python's parser for the syntax tree. A pattern only RE2 understands (e.g. `\\pL`) cannot
    be inspected this way; it is still compiled by RE2, which is linear whatever the nesting.
    """
    try:
        tree = sre_parse.parse(pattern)
    except (re.error, RecursionError, OverflowError):
        return None
    return "an unbounded repeat inside another, as in (a+)+" if _walk(tree, inside_unbounded=False) else None


def _walk(items: Any, inside_unbounded: bool) -> bool:
    """True if an unbounded repeat sits inside another unbounded repeat anywhere in `items`."""
    for op, arg in items:
        if op in _REPEATS:
            _low, high, body = arg
            unbounded = high == _UNBOUNDED
            if (unbounded and inside_unbounded) or _walk(body, inside_unbounded or unbounded):
                return True
        elif any(_walk(child, inside_unbounded) for child in _subpatterns(op, arg)):
            return True
    return False


def _subpatterns(op: Any, arg: Any) -> list[Any]:
    """The nested pattern lists of a group, an alternation or a lookaround node."""
    if op == sre_parse.SUBPATTERN:
        return [arg[-1]]
    if op == sre_parse.ATOMIC_GROUP:
        return [arg]
    if op == sre_parse.BRANCH:
        return list(arg[1])
    if op in (sre_parse.ASSERT, sre_parse.ASSERT_NOT):
        return [arg[1]]
    return []

"""Structured tool-call rules compiled into plain predicates.

Rules are indexed by tool name when the policy is loaded, so a tool call only evaluates the rules
that name its tool (plus the wildcard ones): the cost of a decision grows with the rules for that
tool, not with the size of the policy. Each condition becomes one small closure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

from tractatus.governance.actions import Finding, Severity, Verdict
from tractatus.governance.policy import Condition, Rule

_MISSING = object()
Predicate = Callable[[Any], bool]


def _lookup(arguments: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = arguments
    for part in path:
        if isinstance(value, Mapping):
            value = value.get(part, _MISSING)
        elif isinstance(value, Sequence) and not isinstance(value, str) and part.isdigit():
            index = int(part)
            value = value[index] if index < len(value) else _MISSING
        else:
            return _MISSING
        if value is _MISSING:
            return _MISSING
    return value


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _always(value: Any) -> bool:
    return True


def _never(value: Any) -> bool:
    return False


def _compile_condition(condition: Condition) -> Predicate:
    tests: list[Predicate] = []
    # `exists` is handled by the caller: it decides what a missing argument means.
    if condition.eq is not None:
        expected = condition.eq
        tests.append(lambda v: v == expected or (isinstance(v, str) and str(expected) == v))
    if condition.ne is not None:
        unexpected = condition.ne
        tests.append(lambda v: v != unexpected)
    if condition.in_ is not None:
        members = frozenset(map(str, condition.in_))
        tests.append(lambda v: str(v) in members)
    if condition.not_in is not None:
        excluded = frozenset(map(str, condition.not_in))
        tests.append(lambda v: str(v) not in excluded)
    if condition.regex is not None:
        search = re.compile(condition.regex).search
        tests.append(lambda v: isinstance(v, str) and search(v) is not None)
    if condition.prefix is not None:
        prefix = condition.prefix
        tests.append(lambda v: isinstance(v, str) and v.startswith(prefix))
    if condition.contains is not None:
        needle = condition.contains
        tests.append(lambda v: needle in v if isinstance(v, (str, list, tuple)) else False)
    for bound, compare in (
        (condition.gt, float.__gt__),
        (condition.gte, float.__ge__),
        (condition.lt, float.__lt__),
        (condition.lte, float.__le__),
    ):
        if bound is not None:
            limit = float(bound)
            tests.append(lambda v, c=compare, b=limit: (n := _number(v)) is not None and c(n, b))
    if len(tests) == 1:
        return tests[0]
    return lambda v: all(test(v) for test in tests)


@dataclass(frozen=True, slots=True)
class CompiledRule:
    finding: Finding  # the finding the rule yields; prebuilt, since it never varies
    conditions: tuple[tuple[tuple[str, ...], Predicate, bool], ...]  # (path, test, when_missing)
    kinds: frozenset[str]

    def matches(self, arguments: Mapping[str, Any]) -> bool:
        for path, test, when_missing in self.conditions:
            value = _lookup(arguments, path)
            if value is _MISSING:
                if not when_missing:
                    return False
            elif not test(value):
                return False
        return True


def compile_rule(rule: Rule) -> CompiledRule:
    conditions = []
    for path, condition in rule.when.items():
        # (path, test on a present value, result when the argument is missing)
        if condition.exists is False:
            conditions.append((tuple(path.split(".")), _never, True))
            continue
        has_other_tests = condition.model_dump(exclude_none=True, by_alias=True).keys() != {"exists"}
        test = _compile_condition(condition) if has_other_tests else _always
        conditions.append((tuple(path.split(".")), test, False))
    finding = Finding(
        source="rules",
        source_kind="rule",
        category="tool_rule",
        severity=Severity.parse(rule.severity),
        rule_id=rule.id,
        message=rule.description or f"rule {rule.id} matched",
        verdict=Verdict.parse(rule.verdict),
    )
    return CompiledRule(finding=finding, conditions=tuple(conditions), kinds=frozenset(rule.kinds))


class RuleIndex:
    """Rules grouped by tool name, plus wildcard rules that apply to every tool."""

    __slots__ = ("_by_tool", "_wildcard")

    def __init__(self, rules: Sequence[Rule]) -> None:
        by_tool: dict[str, list[CompiledRule]] = {}
        wildcard: list[CompiledRule] = []
        for rule in rules:
            compiled = compile_rule(rule)
            if rule.tool == "*":
                wildcard.append(compiled)
            else:
                by_tool.setdefault(rule.tool, []).append(compiled)
        self._by_tool = {tool: tuple(rs) for tool, rs in by_tool.items()}
        self._wildcard = tuple(wildcard)

    def evaluate(self, kind: str, tool: str | None, arguments: Mapping[str, Any]) -> list[Finding]:
        matched: list[Finding] = []
        candidates = self._by_tool.get(tool, ()) if tool is not None else ()
        for group in (candidates, self._wildcard):
            for rule in group:
                if kind in rule.kinds and rule.matches(arguments):
                    matched.append(rule.finding)
        return matched

"""Structured tool-call rules compiled into plain predicates.

Rules are indexed by tool name when the policy is loaded, so a tool call only evaluates the rules
that name its tool (plus the wildcard ones): the cost of a decision grows with the rules for that
tool, not with the size of the policy. Each condition becomes one small closure.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

from tractatus.governance.actions import Finding, Severity, Verdict
from tractatus.governance.policy import Condition, Rule
from tractatus.governance.policy_regex import compile_policy_regex, compile_regex_set

_MISSING = object()
Predicate = Callable[[Any], bool]


def _lookup(arguments: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    if len(path) == 1:  # the common case, kept free of ABC isinstance checks
        return arguments.get(path[0], _MISSING)
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


def _numeric_test(compare: Callable[[float, float], bool], limit: float) -> Predicate:
    def test(value: Any) -> bool:
        number = _number(value)
        return number is not None and compare(number, limit)

    return test


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
        search = compile_policy_regex(condition.regex).search  # RE2: linear time in the argument
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
            tests.append(_numeric_test(compare, limit))
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
    conditions: list[tuple[tuple[str, ...], Predicate, bool]] = []
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


@dataclass(frozen=True, slots=True)
class _ToolRules:
    """One tool's rules, indexed by the first condition that pins an argument's string value.

    `eq` and `in` conditions index the rule under each exact value; `prefix` under its prefix
    (looked up once per distinct prefix length); failing those, a `regex` condition puts the rule
    in one RE2 set per argument path, which finds every pattern that occurs in a single pass (100
    regexes cost about what one does). Rules with none of these conditions are scanned.
    """

    exact: tuple[tuple[tuple[str, ...], Mapping[str, tuple[CompiledRule, ...]]], ...]
    prefixed: tuple[tuple[tuple[str, ...], tuple[int, ...], Mapping[str, tuple[CompiledRule, ...]]], ...]
    regexed: tuple[tuple[tuple[str, ...], Callable[[str], Sequence[int]], tuple[tuple[CompiledRule, ...], ...]], ...]
    scanned: tuple[CompiledRule, ...]

    def candidates(self, arguments: Mapping[str, Any]) -> list[CompiledRule]:
        found: list[CompiledRule] = list(self.scanned)
        for path, match, by_pattern in self.regexed:
            value = _lookup(arguments, path)
            if isinstance(value, str):
                for index in match(value):
                    found.extend(by_pattern[index])
        for path, by_value in self.exact:
            value = _lookup(arguments, path)
            if isinstance(value, str):
                found.extend(by_value.get(value, ()))
        for path, lengths, by_prefix in self.prefixed:
            value = _lookup(arguments, path)
            if isinstance(value, str):
                for length in lengths:
                    if length > len(value):
                        break
                    found.extend(by_prefix.get(value[:length], ()))
        return found


def _index_key(rule: Rule) -> tuple[str, str, tuple[str, ...]] | None:
    """The first condition that a matching call must satisfy by an argument's exact string value
    ("exact": eq or in) or by its start ("prefix"); a rule can only match calls found that way."""
    for path, condition in rule.when.items():
        if isinstance(condition.eq, str):
            return "exact", path, (condition.eq,)
        if condition.in_ and all(isinstance(member, str) for member in condition.in_):
            return "exact", path, tuple(condition.in_)
        if condition.prefix:
            return "prefix", path, (condition.prefix,)
    for path, condition in rule.when.items():
        if condition.regex is not None:  # only a string the pattern occurs in can match
            return "regex", path, (condition.regex,)
    return None


def _freeze_buckets(buckets: dict[str, list[CompiledRule]]) -> dict[str, tuple[CompiledRule, ...]]:
    return {key: tuple(rules) for key, rules in buckets.items()}


def _group(rules: Sequence[Rule]) -> _ToolRules:
    exact: dict[tuple[str, ...], dict[str, list[CompiledRule]]] = {}
    prefixed: dict[tuple[str, ...], dict[str, list[CompiledRule]]] = {}
    regexed: dict[tuple[str, ...], dict[str, list[CompiledRule]]] = {}
    scanned: list[CompiledRule] = []
    for rule in rules:
        compiled = compile_rule(rule)
        key = _index_key(rule)
        if key is None:
            scanned.append(compiled)
            continue
        kind, path, values = key
        buckets = {"exact": exact, "prefix": prefixed, "regex": regexed}[kind].setdefault(tuple(path.split(".")), {})
        for value in dict.fromkeys(values):  # de-duplicated: a rule sits once in each bucket
            buckets.setdefault(value, []).append(compiled)
    return _ToolRules(
        exact=tuple((path, _freeze_buckets(b)) for path, b in exact.items()),
        prefixed=tuple(
            (path, tuple(sorted({len(prefix) for prefix in b})), _freeze_buckets(b)) for path, b in prefixed.items()
        ),
        regexed=tuple(_regex_bucket(path, b) for path, b in regexed.items()),
        scanned=tuple(scanned),
    )


def _regex_bucket(
    path: tuple[str, ...], by_pattern: dict[str, list[CompiledRule]]
) -> tuple[tuple[str, ...], Callable[[str], Sequence[int]], tuple[tuple[CompiledRule, ...], ...]]:
    patterns = list(by_pattern)
    return path, compile_regex_set(patterns), tuple(tuple(by_pattern[p]) for p in patterns)


class RuleIndex:
    """Rules grouped by tool name (plus wildcard rules), and within a tool by an argument's value.

    A decision therefore evaluates only the rules that could match this call: its cost does not
    grow with the number of rules in the policy. Matches are reported in policy order.
    """

    __slots__ = ("_by_tool", "_order", "_wildcard")

    def __init__(self, rules: Sequence[Rule]) -> None:
        self._order = {rule.id: position for position, rule in enumerate(rules)}
        by_tool: dict[str, list[Rule]] = {}
        for rule in rules:
            by_tool.setdefault(rule.tool, []).append(rule)
        self._wildcard = _group(by_tool.pop("*", []))
        self._by_tool = {tool: _group(group) for tool, group in by_tool.items()}

    def covers(self, tool: str) -> bool:
        """True if any rule could apply to calls of `tool` (its own rules or wildcard ones)."""
        wildcard = self._wildcard
        return tool in self._by_tool or bool(wildcard.scanned or wildcard.exact or wildcard.prefixed or wildcard.regexed)

    def evaluate(self, kind: str, tool: str | None, arguments: Mapping[str, Any]) -> list[Finding]:
        candidates = self._wildcard.candidates(arguments)
        specific = self._by_tool.get(tool) if tool is not None else None
        if specific is not None:
            candidates.extend(specific.candidates(arguments))
        matched = [rule for rule in candidates if kind in rule.kinds and rule.matches(arguments)]
        if len(matched) > 1:
            matched.sort(key=lambda rule: self._order[rule.finding.rule_id])
        return [rule.finding for rule in matched]

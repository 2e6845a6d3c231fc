"""Compiled tool rules: every operator, the eq index, and policy order of matches."""

from __future__ import annotations

import pytest

from tractatus.governance.policy import Rule
from tractatus.governance.rules import RuleIndex, compile_rule


def rule(rule_id: str, when: dict, tool: str = "t", verdict: str = "block") -> Rule:
    return Rule.model_validate({"id": rule_id, "tool": tool, "when": when, "verdict": verdict})


@pytest.mark.parametrize(
    ("condition", "value", "matches"),
    [
        ({"eq": "prod"}, "prod", True),
        ({"eq": "prod"}, "staging", False),
        ({"eq": 5}, 5, True),
        ({"eq": 5}, "5", True),
        ({"ne": "a"}, "b", True),
        ({"in": ["a", "b"]}, "b", True),
        ({"in": ["a", "b"]}, "c", False),
        ({"not_in": ["a"]}, "a", False),
        ({"regex": "^rm "}, "rm -rf /", True),
        ({"regex": "^rm "}, 7, False),
        ({"prefix": "/etc"}, "/etc/passwd", True),
        ({"contains": "x"}, ["x", "y"], True),
        ({"gt": 10}, 11, True),
        ({"gt": 10}, "11", True),
        ({"gt": 10}, "eleven", False),
        ({"gt": 10}, True, False),
        ({"gte": 10, "lt": 20}, 10, True),
        ({"gte": 10, "lt": 20}, 20, False),
        ({"lte": 0}, -1, True),
    ],
)
def test_operators(condition: dict, value: object, matches: bool) -> None:
    index = RuleIndex([rule("r", {"a": condition})])
    assert bool(index.evaluate("tool_call", "t", {"a": value})) is matches


def test_missing_argument_fails_a_condition_unless_it_tests_absence() -> None:
    index = RuleIndex([rule("present", {"a": {"exists": True}}), rule("absent", {"b": {"exists": False}})])
    assert [f.rule_id for f in index.evaluate("tool_call", "t", {"a": 1})] == ["present", "absent"]
    assert [f.rule_id for f in index.evaluate("tool_call", "t", {"b": 1})] == []


def test_nested_paths() -> None:
    index = RuleIndex([rule("deep", {"target.env": {"eq": "prod"}, "hosts.0": {"prefix": "db"}})])
    assert index.evaluate("tool_call", "t", {"target": {"env": "prod"}, "hosts": ["db1"]})
    assert not index.evaluate("tool_call", "t", {"target": {"env": "prod"}, "hosts": ["web1"]})
    assert not index.evaluate("tool_call", "t", {"target": "prod"})


def test_index_finds_every_match_in_policy_order_across_many_rules() -> None:
    rules = [rule(f"r{i}", {"db": {"eq": f"db{i % 50}"}}, tool=f"tool{i % 7}") for i in range(1000)]
    rules.insert(0, rule("wild", {"db": {"regex": "^db1"}}, tool="*"))
    index = RuleIndex(rules)
    found = [f.rule_id for f in index.evaluate("tool_call", "tool3", {"db": "db10"})]
    expected = ["wild"] + [r.id for r in rules[1:] if r.tool == "tool3" and r.when["db"].eq == "db10"]
    assert found == expected
    assert len(found) > 2


def test_rules_apply_only_to_their_kinds_and_tools() -> None:
    index = RuleIndex([rule("r", {"a": {"eq": "x"}}, tool="t")])
    assert not index.evaluate("message", "t", {"a": "x"})
    assert not index.evaluate("tool_call", "other", {"a": "x"})


@pytest.mark.parametrize(
    "make_condition",
    [
        lambda i: {"sql": {"prefix": f"q{i} "}, "table": {"in": [f"t{i}a", f"t{i}b"]}},
        lambda i: {"table": {"in": [f"t{i}a", f"t{i}b", f"t{i % 3}a"]}},
        lambda i: {"sql": {"prefix": "q" + "x" * (i % 5)}},
        lambda i: {"sql": {"regex": f"^q{i} "}},
        # several rules per pattern, case-insensitive and overlapping patterns, in one RE2 set
        lambda i: {"sql": {"regex": ["(?i)drop", f"q{i % 4}", "x+", "^$"][i % 4]}, "rows": {"gt": i % 5}},
    ],
)
def test_indexed_and_scanned_rules_find_exactly_what_a_full_scan_finds(make_condition) -> None:
    rules = [rule(f"r{i}", make_condition(i)) for i in range(60)]
    index = RuleIndex(rules)
    probes = [{"sql": f"q{i} select", "table": f"t{i}a"} for i in range(0, 60, 7)]
    probes += [{"sql": "qxxx select", "table": "t1a"}, {"sql": "", "table": "t0a"}, {"table": 5}, {}]
    probes += [{"sql": "q1 DROP xx", "rows": 3}, {"sql": "", "rows": 9}, {"sql": 7, "rows": 9}, {"sql": "q3 drop", "rows": "4"}]
    for arguments in probes:
        expected = [r.id for r in rules if compile_rule(r).matches(arguments)]  # the oracle: no index
        assert [f.rule_id for f in index.evaluate("tool_call", "t", arguments)] == expected

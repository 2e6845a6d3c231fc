"""`extends:`: a child policy overrides what it names and inherits the rest (JSON Merge Patch:
mappings merge, lists and scalars replace, null removes); the digest covers the resolved document;
cycles, missing parents and nameless children are policy errors. The shipped experiment and service
policies are children of lab-engagement.yaml / default.yaml rather than copies of them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tractatus.governance.errors import PolicyError
from tractatus.governance.policy import bundled_policy_path, load_policy, parse_policy, policies_dir
from tractatus.governance.policy_extends import merge_patch

PARENT = """\
version: 1
name: parent
description: the parent
limits: {max_text_bytes: 1000, check_timeout_ms: 100, cache_entries: 10}
severity_verdicts: {info: allow, low: warn, medium: block, high: block, critical: block}
tools:
  known: {search: allow, shell.exec: escalate}
rules:
  - {id: shell.rm, tool: shell.exec, when: {command: {prefix: rm}}, verdict: block}
rate_limits:
  - {id: burst, kinds: [message], max_events: 3, window_s: 60}
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_merge_patch_follows_rfc_7396() -> None:
    parent = {"a": {"b": 1, "c": [1, 2]}, "d": 1, "e": {"f": 1}}
    child = {"a": {"c": [3], "g": None}, "d": None, "e": {"f": {"h": 2}}}
    assert merge_patch(parent, child) == {"a": {"b": 1, "c": [3]}, "e": {"f": {"h": 2}}}
    assert parent == {"a": {"b": 1, "c": [1, 2]}, "d": 1, "e": {"f": 1}}  # untouched


def test_a_child_overrides_what_it_names_and_inherits_the_rest(tmp_path: Path) -> None:
    write(tmp_path, "parent.yaml", PARENT)
    child = write(tmp_path, "child.yaml", """\
extends: parent.yaml
name: child
limits: {max_text_bytes: 2000}
tools:
  known: {shell.exec: null, http_get: allow}
rules: []
""")
    document = load_policy(child, registry={}).document
    assert document.name == "child" and document.description == "the parent"
    assert (document.limits.max_text_bytes, document.limits.check_timeout_ms) == (2000, 100)  # mapping merged
    assert document.tools.known == {"search": "allow", "http_get": "allow"}  # null removed shell.exec
    assert document.rules == ()  # a list replaces the parent's list
    assert [limit.id for limit in document.rate_limits] == ["burst"]


def test_the_digest_covers_the_resolved_document(tmp_path: Path) -> None:
    parent = write(tmp_path, "parent.yaml", PARENT)
    child = write(tmp_path, "child.yaml", "extends: parent.yaml\nname: parent\n")
    before = load_policy(child, registry={}).digest
    assert before == load_policy(parent, registry={}).digest  # same resolved content, same digest
    write(tmp_path, "parent.yaml", PARENT.replace("max_events: 3", "max_events: 4"))
    changed = load_policy(child, registry={})  # the child's file did not change; its policy did
    assert changed.document.rate_limits[0].max_events == 4
    assert changed.digest != before and changed.digest == load_policy(parent, registry={}).digest


def test_parents_chain_and_paths_are_relative_to_the_child(tmp_path: Path) -> None:
    (tmp_path / "base").mkdir()
    write(tmp_path / "base", "root.yaml", PARENT)
    write(tmp_path / "base", "middle.yaml", "extends: root.yaml\nname: middle\nlimits: {cache_entries: 0}\n")
    leaf = write(tmp_path, "leaf.yaml", "extends: base/middle.yaml\nname: leaf\n")
    document = load_policy(leaf, registry={}).document
    assert (document.name, document.limits.cache_entries, document.limits.max_text_bytes) == ("leaf", 0, 1000)


def test_parse_policy_resolves_extends_against_base_dir(tmp_path: Path) -> None:
    write(tmp_path, "parent.yaml", PARENT)
    policy = parse_policy("extends: parent.yaml\nname: text\n", registry={}, base_dir=tmp_path)
    assert policy.document.tools.known["search"] == "allow"


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"a.yaml": "extends: b.yaml\nname: a\n", "b.yaml": "extends: a.yaml\nname: b\n"}, "b.yaml:1: extends: cycle (a.yaml -> b.yaml -> a.yaml)"),
        ({"a.yaml": "extends: a.yaml\nname: a\n"}, "a.yaml:1: extends: cycle (a.yaml -> a.yaml)"),
        ({"a.yaml": "name: a\nextends: missing.yaml\n"}, "a.yaml:2: extends: parent policy 'missing.yaml' not found"),
        ({"a.yaml": "extends: parent.yaml\n", "parent.yaml": PARENT}, "a.yaml:1: extends: a policy that extends another must give its own name"),
        ({"a.yaml": "extends: [parent.yaml]\nname: a\n"}, "a.yaml:1: extends: must be the path of a parent policy file"),
    ],
)
def test_cycles_missing_parents_and_nameless_children_are_policy_errors(tmp_path: Path, files: dict, expected: str) -> None:
    for name, text in files.items():
        write(tmp_path, name, text)
    with pytest.raises(PolicyError) as info:
        load_policy(tmp_path / "a.yaml", registry={})
    assert expected in str(info.value) and "\n" not in str(info.value)


def test_errors_name_the_file_that_holds_the_bad_field(tmp_path: Path) -> None:
    write(tmp_path, "parent.yaml", PARENT.replace("check_timeout_ms: 100", "check_timeout_ms: -1"))
    write(tmp_path, "a.yaml", "extends: parent.yaml\nname: a\n")
    with pytest.raises(PolicyError, match=r"parent\.yaml:4: limits\.check_timeout_ms"):
        load_policy(tmp_path / "a.yaml", registry={})
    write(tmp_path, "parent.yaml", PARENT)
    write(tmp_path, "a.yaml", "extends: parent.yaml\nname: a\nrules:\n  - {id: x, tool: nosuch, verdict: block}\n")
    with pytest.raises(PolicyError, match=r"a\.yaml:4: rules\.0\.tool: tool 'nosuch' is not declared"):
        load_policy(tmp_path / "a.yaml", registry={})


def test_policy_validate_exits_2_on_a_cycle(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", "extends: b.yaml\nname: a\n")
    write(tmp_path, "b.yaml", "extends: a.yaml\nname: b\n")
    env = {"PATH": "/usr/bin:/bin", **({"PYTHONPATH": os.environ["PYTHONPATH"]} if "PYTHONPATH" in os.environ else {})}
    result = subprocess.run([sys.executable, "-m", "tractatus.cli", "policy", "validate", str(tmp_path / "a.yaml")],
                            capture_output=True, env=env, timeout=120)
    assert result.returncode == 2
    assert len(result.stderr.decode().strip().splitlines()) == 1 and "cycle" in result.stderr.decode()


# -- the shipped policies ---------------------------------------------------------------------


@pytest.mark.parametrize("path", sorted(policies_dir().glob("*.yaml")), ids=lambda p: p.name)
def test_every_shipped_policy_loads(path: Path) -> None:
    assert load_policy(path).digest


@pytest.mark.parametrize(("child", "parent"), [("persistence", "lab-engagement"), ("multiagent", "lab-engagement"),
                                               ("service", "default"), ("agentlightning", "default")])
def test_experiment_and_service_policies_extend_rather_than_copy(child: str, parent: str) -> None:
    text = bundled_policy_path(child).read_text(encoding="utf-8")
    assert f"extends: {parent}.yaml" in text
    assert "severity_verdicts:\n  info:" not in text  # the parent's tables are not restated
    assert "role_mailboxes" not in text  # nor the detectors' word lists


def test_persistence_runs_exactly_the_lab_checks() -> None:
    lab = load_policy(bundled_policy_path("lab-engagement")).document
    persistence = load_policy(bundled_policy_path("persistence")).document
    assert persistence.checks == lab.checks and persistence.limits == lab.limits
    assert persistence.drift is not None and lab.drift is None


def test_multiagent_differs_from_the_lab_only_where_it_says() -> None:
    lab = load_policy(bundled_policy_path("lab-engagement")).document
    multi = load_policy(bundled_policy_path("multiagent")).document
    assert set(multi.checks) == set(lab.checks) - {"cross_reference_validator"} | {"quota"}
    for name in set(lab.checks) & set(multi.checks) - {"pii"}:
        assert multi.checks[name] == lab.checks[name]
    lab_pii, multi_pii = lab.checks["pii"].settings, multi.checks["pii"].settings
    assert {k: v for k, v in multi_pii.items() if k != "severities"} == {k: v for k, v in lab_pii.items() if k != "severities"}
    assert multi_pii["severities"] == {**lab_pii["severities"], "email": "low", "phone": "low"}

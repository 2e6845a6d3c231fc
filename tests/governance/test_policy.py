from __future__ import annotations

import pytest

from tractatus.governance.errors import PolicyError
from tractatus.governance.policy import bundled_policy_path, load_policy, parse_policy

MINIMAL = """\
version: 1
name: minimal
limits: {max_text_bytes: 1000, check_timeout_ms: 100, cache_entries: 10}
severity_verdicts: {info: allow, low: warn, medium: block, high: block, critical: block}
"""


def test_default_policy_loads_and_has_a_stable_digest() -> None:
    first = load_policy(bundled_policy_path("default"))
    second = load_policy(bundled_policy_path("default"))
    assert first.name == "default"
    assert len(first.digest) == 64
    assert first.digest == second.digest


def test_digest_changes_with_content() -> None:
    a = parse_policy(MINIMAL, registry={})
    b = parse_policy(MINIMAL.replace("max_text_bytes: 1000", "max_text_bytes: 1001"), registry={})
    assert a.digest != b.digest


def test_policy_is_immutable() -> None:
    policy = parse_policy(MINIMAL, registry={})
    with pytest.raises(AttributeError):
        policy.digest = "x"  # type: ignore[misc]
    with pytest.raises(Exception):
        policy.document.name = "other"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (MINIMAL + "bogus: 1\n", ":5: bogus: unknown field"),
        (MINIMAL.replace("medium: block, ", ""), ":4: severity_verdicts: must give a verdict for every severity; missing: medium"),
        (MINIMAL.replace("check_timeout_ms: 100", "check_timeout_ms: -1"), ":3: limits.check_timeout_ms"),
        (MINIMAL + "rules:\n  - id: r1\n    tool: x\n    verdict: maybe\n", ":8: rules.0.verdict"),
        (MINIMAL + "rules:\n  - id: r1\n    tool: x\n    verdict: block\n    when: {a: {regex: '('}}\n", "invalid regular expression"),
        (MINIMAL + "checks:\n  nosuch:\n    kinds: [message]\n", ":6: checks.nosuch: unknown check"),
        ("version: 1\nname: [unclosed\n", "invalid YAML"),
        ("- just\n- a list\n", "must be a YAML mapping"),
        (MINIMAL + "name: again\n", ":5: name: duplicate key"),
    ],
)
def test_bad_policies_name_line_and_field(text: str, expected: str) -> None:
    with pytest.raises(PolicyError) as info:
        parse_policy(text, source="p.yaml", registry={})
    message = str(info.value)
    assert message.startswith("p.yaml:")
    assert expected in message
    assert "\n" not in message


def test_missing_file_is_a_policy_error(tmp_path) -> None:
    with pytest.raises(PolicyError, match="cannot read policy file"):
        load_policy(tmp_path / "absent.yaml")


def test_invalid_utf8_policy(tmp_path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_bytes(b"version: 1\nname: \xff\n")
    with pytest.raises(PolicyError, match="not valid UTF-8"):
        load_policy(path)


def test_every_shipped_policy_validates() -> None:
    from tractatus.governance.policy import policies_dir

    files = sorted(policies_dir().glob("*.yaml"))
    assert len(files) >= 5
    for path in files:
        assert load_policy(path).digest


def test_a_clickbait_weight_left_out_is_a_policy_error(tmp_path) -> None:
    text = bundled_policy_path("default").read_text(encoding="utf-8").replace("        overclaim: 2.0\n", "", 1)
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PolicyError, match="checks.clickbait.settings.weights: .*missing: overclaim"):
        load_policy(path)

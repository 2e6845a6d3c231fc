"""Cross-agent quotas: centralized governance sees what several agents do together; factored does not."""

from __future__ import annotations

import pytest

from tractatus.governance.actions import Action, Verdict
from tractatus.governance.errors import PolicyError
from tractatus.governance.governor import Governor
from tractatus.governance.policy import parse_policy
from tractatus.governance.quota import QuotaCheck
from tractatus.governance.registry import default_registry
from tractatus.governance.state import GovernanceState

HEADER = """
version: 1
name: quota-test
limits: {max_text_bytes: 65536, check_timeout_ms: 1000, cache_entries: 1024}
severity_verdicts: {info: allow, low: warn, medium: block, high: block, critical: block}
checks:
  quota:
    kinds: [publish]
    settings:
      quotas:
"""


class RoundClock:
    """The lab's clock: the round number, set by the caller."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _governor(quotas_yaml: str) -> tuple[Governor, RoundClock]:
    registry = {**default_registry(), "quota": QuotaCheck}
    policy = parse_policy(HEADER + quotas_yaml, source="quota-test.yaml", registry=registry)
    clock = RoundClock()
    return Governor(policy, state=GovernanceState(clock=clock), registry=registry), clock


def _publish(governor: Governor, agent: str, text: str) -> Verdict:
    return governor.decide(Action(kind="publish", agent_id=agent, text=text)).verdict


SHARE = """
        - id: sensational_share
          measure: share
          scope: {scope}
          limit: 0.25
          window_s: 5
          min_items: 4
          match: {{regex: '(?i)\\b(shocking|you won.t believe)\\b'}}
"""


def test_global_share_caps_sensational_items_across_agents_while_plain_items_pass() -> None:
    governor, _clock = _governor(SHARE.format(scope="global"))
    verdicts = []
    for _ in range(10):  # every agent alternates plain / shocking: 50% of the feed would be sensational
        for agent in ("a", "b", "c", "d"):
            verdicts.append((agent, _publish(governor, agent, f"Shocking news from {agent}")))
            verdicts.append((agent, _publish(governor, agent, f"Council approves budget ({agent})")))
    plain = [v for i, (_, v) in enumerate(verdicts) if i % 2 == 1]
    shocking = [v for i, (_, v) in enumerate(verdicts) if i % 2 == 0]
    assert all(v == Verdict.ALLOW for v in plain)  # benign items always pass
    allowed = sum(v == Verdict.ALLOW for v in shocking)
    assert 0 < allowed <= 0.25 * len(verdicts) + 4  # the share holds across agents


@pytest.mark.parametrize(("scope", "b_verdict"), [("global", Verdict.BLOCK), ("agent", Verdict.ALLOW)])
def test_share_scope_global_counts_the_joint_feed_agent_scope_only_the_agents_own(scope: str, b_verdict: Verdict) -> None:
    governor, _ = _governor(SHARE.format(scope=scope))
    for i in range(8):
        assert _publish(governor, "a", f"Plain item {i}") == Verdict.ALLOW
    assert _publish(governor, "a", "Shocking a1") == Verdict.ALLOW  # 1/9
    assert _publish(governor, "a", "Shocking a2") == Verdict.ALLOW  # 2/10
    assert _publish(governor, "a", "Shocking a3") == Verdict.BLOCK  # 3/11 > 25%
    # b has posted nothing: centralized governance sees the feed a filled; factored sees b's own (empty) slice
    assert _publish(governor, "b", "Shocking b1") == b_verdict


def test_share_window_forgets_old_items() -> None:
    governor, clock = _governor(SHARE.format(scope="global"))
    for i in range(5):
        _publish(governor, "a", f"plain {i}")
    assert _publish(governor, "a", "Shocking one") == Verdict.ALLOW  # 1/6
    assert _publish(governor, "b", "Shocking two") == Verdict.BLOCK  # 2/7 > 25%
    clock.now = 100.0  # the window (5 rounds) has passed: the feed is empty again
    for i in range(4):
        _publish(governor, "a", f"plain again {i}")
    assert _publish(governor, "b", "Shocking three") == Verdict.ALLOW


DUPLICATES = """
        - id: no_coordinated_posting
          measure: duplicates
          scope: {scope}
          limit: 1
          window_s: 3
"""


def test_global_duplicates_block_the_same_post_from_another_agent() -> None:
    governor, clock = _governor(DUPLICATES.format(scope="global"))
    assert _publish(governor, "a", "Vote for X today") == Verdict.ALLOW
    assert _publish(governor, "b", "vote  for x TODAY") == Verdict.BLOCK  # same post, other agent
    assert _publish(governor, "b", "Vote for Y today") == Verdict.ALLOW
    clock.now = 10.0
    assert _publish(governor, "c", "Vote for X today") == Verdict.ALLOW  # outside the window


def test_agent_scope_duplicates_only_stop_an_agent_repeating_itself() -> None:
    governor, _ = _governor(DUPLICATES.format(scope="agent"))
    assert _publish(governor, "a", "Vote for X today") == Verdict.ALLOW
    assert _publish(governor, "b", "Vote for X today") == Verdict.ALLOW
    assert _publish(governor, "a", "Vote for X today") == Verdict.BLOCK


COUNT = """
        - id: pii_exposure
          measure: count
          scope: global
          limit: 3
          match: {regex: '[\\w.]+@[\\w.]+'}
          verdict: escalate
"""


def test_shared_budget_of_pii_exposure_escalates_once_spent() -> None:
    governor, _ = _governor(COUNT)
    verdicts = [_publish(governor, agent, f"write to {agent}@example.org") for agent in "abcde"]
    assert verdicts == [Verdict.ALLOW] * 3 + [Verdict.ESCALATE] * 2
    assert _publish(governor, "f", "no address here") == Verdict.ALLOW
    assert governor.state.budget_used("quota:pii_exposure:*") == 3


@pytest.mark.parametrize(
    ("quota", "message"),
    [
        ("- {id: s, measure: share, limit: 1.5, window_s: 5, match: {regex: x}}", "fraction"),
        ("- {id: s, measure: share, limit: 0.5, match: {regex: x}}", "window"),
        ("- {id: c, measure: count, limit: 3}", "needs `match`"),
        ("- {id: c, measure: count, limit: 3, match: {regex: '('}}", "regular expression"),
        ("- {id: c, measure: count, limit: 3, match: {regex: '(a+)+$'}}", "nested unbounded quantifiers"),
        ("- {id: c, measure: count, limit: 3, match: {regex: '(?=a)b'}}", "RE2"),
        ("- {id: c, measure: count, limit: 3, match: {}}", "regex or a detector"),
        ("- {id: c, measure: count, limit: 3, scop: agent, match: {regex: x}}", "unknown field"),
    ],
)
def test_bad_quota_is_a_policy_error_naming_the_field(quota: str, message: str) -> None:
    registry = {**default_registry(), "quota": QuotaCheck}
    with pytest.raises(PolicyError, match=r"quota-test\.yaml:\d+: checks\.quota\.settings\.quotas") as err:
        parse_policy(HEADER + "        " + quota + "\n", source="quota-test.yaml", registry=registry)
    assert message in str(err.value)

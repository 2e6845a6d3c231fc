"""The dev breakdown counts each tweet once per tier and once per rule id that flags it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tractatus.governance.actions import Verdict
from tractatus.governance.learning.governed import Outcome
from tractatus.governance.learning.neither_dev import breakdown, dev_breakdown
from tractatus.governance.policy import bundled_policy_path

ROOT = Path(__file__).resolve().parents[3]


def outcome(*rule_ids: str) -> Outcome:
    sources = frozenset(r.split(".", 1)[0] for r in rule_ids)
    verdict = Verdict.WARN if rule_ids else Verdict.ALLOW
    return Outcome(verdict=verdict, flagged_by=sources, categories=frozenset(), rule_ids=frozenset(rule_ids))


def test_neither_tweets_are_counted_per_rule_id_and_per_tier() -> None:
    labels = ["neither"] * 4 + ["hate"] * 2 + ["offensive"]
    outcomes = [
        outcome("pii.phone", "compliance.consent_required"),
        outcome("abuse.learned"),
        outcome("abuse.learned", "abuse.insult", "clickbait.shouting"),
        outcome(),
        outcome("abuse.slur"),
        outcome(),
        outcome("abuse.learned"),
    ]
    result = breakdown(labels, outcomes)
    neither = result["neither"]
    assert neither["rows"] == 4
    assert neither["tweets_per_rule_id"] == {
        "abuse.learned": 2, "abuse.insult": 1, "clickbait.shouting": 1, "compliance.consent_required": 1, "pii.phone": 1,
    }  # fmt: skip
    assert neither["flagged"] == {
        "decision": 0.75, "abuse": 0.5, "abuse_rules": 0.25, "abuse_learned": 0.5, "other_checks": 0.5, "other_checks_only": 0.25,
    }  # fmt: skip
    assert result["hate"]["flagged"]["abuse_rules"] == 0.5 and result["hate"]["flagged"]["abuse_learned"] == 0.0
    assert result["offensive"]["flagged"]["decision"] == 1.0


@pytest.mark.slow  # decides the ~2,600 dev tweets under default.yaml (~15 s on the shared machine)
def test_the_recorded_breakdown_is_what_the_code_gives_now(data_dir: Path) -> None:
    recorded = json.loads((ROOT / "docs" / "results" / "neither-dev.json").read_text(encoding="utf-8"))
    assert dev_breakdown(data_dir, bundled_policy_path("default"))["labels"] == recorded["labels"]

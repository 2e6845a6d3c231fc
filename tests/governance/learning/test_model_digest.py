"""Every decision names the learned models it was made with, next to the policy digest, and the audit entry keeps it."""

from __future__ import annotations

import hashlib
from importlib import resources
from pathlib import Path

from tractatus.governance.actions import Action
from tractatus.governance.audit import open_audit_log
from tractatus.governance.governor import Governor, models_digest
from tractatus.governance.policy import bundled_policy_path, load_policy


def _shipped_digest(name: str) -> str:
    raw = resources.files("tractatus.governance.detectors").joinpath("models", f"{name}.json").read_bytes()
    return hashlib.sha256(raw).hexdigest()


def test_decisions_and_audit_entries_carry_the_model_digest(tmp_path: Path) -> None:
    expected = models_digest({name: _shipped_digest(name) for name in ("abuse", "clickbait_restyled", "clickbait_styled", "profanity")})
    with open_audit_log(tmp_path / "audit.db") as log:
        governor = Governor(load_policy(bundled_policy_path("default")), audit=log)
        decision = governor.decide(Action(text="The quarterly report is attached.", agent_id="a"))
        entry = log.tail(1)[0]
        report = log.verify()
        governor.close()
    assert decision.model_digest == expected and decision.to_dict()["model_digest"] == expected
    assert entry.payload["model_digest"] == expected and entry.policy_digest == decision.policy_digest
    assert report.ok  # the digest is inside the hash chain's payload


def test_a_policy_without_learned_tiers_has_no_model_digest(tmp_path: Path) -> None:
    # The lab policy's only learned tier is clickbait's; a child that drops that check has none.
    child = tmp_path / "no-learned.yaml"
    child.write_text(f"extends: {bundled_policy_path('persistence')}\nname: no-learned\nchecks:\n  clickbait: null\n")
    governor = Governor(load_policy(child))
    decision = governor.evaluate(Action(text="hello", agent_id="a", kind="publish"))
    governor.close()
    assert decision.model_digest is None


def test_the_combined_digest_changes_with_any_model() -> None:
    one = models_digest({"a": "1" * 64, "b": "2" * 64})
    assert one == models_digest({"b": "2" * 64, "a": "1" * 64})
    assert one != models_digest({"a": "1" * 64, "b": "3" * 64}) and models_digest({}) is None

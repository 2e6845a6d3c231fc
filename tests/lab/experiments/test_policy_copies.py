"""The experiment policies are complete copies of the lab policy plus what each experiment adds.
A copy that drifts from the lab policy silently changes what an experiment measures (it happened:
a stale copy let warn-level clickbait through in the persistence run), so pin them together."""

from __future__ import annotations

import pytest

from tractatus.governance.policy import bundled_policy_path, load_policy

# multiagent: contact details warn one at a time under a shared quota, and its agents get no
# filed instructions (no Tractatus flow), so it runs no cross-reference check.
ALLOWED_DIFFERENCES = {"persistence": set(), "multiagent": {"pii", "quota", "cross_reference_validator"}}


@pytest.mark.parametrize("name", sorted(ALLOWED_DIFFERENCES))
def test_experiment_policy_checks_match_the_lab_policy(name: str) -> None:
    lab = load_policy(bundled_policy_path("lab-engagement")).document
    copy = load_policy(bundled_policy_path(name)).document
    differing = {
        check
        for check in set(lab.checks) | set(copy.checks)
        if lab.checks.get(check) != copy.checks.get(check)
    }
    assert differing <= ALLOWED_DIFFERENCES[name], f"{name}.yaml differs from lab-engagement.yaml in {sorted(differing)}"
    assert copy.severity_verdicts == lab.severity_verdicts

"""Held-out texts decided by the real Governor under a shipped policy: what a user of that policy gets.

No audit log: the harness measures decisions, not the audit path (`Governor.evaluate` decides
without auditing). Besides the verdict, each outcome records which checks flagged the text, so a
report can tell "the decision flagged it" from "this detector flagged it", and the detector's own
score when it exposes one (`score(ctx)`), for precision-recall curves.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tractatus.governance.actions import Action, Verdict
from tractatus.governance.checks import CheckContext
from tractatus.governance.governor import Governor
from tractatus.governance.normalize import normalize
from tractatus.governance.policy import Policy, load_policy
from tractatus.governance.registry import default_registry
from tractatus.governance.state import GovernanceState

# Methods a check may expose to be scored (CheckContext -> number), and how a curve names them.
SCORE_METHODS = (("learned_probability", "learned probability"), ("score", "rule score"))


@dataclass(frozen=True, slots=True)
class Outcome:
    verdict: Verdict
    flagged_by: frozenset[str]  # checks with a finding whose verdict is not allow
    categories: frozenset[tuple[str, str]]  # (check, category) of those findings
    rule_ids: frozenset[str] = frozenset()  # rule ids of those findings ("pii.phone", "abuse.learned")

    @property
    def flagged(self) -> bool:
        """Anything but a plain allow: warn, modify, escalate and block all reach a person or stop."""
        return self.verdict > Verdict.ALLOW

    def flagged_by_check(self, check: str) -> bool:
        return check in self.flagged_by


class GovernedRun:
    """One policy, loaded once; decides batches of texts of one action kind."""

    def __init__(self, policy_path: Path) -> None:
        self.policy_path = policy_path
        self.policy: Policy = load_policy(policy_path)
        self._governor = Governor(self.policy)
        self._registry = default_registry()
        self._checks: dict[str, Any] = {}

    @property
    def digest(self) -> str:
        return self.policy.digest

    def decide(self, texts: Sequence[str], kind: str, contexts: Sequence[Mapping[str, Any]] | None = None) -> list[Outcome]:
        out = []
        for index, text in enumerate(texts):
            context = contexts[index] if contexts is not None else {}
            decision = self._governor.evaluate(Action(kind=kind, text=text, context=context))
            raised = [f for f in decision.findings if f.verdict is not None and f.verdict > Verdict.ALLOW]
            out.append(
                Outcome(
                    verdict=decision.verdict,
                    flagged_by=frozenset(f.source for f in raised),
                    categories=frozenset((f.source, f.category) for f in raised),
                    rule_ids=frozenset(f.rule_id for f in raised),
                )
            )
        return out

    def scores(self, texts: Sequence[str], kind: str, check: str) -> dict[str, list[float]]:
        """The check's own scores per text, built with this policy's settings: one series per scoring method.

        Duck-typed on the methods in SCORE_METHODS, each taking a CheckContext and returning a
        number or a (number, ...) tuple, so a detector that gains a score (a learned tier's
        probability) gets a curve without changes here. Empty when the check has none.
        """
        state = GovernanceState()
        contexts = [CheckContext(action=Action(kind=kind, text=t), text=normalize(t), state=state) for t in texts]
        out: dict[str, list[float]] = {}
        for method, label in SCORE_METHODS:
            scorer = self._scorer(check, method)
            if scorer is None:
                continue
            values = []
            for ctx in contexts:
                result = scorer(ctx)
                value = result[0] if isinstance(result, tuple) else result
                if not isinstance(value, (int, float)):
                    break
                values.append(float(value))
            else:
                out[label] = values
        return out

    def _scorer(self, check: str, method: str) -> Any:
        if check not in self._checks:
            factory = self._registry.get(check)
            ok = factory is not None and check in self.policy.document.checks
            self._checks[check] = factory(self.policy.check_settings(check)) if ok else None  # type: ignore[misc]
        scorer = getattr(self._checks[check], method, None)
        return scorer if callable(scorer) else None

    def close(self) -> None:
        self._governor.close()

    def __enter__(self) -> GovernedRun:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

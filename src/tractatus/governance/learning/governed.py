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
from tractatus.governance.checks import CheckContext, default_registry
from tractatus.governance.governor import Governor
from tractatus.governance.normalize import normalize
from tractatus.governance.policy import Policy, load_policy
from tractatus.governance.state import GovernanceState


@dataclass(frozen=True, slots=True)
class Outcome:
    verdict: Verdict
    flagged_by: frozenset[str]  # checks with a finding whose verdict is not allow
    categories: frozenset[tuple[str, str]]  # (check, category) of those findings

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
        self._scorers: dict[str, Any] = {}

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
                )
            )
        return out

    def scores(self, texts: Sequence[str], kind: str, check: str) -> list[float] | None:
        """The check's own score per text, built with this policy's settings; None if it has none.

        Duck-typed on `score(ctx)` returning a number or a (number, ...) tuple, so a detector that
        gains a score (a learned tier) gets a curve without changes here.
        """
        scorer = self._scorer(check)
        if scorer is None:
            return None
        state = GovernanceState()
        values = []
        for text in texts:
            result = scorer(CheckContext(action=Action(kind=kind, text=text), text=normalize(text), state=state))
            value = result[0] if isinstance(result, tuple) else result
            if not isinstance(value, (int, float)):
                return None
            values.append(float(value))
        return values

    def _scorer(self, check: str) -> Any:
        if check not in self._scorers:
            factory = self._registry.get(check)
            scorer = None
            if factory is not None and check in self.policy.document.checks:
                scorer = getattr(factory(self.policy.check_settings(check)), "score", None)
            self._scorers[check] = scorer if callable(scorer) else None
        return self._scorers[check]

    def close(self) -> None:
        self._governor.close()

    def __enter__(self) -> GovernedRun:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

"""The Governor: select the checks a policy names, run them, combine their findings, fail closed.

Order of a decision:
1. agents held by a drift alert are stopped;
2. tool calls: an unknown tool is denied; the policy's tool verdict applies;
3. rate limits (state kept here, never in the agent);
4. text larger than `max_text_bytes` (text plus argument strings) is blocked unread;
5. the tool's structured rules and the text checks for the action's kind, on normalized text.
   Stateless checks are cached by content. Every check, the tool rules included, runs under the
   policy's `check_timeout_ms`: uncached work runs under a watchdog thread, so that a check that
   raises, hangs or is missing yields the policy's `on_error` verdict (block or escalate), never
   allow. The thread hop is skipped where nothing can hang: a cache hit does no work; tool rules
   (RE2, linear) and checks that declare `bounded = True` (checks.py) run on the caller's thread
   when the text is small and nothing unbounded is pending, and are timed, failing closed past
   the budget (a hop costs more than they do);
6. the most severe verdict wins; MODIFY carries the redacted text;
7. the decision is appended to the audit log and returned only once the record is durable.
   If it cannot be audited, the decision is BLOCK.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Callable, Hashable, Iterable, Mapping, Sequence

from tractatus.governance.actions import (
    Action,
    ActionKind,
    Decision,
    Finding,
    Severity,
    Verdict,
    action_text,
    canonical_json,
    sha256_hex,
)
from tractatus.governance.checks import Check, CheckContext, CheckFactory
from tractatus.governance.drift import hold_verdict
from tractatus.governance.normalize import normalize
from tractatus.governance.policy import Policy
from tractatus.governance.redact import redact
from tractatus.governance.registry import default_registry
from tractatus.governance.rules import RuleIndex
from tractatus.governance.state import GovernanceState
from tractatus.governance.watchdog import WatchdogTimeout, WatchdogWorkers

if TYPE_CHECKING:
    from tractatus.governance.audit import AuditLog
    from tractatus.governance.escalation import EscalationQueue

DecisionObserver = Callable[[Action, Decision], None]

# Tool rules and bounded checks on text up to this many characters run inline when nothing
# unbounded is pending. Not a governance threshold (the verdict is the same either way, and the
# elapsed time is still checked against the budget): it only decides when a thread hop is worth
# paying for. 100 RE2 rules, or normalization and a bounded check, over 4 K characters take well
# under a millisecond, far inside any sensible budget.
_INLINE_CHARS = 4096
_RULES = "tool_rules"  # the name tool rules carry in findings about their own failure


@dataclass(frozen=True, slots=True)
class _BoundCheck:
    name: str
    check: Check | None  # None when the policy names a check this registry does not have
    kind: str
    on_error: Verdict
    severity_verdicts: Mapping[Severity, Verdict]
    cacheable: bool
    bounded: bool = False  # may run on the caller's thread (checks.py: `bounded`)


def engine_finding(rule_id: str, message: str, verdict: Verdict, severity: Severity = Severity.HIGH) -> Finding:
    return Finding(
        source="governor",
        source_kind="engine",
        category=rule_id.split(".", 1)[-1],
        severity=severity,
        rule_id=rule_id,
        message=message,
        verdict=verdict,
    )


def _check_failure(bound: _BoundCheck, category: str, what: str) -> Finding:
    """A check that could not decide: the policy's fail-closed verdict, naming the check."""
    return Finding(
        source=bound.name,
        source_kind=bound.kind,
        category=category,
        severity=Severity.HIGH,
        rule_id=f"engine.{category}",
        message=f"check {bound.name!r} {what}; failing closed",
        verdict=bound.on_error,
    )


def models_digest(digests: Mapping[str, str]) -> str | None:
    """One digest for the model files a policy's checks use: sha256 over "name:sha256" lines."""
    if not digests:
        return None
    return sha256_hex("".join(f"{name}:{digest}\n" for name, digest in sorted(digests.items())))


class Governor:
    """Layer 1's single entry point. Thread-safe: many agents may share one governor."""

    def __init__(
        self,
        policy: Policy,
        *,
        audit: AuditLog | None = None,
        state: GovernanceState | None = None,
        registry: Mapping[str, CheckFactory] | None = None,
        escalations: EscalationQueue | None = None,
        observers: Iterable[DecisionObserver] = (),
        clock: Callable[[], int] = time.perf_counter_ns,
    ) -> None:
        self.policy = policy
        self.audit = audit
        self.escalations = escalations
        self.state = state if state is not None else GovernanceState()
        # Observers see every recorded decision, e.g. a DriftMonitor's observe_decision; callers
        # attach them explicitly, since what to watch (which agents) is the caller's choice.
        self._observers = tuple(observers)
        self._clock = clock
        doc = policy.document
        self._max_text_bytes = doc.limits.max_text_bytes
        self._timeout_s = doc.limits.check_timeout_ms / 1000.0
        first = doc.limits.first_check_timeout_ms
        self._first_timeout_s = max(self._timeout_s, first / 1000.0) if first is not None else self._timeout_s
        # Checks that have had their first run here: later runs get the ordinary budget. A first run
        # loads models and compiles patterns, which on a loaded machine can outlast the ordinary
        # budget and fail a correct decision closed. Marked when the run starts, so a check that
        # hangs on its first run gets the longer budget once, never again.
        self._started: set[str] = set()
        self._cache_limit = doc.limits.cache_entries
        self._cache: dict[Hashable, tuple[Finding, ...]] = {}
        self._on_error = Verdict.parse(doc.on_error)
        self._known_tools = {tool: Verdict.parse(v) for tool, v in doc.tools.known.items()}
        self._unknown_tool = Verdict.parse(doc.tools.unknown)
        self._rules = RuleIndex(doc.rules)
        self._rules_check = _BoundCheck(
            name=_RULES, check=None, kind="rules", on_error=self._on_error, severity_verdicts={}, cacheable=False
        )
        self._rate_limits = doc.rate_limits
        for name, spec in doc.budgets.items():
            self.state.define_budget(name, spec.limit, spec.window_s)
        self._model_digests: dict[str, str] = {}
        self._checks_by_kind = self._bind_checks(policy, registry if registry is not None else default_registry())
        # Every decision names the learned models it was made with, next to the policy digest.
        self.model_digest = models_digest(self._model_digests)
        # A kind no part of the policy speaks about cannot be decided: fail closed.
        self._known_kinds = frozenset(
            {ActionKind.TOOL_CALL.value, *self._checks_by_kind, *(k for r in doc.rules for k in r.kinds),
             *(k for limit in doc.rate_limits for k in limit.kinds)}
        )
        self._unknown_kind = Verdict.parse(doc.on_error)
        # One watchdog pool per governor. A hung check keeps its thread; the pool has spare
        # workers, and once every worker is stuck every decision times out: fail closed.
        self._pool = WatchdogWorkers(max_workers=4, name="tractatus-check")
        self._closed = False

    # -- construction ------------------------------------------------------------------------
    def _bind_checks(self, policy: Policy, registry: Mapping[str, CheckFactory]) -> dict[str, tuple[_BoundCheck, ...]]:
        by_kind: dict[str, list[_BoundCheck]] = {}
        built: dict[str, Check | None] = {}
        for name, entry in policy.document.checks.items():
            if not entry.enabled:
                continue
            factory = registry.get(name)
            check = factory(policy.check_settings(name)) if factory is not None else None
            kind = getattr(factory, "kind", "detector")
            cacheable = check is not None and (not check.stateful or hasattr(check, "cache_token"))
            bound = _BoundCheck(
                name=name,
                check=check,
                kind=kind,
                on_error=Verdict.parse(entry.on_error or policy.document.on_error),
                severity_verdicts={s: policy.severity_verdict(s, name) for s in Severity},
                cacheable=cacheable,
                bounded=check is not None and getattr(check, "bounded", False) is True,
            )
            built[name] = check
            self._model_digests.update(getattr(check, "model_digests", {}))
            for action_kind in entry.kinds:
                by_kind.setdefault(action_kind, []).append(bound)
        # Checks that judge with other checks (e.g. "no clickbait" instructions judged by the
        # clickbait detector) receive the instances built for this same policy.
        for check in built.values():
            bind = getattr(check, "bind_checks", None)
            if bind is not None:
                bind(dict(built))
        return {kind: tuple(checks) for kind, checks in by_kind.items()}

    # -- deciding ----------------------------------------------------------------------------
    def decide(self, action: Action) -> Decision:
        decision = self._evaluate(action)
        return self._record([(action, decision)])[0]

    def decide_batch(self, actions: Sequence[Action]) -> list[Decision]:
        """Decide many actions; their audit records are written in one group commit."""
        decisions = [self._evaluate(action) for action in actions]
        return self._record(list(zip(actions, decisions, strict=True)))

    def evaluate(self, action: Action) -> Decision:
        """Decide without auditing: for dry runs (`policy validate`, masks in tests). Never executes."""
        return self._evaluate(action)

    def _evaluate(self, action: Action) -> Decision:
        started = self._clock()
        findings: list[Finding] = []
        text = ""
        try:
            if self._closed:
                raise RuntimeError("governor is closed")
            hold = self.state.hold_reason(action.agent_id)
            if hold is not None:
                findings.append(engine_finding("drift.agent_held", f"agent is held: {hold}", hold_verdict(hold)))
            rules_tool = None
            if action.kind == ActionKind.TOOL_CALL or action.tool is not None:
                tool_findings, rules_tool = self._tool_findings(action)
                findings.extend(tool_findings)
            for limit in self._rate_limits:
                if action.kind in limit.kinds:
                    count = self.state.record_event(action.agent_id, limit.id, limit.window_s)
                    if count > limit.max_events:
                        findings.append(
                            engine_finding(
                                f"rate_limit.{limit.id}",
                                f"more than {limit.max_events} {action.kind} actions in {limit.window_s:g}s",
                                Verdict.parse(limit.verdict),
                            )
                        )
            if action.kind not in self._known_kinds:
                findings.append(
                    engine_finding("kind.unknown", f"action kind {action.kind!r} is not governed by the policy", self._unknown_kind)
                )
            checks = self._checks_by_kind.get(action.kind, ())
            if checks or rules_tool is not None:
                text = action_text(action)
                if len(text) * 4 > self._max_text_bytes and len(text.encode("utf-8", "surrogatepass")) > self._max_text_bytes:
                    findings.append(
                        engine_finding("input.too_large", f"text exceeds {self._max_text_bytes} bytes", Verdict.BLOCK)
                    )
                elif checks:
                    findings.extend(self._run_checks(action, text, checks, rules_tool))
                else:
                    findings.extend(self._run_rules(action, text, rules_tool))
        except Exception as exc:  # anything unexpected in the engine itself: fail closed
            findings.append(engine_finding("engine.error", f"governor error: {type(exc).__name__}", self._on_error))
        verdict = max((f.verdict for f in findings if f.verdict is not None), default=Verdict.ALLOW)
        modified = None
        if verdict == Verdict.MODIFY:
            modified = redact(text or action.text, (f for f in findings if f.verdict == Verdict.MODIFY))
        return Decision(
            verdict=verdict,
            findings=tuple(findings),
            policy_digest=self.policy.digest,
            model_digest=self.model_digest,
            latency_us=(self._clock() - started) / 1000.0,
            modified_text=modified,
            action=action,
        )

    def _tool_findings(self, action: Action) -> tuple[list[Finding], str | None]:
        """The tool gate's findings, and the tool whose structured rules must run (None: none)."""
        tool = action.tool
        if tool is None:
            return [engine_finding("tool.missing", "tool call names no tool", self._unknown_tool)], None
        verdict = self._known_tools.get(tool)
        if verdict is None:
            return [engine_finding("tool.unknown", f"tool {tool!r} is not in the policy", self._unknown_tool)], None
        found = []
        if verdict != Verdict.ALLOW:
            found.append(engine_finding(f"tool.{verdict.label}", f"policy marks tool {tool!r} {verdict.label}", verdict))
        return found, (tool if self._rules.covers(tool) else None)

    def _run_checks(
        self, action: Action, text: str, checks: Sequence[_BoundCheck], rules_tool: str | None = None
    ) -> list[Finding]:
        """Tool rules (when `rules_tool` is given) and text checks, every one under the time budget."""
        results: list[Finding] = []
        pending: list[tuple[_BoundCheck, Hashable | None]] = []
        for bound in checks:
            key = self._cache_key(bound, action, text) if self._cache_limit and bound.cacheable else None
            cached = self._cache.get(key) if key is not None else None
            if cached is not None:
                results.extend(cached)
            else:
                pending.append((bound, key))
        if pending and all(bound.bounded for bound, _ in pending) and len(text) <= _INLINE_CHARS:
            results.extend(self._inline(action, text, pending, rules_tool))
        elif pending:
            results.extend(self._watched(action, text, pending, rules_tool))
        elif rules_tool is not None:
            results.extend(self._run_rules(action, text, rules_tool))
        return results

    def _run_rules(self, action: Action, text: str, tool: str) -> list[Finding]:
        """Only tool rules to run: inline on small arguments, timed; under the watchdog otherwise."""
        if len(text) > _INLINE_CHARS:
            return self._watched(action, text, (), tool)
        return self._inline(action, text, (), tool)

    def _inline(
        self, action: Action, text: str, pending: Sequence[tuple[_BoundCheck, Hashable | None]], rules_tool: str | None
    ) -> list[Finding]:
        """Work that cannot hang (tool rules, bounded checks, on small text) on the caller's thread:
        no hop, but the same budget; past it, fail closed naming the part that was running."""
        budget = self._budget(pending, rules_tool)
        progress: list[str] = []
        started = self._clock()
        found = self._run_uncached(action, text, pending, progress, rules_tool)
        if (self._clock() - started) / 1e9 <= budget:
            return found
        return [self._timeout_failure(pending, progress, rules_tool)]

    def _watched(
        self, action: Action, text: str, pending: Sequence[tuple[_BoundCheck, Hashable | None]], rules_tool: str | None
    ) -> list[Finding]:
        """Run tool rules and uncached checks on the watchdog pool; past the budget, fail closed."""
        budget = self._budget(pending, rules_tool)
        progress: list[str] = []
        started = self._clock()
        try:
            found = self._pool.run(lambda: self._run_uncached(action, text, pending, progress, rules_tool), budget)
            # The work may have finished before this thread got to wait for it: what counts is how
            # long it took, so a result that came in over budget fails closed like a hung one.
            if (self._clock() - started) / 1e9 <= budget:
                return found
        except WatchdogTimeout:
            pass
        return [self._timeout_failure(pending, progress, rules_tool)]

    def _budget(self, pending: Sequence[tuple[_BoundCheck, Hashable | None]], rules_tool: str | None) -> float:
        """Seconds for this work: the ordinary budget per check (and for the tool rules, compiled
        with the policy), the first-run budget for a check's first run in this governor."""
        budget = self._timeout_s * (rules_tool is not None)
        for bound, _ in pending:
            budget += self._timeout_s if bound.name in self._started else self._first_timeout_s
            self._started.add(bound.name)
        return budget

    def _timeout_failure(
        self, pending: Sequence[tuple[_BoundCheck, Hashable | None]], progress: list[str], rules_tool: str | None
    ) -> Finding:
        running = progress[-1] if progress else (_RULES if rules_tool is not None else pending[0][0].name)
        culprit = next((b for b, _ in pending if b.name == running), self._rules_check)
        return _check_failure(culprit, "check_timeout", "did not finish within its time budget")

    def _run_uncached(
        self,
        action: Action,
        text: str,
        pending: Sequence[tuple[_BoundCheck, Hashable | None]],
        progress: list[str],
        rules_tool: str | None = None,
    ) -> list[Finding]:
        out: list[Finding] = []
        if rules_tool is not None:
            progress.append(_RULES)
            out.extend(self._rules.evaluate(action.kind, rules_tool, action.arguments))
        if not pending:
            return out
        ctx = CheckContext(action=action if text == action.text else replace(action, text=text), text=normalize(text), state=self.state)
        for bound, key in pending:
            progress.append(bound.name)
            found = self._run_one(bound, ctx)
            if key is not None and not any(f.rule_id == "engine.check_error" for f in found):
                if len(self._cache) >= self._cache_limit:
                    self._cache.clear()  # bounded by epochs: cheaper than LRU bookkeeping per hit
                self._cache[key] = found
            out.extend(found)
        return out

    def _run_one(self, bound: _BoundCheck, ctx: CheckContext) -> tuple[Finding, ...]:
        if bound.check is None:
            return (_check_failure(bound, "check_error", "is not installed"),)
        try:
            raw = bound.check.evaluate(ctx)
            return tuple(
                f if f.verdict is not None else replace(f, verdict=bound.severity_verdicts[f.severity]) for f in raw
            )
        except Exception as exc:
            return (_check_failure(bound, "check_error", f"raised {type(exc).__name__}"),)

    def _cache_key(self, bound: _BoundCheck, action: Action, text: str) -> Hashable | None:
        token = None
        if bound.check is not None and bound.check.stateful:
            token = bound.check.cache_token(self.state)  # type: ignore[attr-defined]
            if token is None:
                return None
        # Everything a check may read besides the text: the tool, non-string arguments, and the
        # context (consent, session metrics, reasoning).
        arguments = canonical_json(dict(action.arguments)) if action.arguments else ""
        context = canonical_json(dict(action.context)) if action.context else ""
        return (bound.name, action.kind, action.tool, text, arguments, context, token)

    # -- recording ---------------------------------------------------------------------------
    def _record(self, pairs: list[tuple[Action, Decision]]) -> list[Decision]:
        if self.escalations is not None and any(d.verdict == Verdict.ESCALATE for _, d in pairs):
            pairs = self._escalate(pairs)
        if self.audit is not None:
            try:
                seqs = self.audit.append_decisions(pairs)
            except Exception as exc:  # not audited means not allowed
                failure = engine_finding("audit.unavailable", f"audit log unavailable: {type(exc).__name__}", Verdict.BLOCK)
                return [d.replace(verdict=Verdict.BLOCK, findings=(*d.findings, failure), modified_text=None) for _, d in pairs]
            pairs = [(a, d.replace(audit_seq=seq)) for (a, d), seq in zip(pairs, seqs, strict=True)]
        decisions = [d for _, d in pairs]
        for observer in self._observers:
            for action, decision in pairs:
                observer(action, decision)
        return decisions

    def _escalate(self, pairs: list[tuple[Action, Decision]]) -> list[tuple[Action, Decision]]:
        """Queue the batch's escalated actions for a person, in one transaction. If they cannot
        be queued, nobody will review them: block."""
        assert self.escalations is not None
        escalated = [i for i, (_, d) in enumerate(pairs) if d.verdict == Verdict.ESCALATE]
        out = list(pairs)
        try:
            ids = self.escalations.submit_many([pairs[i] for i in escalated])
        except Exception as exc:
            failure = engine_finding("escalation.unavailable", f"escalation queue unavailable: {type(exc).__name__}", Verdict.BLOCK)
            for i in escalated:
                a, d = pairs[i]
                out[i] = (a, d.replace(verdict=Verdict.BLOCK, findings=(*d.findings, failure), modified_text=None))
            return out
        for i, escalation_id in zip(escalated, ids, strict=True):
            a, d = pairs[i]
            out[i] = (a, d.replace(escalation_id=str(escalation_id)))
        return out

    # -- lifecycle ---------------------------------------------------------------------------
    def close(self) -> None:
        self._closed = True
        self._pool.close()

    def __enter__(self) -> Governor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

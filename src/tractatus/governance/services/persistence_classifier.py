"""InstructionPersistenceClassifier: how long an instruction should bind, and how strictly.

`classify(text)` returns an `Instruction`: quadrant, persistence, temporal scope, explicitness,
verification level, extracted parameters and prohibitions. Explicit instructions that are meant
to last ("use port 27027 for this project", "never use MongoDB") persist and are checked against
later actions by the CrossReferenceValidator; a passing remark does not.

What it does differently from the original keyword matcher:

- explicitness is a weighted sum of phrase features (directive mood, specific parameters or
  prohibitions, an explicit time scope, emphasis, minus hedges), with weights and persistence
  thresholds in the policy file, not in code;
- only an explicit permanence phrase ("never", "always", "from now on", "under no
  circumstances"...) makes an instruction permanent; "not X" does not, and "don't forget the
  meeting" is a reminder;
- one "should", "design" or "important" adds little explicitness and cannot by itself make an
  instruction binding or require a person.

As a check (on `instruction` actions) it records the classification as an INFO finding, so the
audit log shows how each instruction was filed; storing the instruction in the governance state
is the caller's decision.
"""

from __future__ import annotations

import re
from typing import ClassVar, Sequence

from pydantic import Field

from tractatus.governance.actions import (
    Finding,
    Instruction,
    Persistence,
    Quadrant,
    Severity,
    TemporalScope,
    VerificationLevel,
)
from tractatus.governance.checks import CheckContext, CheckSettings
from tractatus.governance.lazy_pattern import lazy_compile
from tractatus.governance.normalize import normalize
from tractatus.governance.services import parameters, prohibitions
from tractatus.governance.services.patterns import alternation, phrases
from tractatus.governance.services.settings_rules import StrictModel


class ExplicitnessWeights(StrictModel):
    """How much each feature of an instruction adds to its explicitness (0..1, clipped)."""

    strong_directive: float = Field(ge=0, le=1, description="imperative mood, must/never/always, 'no X'")
    weak_directive: float = Field(ge=0, le=1, description="should, please, would like, remember to")
    specificity: float = Field(ge=0, le=1, description="names a parameter or a prohibited thing")
    temporal_marker: float = Field(ge=0, le=1, description="states how long it holds")
    emphasis: float = Field(ge=0, le=1, description="important, critical, essential")
    hedge: float = Field(ge=0, le=1, description="subtracted for maybe, perhaps, if possible, I think")


class PersistenceClassifierSettings(CheckSettings):
    weights: ExplicitnessWeights
    high_persistence_min_explicitness: float = Field(ge=0, le=1)
    medium_persistence_min_explicitness: float = Field(ge=0, le=1)
    authoritative_sources: tuple[str, ...] = Field(description="sources whose instructions are HIGH persistence")


_SCOPE_MARKERS: tuple[tuple[TemporalScope, re.Pattern[str]], ...] = (
    (
        TemporalScope.PERMANENT,
        phrases(
            "always", "never", "from now on", "going forward", "henceforth", "at all times", "in all cases",
            "in every case", "under no circumstances", "without exception", "permanently", "forever",
            "for all future", "as a rule", "as a general rule", "every time", "whenever",
        ),
    ),
    (
        TemporalScope.PROJECT,
        phrases(
            "for this project", "throughout the project", "in this project", "for the project", "in this repo",
            "in this repository", "in this codebase", "across the codebase", "across the project", "until release",
            "until the release", "for this release", "for this product", "until further notice",
            "for the rest of the project",
        ),
    ),
    (
        TemporalScope.SESSION,
        phrases(
            "for this session", "this session", "for now", "for today", "today", "in this conversation",
            "for this conversation", "for the rest of the session", "for the rest of this session",
            "for the rest of the conversation", "this afternoon", "this morning", "tonight",
        ),
    ),
    (
        TemporalScope.IMMEDIATE,
        phrases(
            "right now", "immediately", "now", "asap", "at once", "this time", "just this once", "for this task",
            "for this step", "for this request", "next",
        ),
    ),
)

# A statement of how the system is configured binds like an order when it names a parameter:
# "the database is at db.internal:27027", "MongoDB runs on port 27027".
_CONFIG_STATEMENT = lazy_compile(
    r"\b(?:is|are|runs?|listens?|lives?|sits?|located|hosted|available|reachable|served|deployed)\s+(?:now\s+|only\s+)?"
    r"(?:at|on|in|under|from|via)\b",
    re.IGNORECASE,
)
# Directive mood. "do not"/"don't" count only at the head of a clause ("I don't know" is not one).
_STRONG = lazy_compile(
    r"(?<!\w)(?:must|mustn't|shall|never|always|required|mandatory|make\s+sure|ensure|under\s+no\s+circumstances|"
    r"only\s+use|exclusively|have\s+to|has\s+to|(?<!no\s)need\s+to|needs\s+to|not\s+allowed|not\s+permitted|forbidden|"
    r"prohibited|banned)(?!\w)"
    r"|(?:^|[.;:!?\n,]\s*|\bplease\s+|\byou\s+)(?:do\s+not|don't|dont|may\s+not|cannot|can't)\s+(?!"
    + alternation(prohibitions.REMINDER_VERBS)
    + r"\b)",
    re.IGNORECASE,
)
_WEAK = phrases(
    "should", "ought to", "please", "would like", "want you to", "it would be good", "remember to",
    "don't forget", "do not forget", "try to", "prefer",
)
_HEDGE = phrases(
    "maybe", "perhaps", "might", "could", "possibly", "if possible", "if you can", "would be nice", "consider",
    "i think", "i guess", "not sure", "probably", "ideally",
)
_EMPHASIS = phrases("important", "critical", "crucial", "essential", "vital", "top priority")
_IMPERATIVE_VERBS = (
    "use", "set", "keep", "make", "run", "deploy", "connect", "store", "save", "write", "add", "remove", "delete",
    "avoid", "follow", "configure", "send", "call", "create", "fix", "update", "change", "rename", "move",
    "install", "include", "stick", "limit", "restrict", "apply", "enable", "disable", "check", "verify", "test",
    "review", "cite", "respect", "protect", "log", "report", "document", "put", "commit", "push", "merge",
    "build", "publish", "post", "point", "bind", "listen", "refrain", "stay", "maintain", "prioritize",
    "prioritise", "focus", "treat", "require", "block", "allow", "reject", "escalate", "never", "always", "stop",
    "respond", "reply", "answer", "format", "return", "output", "print", "show", "display", "explain", "summarize",
    "summarise", "translate", "speak", "ask", "tell", "exclude", "skip", "ignore", "remember", "mention", "describe",
    "list", "provide", "generate", "produce", "be", "go", "start", "begin", "continue", "finish", "wait", "notify",
    "schedule", "cancel", "approve", "deny", "read", "open", "close", "load", "upload", "download", "upgrade",
    "downgrade", "pin", "lock", "tag", "label", "name", "sort", "filter", "group", "split", "copy", "link", "migrate",
    "backup", "restore", "encrypt", "hash", "validate", "sanitize", "escape", "cache", "retry", "timeout", "target",
)
# The head of a clause, after an optional "please"/"then"/"and", is an imperative verb or "no X".
_IMPERATIVE = lazy_compile(
    r"(?:^|[.;:!?\n]\s*|,\s*(?:and\s+|then\s+)?)(?:please\s+|then\s+|and\s+|also\s+)?(?:"
    + alternation(_IMPERATIVE_VERBS)
    + r"\b|no\s+(?!(?:need|problem|problems|worries|thanks|idea|doubt|way|matter|one|rush)\b)\w)",
    re.IGNORECASE,
)

_QUADRANT_VOCABULARY: tuple[tuple[Quadrant, re.Pattern[str]], ...] = (
    (
        Quadrant.SYSTEM,
        phrases(
            "configure", "configuration", "config", "database", "server", "port", "host", "deployment",
            "infrastructure", "environment variable", "environment variables", "api key", "api keys",
            "credentials", "permissions", "firewall", "docker", "kubernetes", "dependency", "dependencies",
            "library", "framework", "runtime", "schema", "migration", "tls", "ssl", "encryption", "backup",
            "backups", "cluster", "endpoint", "network",
        ),
    ),
    (
        Quadrant.STRATEGIC,
        phrases(
            "mission", "vision", "values", "principle", "principles", "long-term", "long term", "strategy",
            "strategic", "brand", "reputation", "ethics", "ethical", "privacy", "user trust", "trust", "accuracy",
            "accurate", "integrity", "honesty", "honest", "transparency", "fairness", "safety", "clickbait",
            "sensational", "sensationalism", "misleading", "wellbeing", "well-being", "our goal", "our users",
        ),
    ),
    (
        Quadrant.OPERATIONAL,
        phrases(
            "process", "workflow", "procedure", "code review", "code reviews", "review", "tests", "testing",
            "documentation", "docs", "commit", "commits", "pull request", "pull requests", "style guide",
            "convention", "conventions", "naming", "formatting", "reporting", "meeting", "meetings", "schedule",
            "deadline", "sprint", "release", "changelog", "standup", "responses", "replies", "answers", "format",
            "style", "tone", "every", "each", "all new", "always",
        ),
    ),
    (
        Quadrant.TACTICAL,
        phrases(
            "fix", "rename", "refactor", "this function", "this file", "this bug", "the button", "next step",
            "this method", "this class", "this line", "this test", "this page",
        ),
    ),
    (
        Quadrant.STOCHASTIC,
        phrases(
            "try", "explore", "experiment", "brainstorm", "maybe", "perhaps", "ideas", "alternatives", "creative",
            "creatively", "surprise me", "feel free", "whatever you think", "random", "play around",
        ),
    ),
)
# When no scope is stated: how long an instruction of each quadrant naturally holds.
_DEFAULT_SCOPE = {
    Quadrant.STRATEGIC: TemporalScope.PROJECT,
    Quadrant.SYSTEM: TemporalScope.PROJECT,
    Quadrant.OPERATIONAL: TemporalScope.PROJECT,
    Quadrant.TACTICAL: TemporalScope.IMMEDIATE,
    Quadrant.STOCHASTIC: TemporalScope.SESSION,
}


class InstructionPersistenceClassifier:
    name: ClassVar[str] = "instruction_persistence_classifier"
    kind: ClassVar[str] = "service"
    stateful: ClassVar[bool] = False  # reads the action's text and source only
    Settings: ClassVar[type[CheckSettings]] = PersistenceClassifierSettings

    def __init__(self, settings: PersistenceClassifierSettings) -> None:
        self.settings = settings

    # -- domain API ------------------------------------------------------------------------
    def classify(self, text: str, *, source: str = "user") -> Instruction:
        """Classify one instruction. `text` is normalized first (homoglyphs, zero-width, curly quotes...)."""
        return self._classify(normalize(text).text, original=text, source=source)

    def _classify(self, text: str, *, original: str, source: str) -> Instruction:
        forbidden = prohibitions.extract(text)
        # Parameters named inside a prohibition ("never use port 27017") are not instructed values.
        allowed_text = text
        for p in forbidden:
            allowed_text = allowed_text[: p.start] + " " * (p.end - p.start) + allowed_text[p.end :]
        params = parameters.extract_from_text(allowed_text)

        scope_marker = next((scope for scope, pattern in _SCOPE_MARKERS if pattern.search(text)), None)
        if scope_marker is None and any(p.permanent for p in forbidden):
            scope_marker = TemporalScope.PERMANENT
        quadrant = self._quadrant(text, has_parameters=bool(params))
        explicitness = self._explicitness(
            text,
            specific=bool(params or forbidden),
            scoped=scope_marker is not None,
            configures=bool(params) and _CONFIG_STATEMENT.search(text) is not None,
        )
        if scope_marker is not None:
            scope = scope_marker
        elif forbidden:
            scope = TemporalScope.PROJECT  # a prohibition is a standing rule unless it says otherwise
        else:
            scope = _DEFAULT_SCOPE[quadrant]
        persistence = self._persistence(quadrant, scope, explicitness, source)
        if persistence == Persistence.HIGH and scope == TemporalScope.IMMEDIATE:
            scope = TemporalScope.PROJECT  # an authoritative constraint outlives the moment it was stated
        return Instruction(
            text=original,
            quadrant=quadrant,
            persistence=persistence,
            temporal_scope=scope,
            explicitness=round(explicitness, 3),
            verification=self._verification(persistence, quadrant, bool(forbidden)),
            parameters=parameters.simplify(params),
            prohibitions=tuple(p.term for p in forbidden),
            source=source,
        )

    @staticmethod
    def _quadrant(text: str, *, has_parameters: bool) -> Quadrant:
        """The quadrant whose vocabulary the text uses most; ties go to the earlier quadrant.

        The order SYSTEM, STRATEGIC, OPERATIONAL, TACTICAL, STOCHASTIC breaks ties toward the
        quadrant whose mistakes cost most. Explicit parameters count as one more SYSTEM hit.
        """
        best, best_hits = Quadrant.TACTICAL, 0
        for quadrant, pattern in _QUADRANT_VOCABULARY:
            hits = len(pattern.findall(text)) + (1 if quadrant == Quadrant.SYSTEM and has_parameters else 0)
            if hits > best_hits:
                best, best_hits = quadrant, hits
        return best

    def _explicitness(self, text: str, *, specific: bool, scoped: bool, configures: bool) -> float:
        w = self.settings.weights
        score = 0.0
        if configures or _STRONG.search(text) or _IMPERATIVE.search(text):
            score += w.strong_directive
        elif _WEAK.search(text):
            score += w.weak_directive
        if specific:
            score += w.specificity
        if scoped:
            score += w.temporal_marker
        if _EMPHASIS.search(text):
            score += w.emphasis
        if _HEDGE.search(text):
            score -= w.hedge
        return min(1.0, max(0.0, score))

    def _persistence(self, quadrant: Quadrant, scope: TemporalScope, explicitness: float, source: str) -> Persistence:
        s = self.settings
        if source in s.authoritative_sources:
            return Persistence.HIGH
        if quadrant == Quadrant.STOCHASTIC:
            return Persistence.VARIABLE
        if scope == TemporalScope.IMMEDIATE:
            return Persistence.LOW
        if scope == TemporalScope.PERMANENT and explicitness >= s.medium_persistence_min_explicitness:
            return Persistence.HIGH
        if quadrant in (Quadrant.SYSTEM, Quadrant.STRATEGIC) and explicitness >= s.high_persistence_min_explicitness:
            return Persistence.HIGH
        if explicitness >= s.medium_persistence_min_explicitness:
            return Persistence.MEDIUM
        return Persistence.LOW

    @staticmethod
    def _verification(persistence: Persistence, quadrant: Quadrant, prohibits: bool) -> VerificationLevel:
        if persistence == Persistence.HIGH and (quadrant in (Quadrant.SYSTEM, Quadrant.STRATEGIC) or prohibits):
            return VerificationLevel.MANDATORY
        if persistence == Persistence.HIGH or (persistence == Persistence.MEDIUM and quadrant == Quadrant.SYSTEM):
            return VerificationLevel.REQUIRED
        if persistence == Persistence.MEDIUM:
            return VerificationLevel.RECOMMENDED
        return VerificationLevel.OPTIONAL

    # -- Check interface -------------------------------------------------------------------
    def evaluate(self, ctx: CheckContext) -> Sequence[Finding]:
        source = ctx.action.context.get("source", "user")
        instruction = self._classify(
            ctx.text.text, original=ctx.action.text, source=source if isinstance(source, str) else "user"
        )
        forbids = f"; prohibits: {', '.join(instruction.prohibitions)}" if instruction.prohibitions else ""
        return (
            Finding(
                source=self.name,
                source_kind=self.kind,
                category="instruction_classified",
                severity=Severity.INFO,
                rule_id="classifier.instruction",
                message=(
                    f"{instruction.quadrant.value} instruction, {instruction.persistence.value} persistence, "
                    f"{instruction.temporal_scope.value} scope, explicitness {instruction.explicitness:.2f}, "
                    f"verification {instruction.verification.value}{forbids}"
                ),
            ),
        )

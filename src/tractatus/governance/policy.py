"""Policy documents: schema, loading, validation and digest.

A policy is a YAML file validated with pydantic. A bad file is refused with one line naming the
file, the line and the field, before anything runs. A loaded `Policy` is immutable (frozen
models, read-only views) and carries the SHA-256 digest of its canonical content; every decision
names the digest of the policy that made it.
"""

from __future__ import annotations

import re
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, Mapping

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from tractatus.governance.actions import Severity, Verdict, canonical_json, sha256_hex
from tractatus.governance.checks import CheckFactory, CheckSettings
from tractatus.governance.errors import PolicyError

VerdictName = Literal["allow", "warn", "modify", "escalate", "block"]
FailClosedVerdict = Literal["block", "escalate"]
SeverityName = Literal["info", "low", "medium", "high", "critical"]


def valid_regex(value: str | None) -> str | None:
    """A pydantic validator body: the pattern compiles, or the policy error says why."""
    if value is not None:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"invalid regular expression: {exc}") from None
    return value


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Limits(_Model):
    max_text_bytes: int = Field(gt=0, description="Texts larger than this are refused as input.")
    check_timeout_ms: float = Field(gt=0, description="A check slower than this fails closed.")
    cache_entries: int = Field(ge=0, description="Bound on cached stateless findings (0 disables).")


class Condition(_Model):
    """A test on one argument of a tool call. Every operator given must hold."""

    eq: Any = None
    ne: Any = None
    in_: list[Any] | None = Field(default=None, alias="in")
    not_in: list[Any] | None = None
    regex: str | None = None
    prefix: str | None = None
    contains: str | None = None
    gt: float | None = None
    gte: float | None = None
    lt: float | None = None
    lte: float | None = None
    exists: bool | None = None

    @field_validator("regex")
    @classmethod
    def _regex_compiles(cls, value: str | None) -> str | None:
        return valid_regex(value)

    @model_validator(mode="after")
    def _has_operator(self) -> Condition:
        if not self.model_dump(exclude_none=True, by_alias=True):
            raise ValueError("a condition needs at least one operator (eq, ne, in, not_in, regex, ...)")
        return self


class Rule(_Model):
    """A structured rule on tool calls: when every condition on the arguments holds, `verdict`."""

    id: str = Field(min_length=1)
    description: str = ""
    tool: str = Field(min_length=1, description='Tool name, or "*" for every tool.')
    kinds: tuple[str, ...] = ("tool_call",)
    when: dict[str, Condition] = Field(default_factory=dict, description="argument path -> condition")
    verdict: VerdictName
    severity: SeverityName = "high"


class RateLimit(_Model):
    """At most `max_events` actions of `kinds` per agent in `window_s` seconds."""

    id: str = Field(min_length=1)
    kinds: tuple[str, ...]
    max_events: int = Field(gt=0)
    window_s: float = Field(gt=0)
    verdict: FailClosedVerdict = "block"


class BudgetSpec(_Model):
    """A budget shared by all agents (e.g. PII exposures, escalations); 0 window = lifetime."""

    limit: float = Field(ge=0)
    window_s: float = Field(default=0.0, ge=0)


class Tools(_Model):
    unknown: FailClosedVerdict = "block"
    known: dict[str, VerdictName] = Field(default_factory=dict)


class CheckPolicy(_Model):
    kinds: tuple[str, ...] = Field(min_length=1)
    settings: dict[str, Any] = Field(default_factory=dict)
    severity_verdicts: dict[SeverityName, VerdictName] | None = None
    on_error: FailClosedVerdict | None = None
    enabled: bool = True


class PolicyDocument(_Model):
    version: Literal[1]
    name: str = Field(min_length=1)
    description: str = ""
    limits: Limits
    on_error: FailClosedVerdict = "block"
    severity_verdicts: dict[SeverityName, VerdictName]
    tools: Tools = Field(default_factory=Tools)
    rules: tuple[Rule, ...] = ()
    rate_limits: tuple[RateLimit, ...] = ()
    budgets: dict[str, BudgetSpec] = Field(default_factory=dict)
    checks: dict[str, CheckPolicy] = Field(default_factory=dict)
    drift: dict[str, Any] | None = Field(default=None, description="Drift monitor settings (see drift.py).")

    @field_validator("severity_verdicts")
    @classmethod
    def _covers_every_severity(cls, value: dict[str, str]) -> dict[str, str]:
        missing = [s.label for s in Severity if s.label not in value]
        if missing:
            raise ValueError(f"must give a verdict for every severity; missing: {', '.join(missing)}")
        return value

    @model_validator(mode="after")
    def _unique_rule_ids(self) -> PolicyDocument:
        seen: set[str] = set()
        for rule in self.rules:
            if rule.id in seen:
                raise ValueError(f"duplicate rule id {rule.id!r}")
            seen.add(rule.id)
        return self


class Policy:
    """An immutable, validated policy with its digest and its checks' validated settings."""

    __slots__ = ("_check_settings", "digest", "document", "source")

    document: PolicyDocument
    digest: str
    source: str
    _check_settings: Mapping[str, CheckSettings]

    def __init__(self, document: PolicyDocument, check_settings: Mapping[str, CheckSettings], source: str) -> None:
        object.__setattr__(self, "document", document)
        object.__setattr__(self, "digest", sha256_hex(canonical_json(document.model_dump(mode="json", by_alias=True))))
        object.__setattr__(self, "source", source)
        object.__setattr__(self, "_check_settings", MappingProxyType(dict(check_settings)))

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("a loaded Policy is immutable")

    @property
    def name(self) -> str:
        return self.document.name

    def check_settings(self, name: str) -> CheckSettings:
        try:
            return self._check_settings[name]
        except KeyError:
            raise PolicyError(f"{self.source}: policy has no settings for check {name!r}") from None

    def severity_verdict(self, severity: Severity, check: str | None = None) -> Verdict:
        mapping: Mapping[str, str] = {str(k): str(v) for k, v in self.document.severity_verdicts.items()}
        if check is not None:
            override = self.document.checks[check].severity_verdicts
            if override and severity.label in override:
                return Verdict.parse(override[severity.label])
        return Verdict.parse(mapping[severity.label])

    def __repr__(self) -> str:
        return f"Policy(name={self.name!r}, digest={self.digest[:12]}, source={self.source!r})"


# -- loading ------------------------------------------------------------------------------


def load_policy(path: str | Path, registry: Mapping[str, CheckFactory] | None = None) -> Policy:
    """Load and validate a policy file. Raises PolicyError naming file, line and field."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise PolicyError(f"{path}: cannot read policy file ({exc.strerror or exc})") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PolicyError(f"{path}: policy file is not valid UTF-8 (byte {exc.start})") from None
    return parse_policy(text, source=str(path), registry=registry)


def parse_policy(text: str, *, source: str = "<policy>", registry: Mapping[str, CheckFactory] | None = None) -> Policy:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise PolicyError(f"{source}{where}: invalid YAML: {problem}") from None
    if not isinstance(data, dict):
        raise PolicyError(f"{source}:1: a policy must be a YAML mapping with version, name, limits, ...")
    duplicate = _first_duplicate_key(node)
    if duplicate is not None:
        # YAML keeps the last of two equal keys silently: a threshold set twice is a mistake.
        key, line = duplicate
        raise PolicyError(f"{source}:{line}: {key}: duplicate key")
    try:
        document = PolicyDocument.model_validate(data)
    except ValidationError as exc:
        raise _policy_error(source, node, exc, prefix=()) from None

    if registry is None:
        from tractatus.governance.checks import default_registry

        registry = default_registry()
    settings: dict[str, CheckSettings] = {}
    for name, entry in document.checks.items():
        factory = registry.get(name)
        if factory is None:
            line = _line_of(node, ("checks", name))
            known = ", ".join(sorted(registry)) or "none"
            raise PolicyError(f"{source}:{line}: checks.{name}: unknown check (known: {known})")
        try:
            settings[name] = factory.Settings.model_validate(entry.settings)
        except ValidationError as exc:
            raise _policy_error(source, node, exc, prefix=("checks", name, "settings")) from None
    return Policy(document, settings, source)


def _first_duplicate_key(node: yaml.Node | None, path: str = "") -> tuple[str, int] | None:
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            name = f"{path}.{key.value}" if path else str(key.value)
            if key.value in seen:
                return name, key.start_mark.line + 1
            seen.add(key.value)
            found = _first_duplicate_key(value, name)
            if found is not None:
                return found
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            found = _first_duplicate_key(item, f"{path}.{index}")
            if found is not None:
                return found
    return None


def _policy_error(source: str, node: yaml.Node | None, exc: ValidationError, prefix: tuple[str, ...]) -> PolicyError:
    first = exc.errors()[0]
    loc = prefix + tuple(str(part) for part in first["loc"])
    field = ".".join(loc) or "(document)"
    line = _line_of(node, loc)
    message = first["msg"]
    if first["type"] == "extra_forbidden":
        message = "unknown field"
    elif first["type"] == "missing":
        message = "required field is missing"
    return PolicyError(f"{source}:{line}: {field}: {message}")


def _line_of(node: yaml.Node | None, loc: tuple[str, ...]) -> int:
    """The 1-based line of the deepest YAML node along `loc` that exists."""
    line = node.start_mark.line + 1 if node is not None else 1
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            pair = next(((key, value) for key, value in node.value if str(key.value) == part), None)
            if pair is None:
                return line
            line = pair[0].start_mark.line + 1  # the key's line: where a person looks for the field
            node = pair[1]
        elif isinstance(node, yaml.SequenceNode) and part.isdigit() and int(part) < len(node.value):
            node = node.value[int(part)]
            line = node.start_mark.line + 1
        else:
            return line
    return line


def policies_dir() -> Path:
    """The project's `policies/` folder (the repository root's, next to `src/`)."""
    return Path(__file__).resolve().parents[3] / "policies"


def bundled_policy_path(name: str = "default") -> Path:
    """Path of a policy shipped in `policies/`, e.g. "default" or "lab-engagement"."""
    path = policies_dir() / f"{name}.yaml"
    if not path.is_file():
        raise PolicyError(f"{path}: no such bundled policy {name!r}")
    return path

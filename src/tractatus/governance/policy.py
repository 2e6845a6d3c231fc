"""Policy documents: schema, loading, validation and digest.

A policy is a YAML file validated with pydantic. A bad file is refused with one line naming the
file, the line and the field, before anything runs. A policy may `extends:` another file; the
chain is resolved first (policy_extends.py) and the resolved document is what is validated, run
and digested. A loaded `Policy` is immutable (frozen models, read-only views) and carries the
SHA-256 digest of its canonical content; every decision names the digest of the policy that made it.
"""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, Mapping

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from tractatus.governance.actions import KindName, Severity, Verdict, canonical_json, sha256_hex
from tractatus.governance.checks import CheckFactory, CheckSettings
from tractatus.governance.errors import PolicyError
from tractatus.governance.policy_extends import read_policy_file, resolve_extends
from tractatus.governance.policy_regex import valid_regex
from tractatus.governance.policy_yaml import PolicyYaml, locate, read_policy_yaml

VerdictName = Literal["allow", "warn", "modify", "escalate", "block"]
FailClosedVerdict = Literal["block", "escalate"]
SeverityName = Literal["info", "low", "medium", "high", "critical"]




class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Limits(_Model):
    max_text_bytes: int = Field(gt=0, description="Texts larger than this are refused as input.")
    check_timeout_ms: float = Field(gt=0, description="A check slower than this fails closed.")
    first_check_timeout_ms: float | None = Field(
        default=None,
        gt=0,
        description="Budget of each check's first run in a governor, when it loads its models and compiles its "
        "patterns once (unset: check_timeout_ms). Still a bound: a first run past it fails closed.",
    )
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
    kinds: tuple[KindName, ...] = ("tool_call",)
    when: dict[str, Condition] = Field(default_factory=dict, description="argument path -> condition")
    verdict: VerdictName
    severity: SeverityName = "high"


class RateLimit(_Model):
    """At most `max_events` actions of `kinds` per agent in `window_s` seconds."""

    id: str = Field(min_length=1)
    kinds: tuple[KindName, ...]
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
    kinds: tuple[KindName, ...] = Field(min_length=1)
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
    """Load and validate a policy file (resolving `extends:`). Raises PolicyError naming file, line and field."""
    path = Path(path)
    own = read_policy_file(path)
    return _build(own, path.parent, (path.resolve(),), registry)


def resolved_policy_data(path: str | Path) -> dict[str, Any]:
    """A policy file's document with `extends:` resolved, before validation: for tools that derive
    variants of a policy (the multi-agent experiment's factored quotas) and load the result."""
    path = Path(path)
    data, _ = resolve_extends(read_policy_file(path), path.parent, (path.resolve(),))
    return data


def parse_policy(
    text: str,
    *,
    source: str = "<policy>",
    registry: Mapping[str, CheckFactory] | None = None,
    base_dir: str | Path | None = None,
) -> Policy:
    """Validate a policy given as text. A relative `extends:` is read from `base_dir` (default:
    the folder of `source`, i.e. the current directory for "<policy>")."""
    own = read_policy_yaml(text, source)
    return _build(own, Path(base_dir) if base_dir is not None else Path(source).parent, (), registry)


def _build(own: PolicyYaml, base_dir: Path, seen: tuple[Path, ...], registry: Mapping[str, CheckFactory] | None) -> Policy:
    data, layers = resolve_extends(own, base_dir, seen)
    try:
        document = PolicyDocument.model_validate(data)
    except ValidationError as exc:
        raise _policy_error(layers, exc, prefix=()) from None
    problem = _consistency_problem(document, data)
    if problem is not None:
        loc, message = problem
        raise PolicyError(f"{_where(layers, loc)}: {'.'.join(loc)}: {message}")

    if registry is None:
        from tractatus.governance.registry import default_registry

        registry = default_registry()
    settings: dict[str, CheckSettings] = {}
    for name, entry in document.checks.items():
        factory = registry.get(name)
        if factory is None:
            known = ", ".join(sorted(registry)) or "none"
            raise PolicyError(f"{_where(layers, ('checks', name))}: checks.{name}: unknown check (known: {known})")
        try:
            settings[name] = factory.Settings.model_validate(entry.settings)
        except ValidationError as exc:
            raise _policy_error(layers, exc, prefix=("checks", name, "settings")) from None
    return Policy(document, settings, own.source)


def _consistency_problem(document: PolicyDocument, data: Mapping[str, Any]) -> tuple[tuple[str, ...], str] | None:
    """Rules across fields that pydantic's per-field checks cannot see: (where, what) or None."""
    declared = set(document.tools.known)
    for index, rule in enumerate(document.rules):
        if rule.tool != "*" and rule.tool not in declared:
            # The governor denies an undeclared tool before any rule runs: the rule could never apply.
            return ("rules", str(index), "tool"), f"tool {rule.tool!r} is not declared under tools.known"
    return _warn_above_block(data.get("checks") or {}, ("checks",))


def _warn_above_block(value: Any, loc: tuple[str, ...]) -> tuple[tuple[str, ...], str] | None:
    """Any `warn_X` above its `block_X` (warn_score / block_score and every pair named that way):
    the warn stage would be unreachable and the author's intent unclear."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            if isinstance(key, str) and key.startswith("warn_"):
                partner = "block_" + key[len("warn_"):]
                block = value.get(partner)
                if _is_number(item) and _is_number(block) and item > block:
                    return (*loc, key), f"{key} {item} is above {partner} {block}"
        for key, item in value.items():
            found = _warn_above_block(item, (*loc, str(key)))
            if found is not None:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = _warn_above_block(item, (*loc, str(index)))
            if found is not None:
                return found
    return None


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _where(layers: list[PolicyYaml], loc: tuple[str, ...]) -> str:
    """file:line of `loc` in the file of the chain (child first) that spells out most of it."""
    best_line, best_depth, best_source = 1, -1, layers[0].source
    for layer in layers:
        line, depth = locate(layer.node, loc)
        if depth > best_depth:
            best_line, best_depth, best_source = line, depth, layer.source
    return f"{best_source}:{best_line}"


def _policy_error(layers: list[PolicyYaml], exc: ValidationError, prefix: tuple[str, ...]) -> PolicyError:
    first = exc.errors()[0]
    loc = prefix + tuple(str(part) for part in first["loc"])
    field = ".".join(loc) or "(document)"
    message = first["msg"].removeprefix("Value error, ")
    if first["type"] == "extra_forbidden":
        message = "unknown field"
    elif first["type"] == "missing":
        message = "required field is missing"
    return PolicyError(f"{_where(layers, loc)}: {field}: {message}")


def policies_dir() -> Path:
    """The project's `policies/` folder (the repository root's, next to `src/`)."""
    return Path(__file__).resolve().parents[3] / "policies"


def bundled_policy_path(name: str = "default") -> Path:
    """Path of a policy shipped in `policies/`, e.g. "default" or "lab-engagement"."""
    path = policies_dir() / f"{name}.yaml"
    if not path.is_file():
        raise PolicyError(f"{path}: no such bundled policy {name!r}")
    return path

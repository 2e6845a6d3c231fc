"""A compositional phrase grammar that writes real headlines and summaries from style choices.

An action is one row of level indices, one per dimension in `Grammar.dims`: the style factors
(hook, claim, source, tone, personal) and then `wording`, which picks one of several phrasings.
The whole action space is small enough to enumerate (`Grammar.joint_size`), which is what makes
the constrained optimum exact and the preemptive mask computable.

Ground truth comes from the choices, never from the text: the grammar wrote the text, so it
knows whether it wrote clickbait, a misleading claim or a private person's contact details.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from tractatus.governance.errors import ConfigError

GRAMMAR_FILE = Path(__file__).with_name("grammar.yaml")
WORDING = "wording"


class Person(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str
    email: str
    phone: str


class Topic(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    section: str
    subject: str
    headline: str
    fact: str
    exaggeration: str
    source: str
    person: Person

    def fields(self) -> dict[str, str]:
        return {
            "section": self.section,
            "subject": self.subject,
            "Subject": self.subject[:1].upper() + self.subject[1:],
            "headline": self.headline,
            "fact": self.fact,
            "fact_lc": _lower_first(self.fact),
            "exaggeration": self.exaggeration,
            "exaggeration_lc": _lower_first(self.exaggeration),
            "source": self.source,
            "person": self.person.name,
            "email": self.person.email,
            "phone": self.person.phone,
        }


def _lower_first(text: str) -> str:
    # Keep acronyms and proper nouns ("The" -> "the", but "NASA" stays).
    return text[:1].lower() + text[1:] if text[:2].istitle() or text[:1].isdigit() else text


class GrammarSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    wording_variants: int = Field(gt=0)
    factors: dict[str, list[str]]
    strategies: dict[str, dict[str, str]]
    fallback: dict[str, str | int]
    hooks: dict[str, list[str]]
    claims: dict[str, dict[str, list[str]]]
    tones: dict[str, list[str]]
    personal: dict[str, list[str]]
    topics: list[Topic] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> GrammarSpec:
        expected = {"hook", "claim", "source", "tone", "personal"}
        if set(self.factors) != expected:
            raise ValueError(f"factors must be exactly {sorted(expected)}")
        w = self.wording_variants
        tables = {
            "hooks": (self.hooks, "hook"),
            "tones": (self.tones, "tone"),
            "personal": (self.personal, "personal"),
        }
        for table_name, (table, factor) in tables.items():
            if set(table) != set(self.factors[factor]):
                raise ValueError(f"{table_name} must have one entry per {factor} level")
            for level, phrasings in table.items():
                if len(phrasings) != w:
                    raise ValueError(f"{table_name}.{level} needs {w} phrasings")
        for claim in self.factors["claim"]:
            for source in self.factors["source"]:
                if len(self.claims.get(claim, {}).get(source, [])) != w:
                    raise ValueError(f"claims.{claim}.{source} needs {w} phrasings")
        for name, choice in {**self.strategies, "fallback": self.fallback}.items():
            for factor, levels in self.factors.items():
                if choice.get(factor) not in levels:
                    raise ValueError(f"strategy {name!r}: {factor} must be one of {levels}")
        return self


@dataclass(frozen=True, slots=True)
class Article:
    headline: str
    summary: str

    @property
    def text(self) -> str:
        """What gets published, and what the governor judges."""
        return f"{self.headline}\n{self.summary}"


class Grammar:
    """Renders articles and labels them. Rendering is deterministic and memoized per (topic, action)."""

    def __init__(self, spec: GrammarSpec) -> None:
        self.spec = spec
        self.factor_names: list[str] = list(spec.factors)
        self.dims: list[str] = [*self.factor_names, WORDING]
        self.sizes = np.array([len(spec.factors[f]) for f in self.factor_names] + [spec.wording_variants])
        self.joint_size = int(np.prod(self.sizes))
        # Mixed-radix place values: joint index = sum(choice[d] * radix[d]).
        self.radix = np.concatenate([np.cumprod(self.sizes[::-1])[::-1][1:], [1]]).astype(np.int64)
        self.topics = spec.topics
        self.strategy_names = list(spec.strategies)
        self._texts: dict[tuple[int, int], str] = {}
        self._topic_fields = [t.fields() for t in spec.topics]

    # -- encoding -----------------------------------------------------------------------------
    def level(self, factor: str, name: str) -> int:
        return self.spec.factors[factor].index(name)

    def choice(self, named: dict[str, str | int]) -> np.ndarray:
        """Named levels -> one action row. Wording defaults to 0."""
        row = [self.level(f, str(named[f])) for f in self.factor_names]
        return np.array([*row, int(named.get(WORDING, 0))], dtype=np.int64)

    @cached_property
    def strategy_table(self) -> np.ndarray:
        """(strategies, factors) level indices of the named strategies (no wording column)."""
        return np.stack([self.choice(s)[:-1] for s in self.spec.strategies.values()])

    @cached_property
    def fallback(self) -> np.ndarray:
        return self.choice(self.spec.fallback)

    def joint_index(self, actions: np.ndarray) -> np.ndarray:
        return actions @ self.radix

    @cached_property
    def all_actions(self) -> np.ndarray:
        """Every action, row j is the action with joint index j."""
        j = np.arange(self.joint_size)
        return (j[:, None] // self.radix[None, :]) % self.sizes[None, :]

    # -- ground truth -------------------------------------------------------------------------
    def labels(self, actions: np.ndarray) -> dict[str, np.ndarray]:
        """Hidden ground truth per action row: clickbait, misleading, pii_leak and any violation."""
        clickbait = actions[:, 0] != self.level("hook", "none")
        misleading = actions[:, 1] == self.level("claim", "exaggerated")
        pii_leak = actions[:, 4] == self.level("personal", "include")
        return {
            "clickbait": clickbait,
            "misleading": misleading,
            "pii_leak": pii_leak,
            "violation": clickbait | misleading | pii_leak,
        }

    @cached_property
    def strategy_labels(self) -> tuple[str, ...]:
        return ("informative", "clickbait", "pii_leak", "misleading")

    def strategy_of(self, actions: np.ndarray) -> np.ndarray:
        """Index into `strategy_labels`: clickbait if any hook, else PII leak, else misleading, else informative."""
        labels = self.labels(actions)
        out = np.zeros(actions.shape[0], dtype=np.int8)
        out[labels["misleading"]] = 3
        out[labels["pii_leak"]] = 2
        out[labels["clickbait"]] = 1
        return out

    # -- rendering ----------------------------------------------------------------------------
    def render(self, topic: int, action: np.ndarray) -> str:
        key = (int(topic), int(action @ self.radix))
        text = self._texts.get(key)
        if text is None:
            text = self.article(int(topic), action).text
            self._texts[key] = text
        return text

    def render_many(self, topics: np.ndarray, actions: np.ndarray) -> list[str]:
        joints = self.joint_index(actions)
        cache = self._texts
        out = []
        for topic, joint, action in zip(topics.tolist(), joints.tolist(), actions, strict=True):
            text = cache.get((topic, joint))
            if text is None:
                text = self.render(topic, action)
            out.append(text)
        return out

    def article(self, topic: int, action: np.ndarray) -> Article:
        spec = self.spec
        hook, claim, source, tone, personal, wording = (int(x) for x in action)
        level = {f: spec.factors[f][i] for f, i in zip(self.factor_names, (hook, claim, source, tone, personal), strict=True)}
        fields = self._topic_fields[topic]
        headline = spec.hooks[level["hook"]][wording].format(**fields)
        parts = [
            spec.claims[level["claim"]][level["source"]][wording].format(**fields),
            spec.tones[level["tone"]][wording].format(**fields),
            spec.personal[level["personal"]][wording].format(**fields),
        ]
        return Article(headline=headline, summary=" ".join(p for p in parts if p))


def load_grammar(path: str | Path = GRAMMAR_FILE) -> Grammar:
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read grammar ({exc})") from None
    try:
        return Grammar(GrammarSpec.model_validate(data))
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ConfigError(f"{path}: {'.'.join(map(str, first['loc'])) or '(document)'}: {first['msg']}") from None

"""The adversarial environment: the engagement environment where agents may re-spell what they write.

Agents are rewarded for the underlying (possibly violating) behaviour: the audience responds to
what an article means, however it is spelled, and the ground truth labels come from the style
choices, not the spelling. What an agent gains from an evasion operator is only that the
governor might not recognise the violation in the text.

The action space is the engagement grammar's, with the `wording` dimension widened: wording w
means base phrasing `w % W` re-spelled by operator `w // W` (W = the grammar's wording variants).
So a policy-gradient learner over the grammar's choices learns which operators pay exactly as it
learns phrasings, and operator 0 ("none") keeps every normal article, fallback included.

The operators (adversarial.yaml): homoglyphs, zero-width characters, leetspeak, spacing and
hyphenation, paraphrase, splitting personal data across fields, and base64.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping, Sequence

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from tractatus.governance.errors import ConfigError
from tractatus.lab.envs.grammar import Article, Grammar, load_grammar

ADVERSARIAL_FILE = Path(__file__).with_name("adversarial.yaml")
ZERO_WIDTH = "\u200b"
_EMAIL = re.compile(r"([\w.+-]+)@([\w-]+(?:\.[\w-]+)+)")
_PHONE = re.compile(r"(\(\d{3}\)\s*\d{3})-(\d{4})")
_WORD = re.compile(r"[A-Za-z]{4,}")


class EvasionSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    operators: tuple[str, ...]
    homoglyphs: dict[str, str]
    leet: dict[str, str]
    paraphrases: dict[str, str]

    @field_validator("operators")
    @classmethod
    def _known(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [op for op in value if op not in OPERATORS]
        if unknown or not value or value[0] != "none":
            raise ValueError(f"operators must start with none and be among {sorted(OPERATORS)}; unknown: {unknown}")
        return value


@dataclass(frozen=True)
class Evasions:
    """The operators, compiled once from the spec."""

    spec: EvasionSpec

    def __post_init__(self) -> None:
        phrases = sorted(self.spec.paraphrases, key=len, reverse=True)
        pattern = re.compile("|".join(re.escape(p) for p in phrases), re.IGNORECASE) if phrases else None
        object.__setattr__(self, "_paraphrase_re", pattern)
        object.__setattr__(self, "_lower_paraphrases", {k.lower(): v for k, v in self.spec.paraphrases.items()})
        object.__setattr__(self, "_homoglyph_table", str.maketrans(self.spec.homoglyphs))
        object.__setattr__(self, "_leet_table", str.maketrans(self.spec.leet))

    def apply(self, operator: str, article: Article) -> Article:
        fn: Callable[[str], str] = getattr(self, f"_{operator}")
        return Article(headline=fn(article.headline), summary=fn(article.summary))

    # -- operators (each str -> str; "none" is the identity) ------------------------------------
    def _none(self, text: str) -> str:
        return text

    def _homoglyph(self, text: str) -> str:
        return text.translate(self._homoglyph_table)  # type: ignore[attr-defined]

    def _zero_width(self, text: str) -> str:
        return _WORD.sub(lambda m: ZERO_WIDTH.join(m.group(0)), text)

    def _leet(self, text: str) -> str:
        # Only inside words: digits in numbers and dates stay as they are.
        return _WORD.sub(lambda m: m.group(0).translate(self._leet_table), text)  # type: ignore[attr-defined]

    def _spacing(self, text: str) -> str:
        def one(m: re.Match[str]) -> str:
            word = m.group(0)
            if word.isupper():
                return " ".join(word)  # "SHOCKING" -> "S H O C K I N G"
            if len(word) >= 6:
                return f"{word[: len(word) // 2]}-{word[len(word) // 2 :]}"  # "outrageous" -> "outra-geous"
            return word

        return _WORD.sub(one, text)

    def _paraphrase(self, text: str) -> str:
        pattern = self._paraphrase_re  # type: ignore[attr-defined]
        if pattern is None:
            return text
        table = self._lower_paraphrases  # type: ignore[attr-defined]

        def one(m: re.Match[str]) -> str:
            out = table[m.group(0).lower()]
            return out[:1].upper() + out[1:] if m.group(0)[:1].isupper() else out

        return pattern.sub(one, text)

    def _pii_split(self, text: str) -> str:
        # Personal data split across fields: the parts go on separate lines, as separate form
        # fields or messages would carry them (the governor reads every field of an action).
        text = _EMAIL.sub(lambda m: f"{m.group(1)}\n(domain {m.group(2)})", text)
        return _PHONE.sub(lambda m: f"{m.group(1)}\n{m.group(2)}", text)

    def _base64(self, text: str) -> str:
        return base64.b64encode(text.encode("utf-8")).decode("ascii") if text else text


OPERATORS = {"none", "homoglyph", "zero_width", "leet", "spacing", "paraphrase", "pii_split", "base64"}


def load_evasions(path: str | Path = ADVERSARIAL_FILE) -> Evasions:
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return Evasions(EvasionSpec.model_validate(data))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read evasion operators ({exc})") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ConfigError(f"{path}: {'.'.join(map(str, first['loc']))}: {first['msg']}") from None


class AdversarialGrammar(Grammar):
    """The engagement grammar with the wording dimension widened by the evasion operators."""

    def __init__(self, base: Grammar, evasions: Evasions, operators: Sequence[str] | None = None) -> None:
        super().__init__(base.spec)
        names = tuple(operators) if operators is not None else evasions.spec.operators
        if not names or names[0] != "none" or any(n not in evasions.spec.operators for n in names):
            raise ConfigError(f"operators must start with none and be among {list(evasions.spec.operators)}, got {list(names)}")
        self.evasions = evasions
        self.operators = names
        self.base_wordings = int(base.spec.wording_variants)
        sizes = self.sizes.copy()
        sizes[-1] = self.base_wordings * len(names)
        self.sizes = sizes
        self.joint_size = int(np.prod(sizes))
        self.radix = np.concatenate([np.cumprod(sizes[::-1])[::-1][1:], [1]]).astype(np.int64)

    def operator_of(self, actions: np.ndarray) -> np.ndarray:
        """Index into `operators` of each action row."""
        return np.asarray(actions)[:, -1] // self.base_wordings

    def article(self, topic: int, action: np.ndarray) -> Article:
        base = np.array(action, dtype=np.int64, copy=True)
        operator = self.operators[int(base[-1]) // self.base_wordings]
        base[-1] = int(base[-1]) % self.base_wordings
        return self.evasions.apply(operator, super().article(topic, base))


def adversarial_grammar(operators: Sequence[str] | None = None, *, base: Grammar | None = None,
                        evasions: Evasions | None = None) -> AdversarialGrammar:
    return AdversarialGrammar(base if base is not None else load_grammar(),
                              evasions if evasions is not None else load_evasions(), operators)


def operator_names(grammar: Grammar) -> Mapping[int, str]:
    return dict(enumerate(getattr(grammar, "operators", ("none",))))

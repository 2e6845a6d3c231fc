"""The held-out sets the harness measures on, and nothing else.

- clickbait: the `detector_eval` split of Chakraborty et al. 2016 (clickbait vs news headlines);
- abuse: the `detector_eval` split of Davidson et al. 2017 (hate, offensive, neither);
- PII: the `eval` split of the project's PII corpus (`pii_corpus`: templates never tuned on);
- red team: the team's case files (tests/governance/data/*_cases.jsonl), when the checkout has them.

Nothing here is tuned on: the sets are read, optionally subsampled (`--quick`), and digested so a
report names exactly what it measured without quoting any of it.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from tractatus.data.readers import CLICKBAIT, DAVIDSON, read_clickbait, read_davidson
from tractatus.data.splits import Splits
from tractatus.governance.errors import InputError

EVAL_SPLIT = "detector_eval"
PII_SPLIT: Final = "eval"
PII_FREE = "none"


@dataclass(frozen=True)
class EvalSet:
    name: str  # "clickbait", "abuse", "pii"
    source: str  # where the rows come from, for the report
    texts: tuple[str, ...]
    labels: tuple[str, ...]  # clickbait/news; hate/offensive/neither; pii/none
    positive_labels: frozenset[str]
    # PII only: the categories present in each text (empty for PII-free sentences).
    categories: tuple[frozenset[str], ...] = field(default=())

    @property
    def positive(self) -> list[bool]:
        return [label in self.positive_labels for label in self.labels]

    @property
    def digest(self) -> str:
        """sha256 over the (label, text) rows in order: which rows were measured, without quoting them."""
        h = hashlib.sha256()
        for label, text in zip(self.labels, self.texts, strict=True):
            h.update(f"{len(label)}:{label}{len(text)}:{text}".encode("utf-8", "surrogatepass"))
        return h.hexdigest()


def _subsample(rows: Sequence[Any], label_of: Any, per_label: int | None, seed: int) -> list[Any]:
    """At most `per_label` rows of each label, chosen by a seeded generator, in their original order."""
    if per_label is None:
        return list(rows)
    rng = random.Random(f"subsample\x00{seed}")
    by_label: dict[str, list[int]] = {}
    for index, row in enumerate(rows):
        by_label.setdefault(label_of(row), []).append(index)
    keep = sorted(i for indices in by_label.values() for i in (indices if len(indices) <= per_label else rng.sample(indices, per_label)))
    return [rows[i] for i in keep]


def clickbait_set(data_dir: Path, splits: Splits, per_label: int | None = None, seed: int = 0) -> EvalSet:
    rows = _subsample(splits.select(CLICKBAIT, read_clickbait(data_dir), EVAL_SPLIT), lambda r: r.label, per_label, seed)
    return EvalSet(
        name="clickbait", source=f"{CLICKBAIT} / {EVAL_SPLIT}",
        texts=tuple(r.text for r in rows), labels=tuple(r.label for r in rows), positive_labels=frozenset({"clickbait"}),
    )  # fmt: skip


def abuse_set(data_dir: Path, splits: Splits, per_label: int | None = None, seed: int = 0) -> EvalSet:
    rows = _subsample(splits.select(DAVIDSON, read_davidson(data_dir), EVAL_SPLIT), lambda r: r.label, per_label, seed)
    return EvalSet(
        name="abuse", source=f"{DAVIDSON} / {EVAL_SPLIT}",
        texts=tuple(r.text for r in rows), labels=tuple(r.label for r in rows),
        positive_labels=frozenset({"hate", "offensive"}),
    )  # fmt: skip


def pii_set(n: int, seed: int) -> EvalSet:
    """`n` sentences of the PII corpus's eval split (its templates were written first, never tuned on)."""
    try:
        from tractatus.governance.learning.pii_corpus import TEMPLATES, generate
    except ImportError as error:  # Faker is in the `train` extra
        raise InputError(f"the PII corpus needs Faker: pip install 'tractatus[train]' ({error})") from None
    examples = generate(PII_SPLIT, n, seed)
    templates = sum(len(group) for group in TEMPLATES[PII_SPLIT].values())
    return EvalSet(
        name="pii", source=f"pii_corpus / {PII_SPLIT} (n={n}, seed={seed}, {templates} templates)",
        texts=tuple(e.text for e in examples),
        labels=tuple(PII_FREE if e.pii_free else "pii" for e in examples),
        positive_labels=frozenset({"pii"}),
        categories=tuple(e.categories for e in examples),
    )  # fmt: skip


@dataclass(frozen=True)
class RedTeamCases:
    detector: str
    texts: tuple[str, ...]
    expect_flag: tuple[bool, ...]
    contexts: tuple[Mapping[str, Any], ...]


def red_team_cases(cases_dir: Path) -> list[RedTeamCases]:
    """Every `<detector>_cases.jsonl` in `cases_dir` (rows: text, expect flag|allow, optional context)."""
    out = []
    for path in sorted(cases_dir.glob("*_cases.jsonl")):
        texts, expect, contexts = [], [], []
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                texts.append(str(row["text"]))
                expect.append(row["expect"] == "flag")
                contexts.append(dict(row.get("context") or {}))
            except (ValueError, KeyError, TypeError) as error:
                raise InputError(f"{path}:{number}: not a case row ({error})") from None
        out.append(RedTeamCases(path.name.removesuffix("_cases.jsonl"), tuple(texts), tuple(expect), tuple(contexts)))
    return out

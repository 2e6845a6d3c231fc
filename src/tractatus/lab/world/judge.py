"""The lab's independent clickbait judge: multinomial naive Bayes over hashed words, numpy only.

The referee of Agent Lightning runs (issue 11). When a model writes a headline that is not in the
labelled pool, nobody labelled it; this judge says whether it is clickbait, so that violations are
counted on the text the model actually wrote.

Why it can referee the governor:
- **Different data.** It is fitted on the clickbait source's `judge_train` split only, which is
  disjoint from the governor's `detector_train` / `detector_dev` rows (see `tractatus.data.splits`).
  Its accuracy is reported on `detector_eval`, which neither side trains or tunes on.
- **Different model family.** Naive Bayes on hashed word unigrams and bigrams, where the governor
  uses logistic regression and rules. Their errors are therefore not the same errors.
- **No shared code or word lists.** It imports nothing from `tractatus.governance.detectors`; a
  test enforces that (the independence rule in DESIGN.md).

Inference needs only numpy and the committed `judge_coefficients.json` (the log-odds per hash
bucket and the prior). `fit_judge` refits it; the refit is deterministic, and a test checks it is
bit-identical to the committed file. Features are hashed (blake2b), so the file holds no words.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

SOURCE = "clickbait-chakraborty2016"
TRAIN_SPLIT = "judge_train"
EVAL_SPLIT = "detector_eval"
COEFFICIENTS_FILE = "judge_coefficients.json"
# 2^14 buckets: few enough to keep the committed file small (~0.3 MB), many enough that bucket
# collisions cost well under a point of held-out accuracy on this data.
BUCKETS = 1 << 14
# Laplace smoothing: the textbook default; the held-out accuracy is flat between 0.3 and 1.
ALPHA = 1.0
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def features(text: str) -> list[int]:
    """Hash buckets of the lower-cased word unigrams and bigrams of `text` (with repeats)."""
    words = _TOKEN.findall(text.casefold())
    grams = words + [f"{a} {b}" for a, b in itertools.pairwise(words)]
    return [int.from_bytes(hashlib.blake2b(g.encode(), digest_size=8).digest(), "big") % BUCKETS for g in grams]


def _count_matrix(texts: Sequence[str]) -> np.ndarray:
    counts = np.zeros((len(texts), BUCKETS), dtype=np.float64)
    for row, text in enumerate(texts):
        np.add.at(counts[row], features(text), 1.0)
    return counts


@dataclass(frozen=True)
class ClickbaitJudge:
    """P(clickbait | text) from per-bucket log-odds; `is_clickbait` thresholds it at 0.5."""

    log_odds: np.ndarray  # (BUCKETS,) log P(bucket | clickbait) - log P(bucket | news)
    prior_log_odds: float  # log P(clickbait) - log P(news) in the training rows
    trained_rows: int
    splits_digest: str

    @classmethod
    def load_default(cls) -> ClickbaitJudge:
        raw = resources.files("tractatus.lab.world").joinpath(COEFFICIENTS_FILE).read_text(encoding="utf-8")
        return cls.from_json(raw)

    @classmethod
    def from_json(cls, raw: str) -> ClickbaitJudge:
        doc = json.loads(raw)
        log_odds = np.asarray(doc["log_odds"], dtype=np.float64)
        if log_odds.shape != (BUCKETS,):
            raise ValueError(f"judge coefficients: expected {BUCKETS} log-odds, got {log_odds.shape}")
        return cls(log_odds, float(doc["prior_log_odds"]), int(doc["trained_rows"]), str(doc["splits_digest"]))

    def to_json(self) -> str:
        return json.dumps(
            {
                "model": "multinomial naive Bayes, hashed word unigrams+bigrams",
                "source": SOURCE,
                "split": TRAIN_SPLIT,
                "buckets": BUCKETS,
                "alpha": ALPHA,
                "trained_rows": self.trained_rows,
                "splits_digest": self.splits_digest,
                "prior_log_odds": self.prior_log_odds,
                "log_odds": self.log_odds.tolist(),
            },
            indent=0,
        )

    @property
    def digest(self) -> str:
        """sha256 of the coefficients as serialized: run manifests record which judge scored them."""
        return hashlib.sha256(self.to_json().encode()).hexdigest()

    def log_odds_of(self, text: str) -> float:
        return self.prior_log_odds + float(self.log_odds[features(text)].sum())

    def probability(self, text: str) -> float:
        return float(1.0 / (1.0 + np.exp(-self.log_odds_of(text))))

    def is_clickbait(self, text: str) -> bool:
        return self.log_odds_of(text) > 0.0


def fit_judge(texts: Sequence[str], labels: Sequence[str], *, splits_digest: str) -> ClickbaitJudge:
    """Multinomial naive Bayes (Laplace smoothing). Deterministic: same rows, same floats."""
    y = np.array([label == "clickbait" for label in labels])
    if y.all() or not y.any():
        raise ValueError("the judge needs both clickbait and news rows")
    counts = _count_matrix(texts)
    clickbait = counts[y].sum(axis=0) + ALPHA
    news = counts[~y].sum(axis=0) + ALPHA
    log_odds = (np.log(clickbait) - np.log(clickbait.sum())) - (np.log(news) - np.log(news.sum()))
    prior = float(np.log(y.sum()) - np.log((~y).sum()))
    return ClickbaitJudge(log_odds, prior, len(texts), splits_digest)


def fit_default_judge(data_dir: Path) -> ClickbaitJudge:
    """The committed judge, refitted from the data directory's `judge_train` rows."""
    from tractatus.data.readers import read_clickbait
    from tractatus.data.splits import load_splits

    splits = load_splits()
    rows = splits.select(SOURCE, read_clickbait(data_dir), TRAIN_SPLIT)
    return fit_judge([r.text for r in rows], [r.label for r in rows], splits_digest=splits.digest)


def accuracy(judge: ClickbaitJudge, texts: Iterable[str], labels: Iterable[str]) -> tuple[float, int]:
    """(share of rows the judge labels as people did, rows)."""
    hits = [judge.is_clickbait(t) == (label == "clickbait") for t, label in zip(texts, labels, strict=True)]
    return (float(np.mean(hits)) if hits else float("nan"), len(hits))


def held_out_accuracy(judge: ClickbaitJudge, data_dir: Path) -> tuple[float, int]:
    """Accuracy on `detector_eval`, which neither the judge nor the governor trains or tunes on."""
    from tractatus.data.readers import read_clickbait
    from tractatus.data.splits import load_splits

    rows = load_splits().select(SOURCE, read_clickbait(data_dir), EVAL_SPLIT)
    return accuracy(judge, [r.text for r in rows], [r.label for r in rows])


def main() -> None:
    """`python -m tractatus.lab.world.judge`: refit from the data directory, write the file, print accuracy."""
    from tractatus.data.paths import resolve_data_dir

    data_dir = resolve_data_dir(None)
    judge = fit_default_judge(data_dir)
    target = Path(__file__).with_name(COEFFICIENTS_FILE)
    target.write_text(judge.to_json(), encoding="utf-8")
    acc, rows = held_out_accuracy(judge, data_dir)
    print(f"judge: {judge.trained_rows} {TRAIN_SPLIT} rows -> {target.name} (sha256 {judge.digest[:12]})")
    print(f"held-out accuracy on {EVAL_SPLIT}: {acc:.4f} ({rows} rows)")


if __name__ == "__main__":
    main()

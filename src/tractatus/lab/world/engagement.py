"""The simulated audience: a click-through rate for any headline, learned from real A/B tests.

Source: the Upworthy Research Archive (Matias et al. 2021, CC BY 4.0), 4,873 headline tests in
which Upworthy randomised readers across a test's packages. Within one test (and one image, so
that only the text differs) CTR differences are causal effects of the words; across tests they
are not (topic, season, traffic source). So the model is a **within-test conditional logit**:

    P(a click in group g went to package j) = n_j exp(s_j) / sum_k n_k exp(s_k),   s_j = w . z_j

with n_j the package's impressions, z_j its standardized headline features (features.py) and
clicks as counts. A group is one (test, image) pair; groups whose headlines are all the same
carry no information and drop out by themselves. w is fitted by L-BFGS with an L2 penalty, from
zeros, on the earlier weeks; the later weeks are held out for evaluation. Nothing is random, so
a refit on the same file is bit-identical (tests/lab/world/test_engagement.py checks it).

**The base level.** The conditional logit is test-relative: it knows which of two headlines
wins, not how many readers click at all. The absolute level is set by the archive itself:

    ctr(text) = base_ctr * exp(w . z(text)),   base_ctr = clicks / impressions over the training tests

Features are standardized with the training packages' means, so a headline with the archive's
average features gets the archive's average CTR (about 1.5%). Clipped to [0, 1].

**Faulty randomisation.** The archive's authors document a period, roughly mid-2013 to early
2014, in which randomisation was faulty. The tests of weeks 2013-26 to 2014-01 (`test_week`
201326..201401, inclusive; the archive's week 00 is the days of January before week 01) are
dropped from fitting and from evaluation; `DROPPED_WEEKS` says so in the committed file.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy.optimize import minimize

from tractatus.governance.errors import InputError
from tractatus.lab.world.features import FEATURE_NAMES, FEATURES, FeatureExtractor

if TYPE_CHECKING:
    import pyarrow as pa

COEFFICIENTS_FILE = "engagement_coefficients.json"
DROPPED_WEEKS = (201326, 201401)  # inclusive: the archive's documented faulty-randomisation window
TRAIN_UNTIL_WEEK = 201445  # tests of weeks <= this train the model; later weeks evaluate it
L2 = 1e-3  # penalty per unit of squared coefficient, against a loss measured per click (nats)
_DIGITS = 12  # coefficients are stored rounded to 12 significant digits: stable JSON across refits


def _round(value: float) -> float:
    return float(f"{value:.{_DIGITS}g}")


@dataclass(frozen=True)
class EngagementModel:
    """A frozen linear scorer over headline features, and the CTR it implies."""

    feature_names: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    coefficients: np.ndarray
    base_ctr: float
    extractor: FeatureExtractor = field(default_factory=FeatureExtractor, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.feature_names != FEATURE_NAMES:
            raise InputError(
                f"engagement coefficients are for features {list(self.feature_names)}, "
                f"but this code computes {list(FEATURE_NAMES)}: refit with `tractatus lab engagement fit`"
            )
        for array in (self.mean, self.scale, self.coefficients):
            array.setflags(write=False)

    @classmethod
    def load_default(cls) -> EngagementModel:
        """The committed coefficients (src/tractatus/lab/world/engagement_coefficients.json)."""
        raw = resources.files("tractatus.lab.world").joinpath(COEFFICIENTS_FILE).read_text(encoding="utf-8")
        return cls.from_dict(json.loads(raw))

    @classmethod
    def load(cls, path: Path) -> EngagementModel:
        try:
            return cls.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise InputError(f"{path}: not an engagement coefficients file ({exc})") from None

    @classmethod
    def from_dict(cls, document: dict[str, Any]) -> EngagementModel:
        features = document["features"]
        return cls(
            feature_names=tuple(f["name"] for f in features),
            mean=np.array([f["mean"] for f in features], dtype=np.float64),
            scale=np.array([f["scale"] for f in features], dtype=np.float64),
            coefficients=np.array([f["coefficient"] for f in features], dtype=np.float64),
            base_ctr=float(document["base_ctr"]),
        )

    def features(self, text: str) -> dict[str, float]:
        """The raw (unstandardized) feature values of a headline, by name."""
        return dict(zip(self.feature_names, self.extractor.vector(text).tolist(), strict=True))

    def scores(self, raw: np.ndarray) -> np.ndarray:
        """Test-relative log-odds w . z of raw feature rows (M, F)."""
        return ((raw - self.mean) / self.scale) @ self.coefficients

    def ctr(self, text: str) -> float:
        return float(self.ctr_many([text])[0])

    def ctr_many(self, texts: Sequence[str]) -> np.ndarray:
        return self.ctr_of_features(self.extractor.matrix(list(texts)))

    def ctr_of_features(self, raw: np.ndarray) -> np.ndarray:
        return np.clip(self.base_ctr * np.exp(self.scores(raw)), 0.0, 1.0)


# -- fitting -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Packages:
    """The archive's packages as arrays, grouped (test, image) and sorted by group."""

    group: np.ndarray  # (P,) dense group index, sorted ascending
    week: np.ndarray
    impressions: np.ndarray
    clicks: np.ndarray
    raw: np.ndarray  # (P, F) raw features
    text: np.ndarray  # (P,) headline


def _packages(table: pa.Table, extractor: FeatureExtractor) -> _Packages:
    columns = {"clickability_test_id", "eyecatcher_id", "headline", "impressions", "clicks", "test_week"}
    missing = columns - set(table.column_names)
    if missing:
        raise InputError(f"the Upworthy table lacks column(s) {sorted(missing)}")

    def col(name: str) -> np.ndarray:
        return np.asarray(table.column(name).to_pylist(), dtype=object)

    test, image, text = col("clickability_test_id"), col("eyecatcher_id"), col("headline")
    week = np.asarray(table.column("test_week").to_numpy(), dtype=np.int64)
    impressions = np.asarray(table.column("impressions").to_numpy(), dtype=np.float64)
    clicks = np.asarray(table.column("clicks").to_numpy(), dtype=np.float64)
    text = np.array(["" if t is None else str(t) for t in text], dtype=object)
    keys = np.array([f"{t}\x00{i}" for t, i in zip(test, image, strict=True)], dtype=object)
    _, group = np.unique(keys, return_inverse=True)
    order = np.lexsort((np.arange(len(group)), group))  # stable: by group, then file order
    unique_text, inverse = np.unique(text, return_inverse=True)
    raw_unique = extractor.matrix([str(t) for t in unique_text])
    keep = order[impressions[order] > 0]
    return _Packages(group[keep], week[keep], impressions[keep], clicks[keep], raw_unique[inverse[keep]], text[keep])


def _subset(p: _Packages, mask: np.ndarray) -> _Packages:
    _, group = np.unique(p.group[mask], return_inverse=True)
    return _Packages(group, p.week[mask], p.impressions[mask], p.clicks[mask], p.raw[mask], p.text[mask])


def _group_logsumexp(values: np.ndarray, group: np.ndarray, groups: int) -> np.ndarray:
    top = np.full(groups, -np.inf)
    np.maximum.at(top, group, values)
    total = np.bincount(group, weights=np.exp(values - top[group]), minlength=groups)
    return top + np.log(total)


def _loss_and_gradient(w: np.ndarray, z: np.ndarray, p: _Packages, groups: int, l2: float) -> tuple[float, np.ndarray]:
    logits = z @ w + np.log(p.impressions)
    lse = _group_logsumexp(logits, p.group, groups)
    prob = np.exp(logits - lse[p.group])
    group_clicks = np.bincount(p.group, weights=p.clicks, minlength=groups)
    total = float(p.clicks.sum())
    loss = -float(p.clicks @ (logits - lse[p.group])) / total + 0.5 * l2 * float(w @ w)
    gradient = -(z.T @ (p.clicks - group_clicks[p.group] * prob)) / total + l2 * w
    return loss, gradient


def _evaluate(w: np.ndarray, z: np.ndarray, p: _Packages) -> dict[str, Any]:
    """Pairwise accuracy, log-likelihood gain per click and a calibration table on held-out groups."""
    groups = int(p.group.max()) + 1 if len(p.group) else 0
    score = z @ w
    ctr = p.clicks / p.impressions
    right = total = 0.0
    sig_right = sig_total = 0.0
    starts = np.flatnonzero(np.r_[True, p.group[1:] != p.group[:-1]])
    ends = np.r_[starts[1:], len(p.group)]
    for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
        for a in range(start, end):
            for b in range(a + 1, end):
                if p.text[a] == p.text[b] or ctr[a] == ctr[b]:
                    continue  # same words (only the lede differs) or an exact tie: nothing to predict
                truth = np.sign(ctr[a] - ctr[b])
                guess = np.sign(score[a] - score[b])
                credit = 0.5 if guess == 0 else float(guess == truth)
                right += credit
                total += 1
                pooled = (p.clicks[a] + p.clicks[b]) / (p.impressions[a] + p.impressions[b])
                se = np.sqrt(pooled * (1 - pooled) * (1 / p.impressions[a] + 1 / p.impressions[b]))
                if se > 0 and abs(ctr[a] - ctr[b]) / se > 1.96:
                    sig_right += credit
                    sig_total += 1
    null_w = np.zeros_like(w)
    model_loss, _ = _loss_and_gradient(w, z, p, groups, 0.0)
    null_loss, _ = _loss_and_gradient(null_w, z, p, groups, 0.0)
    # Calibration: predicted CTR relative to the package's own group vs the observed relative CTR,
    # in five bins of the prediction (impression-weighted means).
    expw = np.exp(score)
    group_mean_pred = np.bincount(p.group, weights=p.impressions * expw, minlength=groups) / np.bincount(p.group, weights=p.impressions, minlength=groups)
    group_ctr = np.bincount(p.group, weights=p.clicks, minlength=groups) / np.bincount(p.group, weights=p.impressions, minlength=groups)
    informative = group_ctr[p.group] > 0
    predicted = (expw / group_mean_pred[p.group])[informative]
    observed = ctr[informative] / group_ctr[p.group][informative]
    weight = p.impressions[informative]
    edges = np.quantile(predicted, [0.2, 0.4, 0.6, 0.8])
    bins = np.searchsorted(edges, predicted, side="right")
    calibration = [
        {
            "bin": int(k) + 1,
            "packages": int((bins == k).sum()),
            "predicted_relative_ctr": _round(float(np.average(predicted[bins == k], weights=weight[bins == k]))),
            "observed_relative_ctr": _round(float(np.average(observed[bins == k], weights=weight[bins == k]))),
        }
        for k in range(5)
        if (bins == k).any()
    ]
    return {
        "groups": groups,
        "packages": len(p.group),
        "pairs": int(total),
        "pairwise_accuracy": _round(right / total) if total else None,
        "significant_pairs": int(sig_total),
        "pairwise_accuracy_significant": _round(sig_right / sig_total) if sig_total else None,
        "loglik_gain_per_click_nats": _round(null_loss - model_loss),
        "calibration": calibration,
    }


def _fit(train: _Packages, l2: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, float, Any]:
    """Standardize on `train`, fit w by L-BFGS from zeros; everything rounded as the committed file stores it."""
    mean = train.raw.mean(axis=0)
    scale = train.raw.std(axis=0)
    scale = np.where(scale > 0, scale, 1.0)  # a constant feature stays 0 after standardizing
    z_train = (train.raw - mean) / scale
    groups = int(train.group.max()) + 1
    result = minimize(
        _loss_and_gradient,
        np.zeros(len(FEATURES)),
        args=(z_train, train, groups, l2),
        jac=True,
        method="L-BFGS-B",
        options={"maxiter": 1000, "gtol": 1e-10, "ftol": 1e-14},
    )
    w = np.array([_round(v) for v in result.x])
    mean = np.array([_round(v) for v in mean])
    scale = np.array([_round(v) for v in scale])
    base_ctr = _round(float(train.clicks.sum() / train.impressions.sum()))
    return mean, scale, w, base_ctr, result


def archive_packages(table: pa.Table) -> _Packages:
    """The archive's packages with their features, computed once (a refit then only subsets them)."""
    return _packages(table, FeatureExtractor())


def fit_on_weeks(packages: _Packages, weeks: tuple[int, int], *, l2: float = L2,
                 dropped_weeks: tuple[int, int] = DROPPED_WEEKS) -> EngagementModel | None:
    """The model fitted on the tests of weeks[0]..weeks[1] (inclusive, faulty weeks dropped); None if
    they hold no test. Deterministic, as `fit_engagement_model`: the Q2 replay refits with it as weeks pass."""
    faulty = (packages.week >= dropped_weeks[0]) & (packages.week <= dropped_weeks[1])
    train = _subset(packages, ~faulty & (packages.week >= weeks[0]) & (packages.week <= weeks[1]))
    if len(train.group) == 0:
        return None
    mean, scale, w, base_ctr, _ = _fit(train, l2)
    return EngagementModel(feature_names=FEATURE_NAMES, mean=mean, scale=scale, coefficients=w, base_ctr=base_ctr)


def data_digest(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def fit_engagement_model(
    table: pa.Table,
    *,
    l2: float = L2,
    train_until_week: int = TRAIN_UNTIL_WEEK,
    dropped_weeks: tuple[int, int] = DROPPED_WEEKS,
    source_digest: str | None = None,
) -> dict[str, Any]:
    """Fit on the earlier weeks, evaluate on the later ones; the committed JSON document.

    `EngagementModel.from_dict(result)` turns it into a model. Deterministic: same table, same bytes.
    """
    extractor = FeatureExtractor()
    packages = _packages(table, extractor)
    faulty = (packages.week >= dropped_weeks[0]) & (packages.week <= dropped_weeks[1])
    train = _subset(packages, ~faulty & (packages.week <= train_until_week))
    held_out = _subset(packages, ~faulty & (packages.week > train_until_week))
    if len(train.group) == 0 or len(held_out.group) == 0:
        raise InputError("the Upworthy table has no tests on one side of the train/evaluation week cut")
    mean, scale, w, base_ctr, result = _fit(train, l2)
    groups = int(train.group.max()) + 1
    weeks_dropped = sorted({int(v) for v in packages.week[faulty]})
    return {
        "version": 1,
        "model": "within-test conditional logit (see tractatus.lab.world.engagement)",
        "source": {"dataset": "upworthy-archive exploratory packages (CC BY 4.0)", "sha256": source_digest},
        "l2": l2,
        "base_ctr": base_ctr,
        "base_ctr_meaning": "clicks / impressions over the training tests: the CTR of a headline with average features",
        "dropped_weeks": {"from": dropped_weeks[0], "to": dropped_weeks[1], "weeks": weeks_dropped,
                          "tests": len(np.unique(packages.group[faulty])),
                          "why": "the archive's documented window of faulty randomisation (mid-2013 to early 2014)"},
        "train": {"weeks": [int(train.week.min()), int(train.week.max())], "groups": groups, "packages": len(train.group),
                  "converged": bool(result.success), "iterations": int(result.nit)},
        "features": [
            {"name": f.name, "meaning": f.meaning, "mean": float(m), "scale": float(s), "coefficient": float(c)}
            for f, m, s, c in zip(FEATURES, mean, scale, w, strict=True)
        ],
        "evaluation": {"weeks": [int(held_out.week.min()), int(held_out.week.max())], **_evaluate(w, (held_out.raw - mean) / scale, held_out)},
    }


def write_coefficients(document: dict[str, Any], path: Path) -> None:
    Path(path).write_text(json.dumps(document, indent=2, sort_keys=False) + "\n", encoding="utf-8")


def default_coefficients_path() -> Path:
    """Where the committed coefficients live in a source checkout (refits write here by default)."""
    return Path(__file__).with_name(COEFFICIENTS_FILE)

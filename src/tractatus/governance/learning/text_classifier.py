"""Fit a word + character n-gram TF-IDF logistic regression with scikit-learn and export it.

Optionally the TF-IDF features are scaled by their naive-Bayes log-count ratio before the
regression (Wang & Manning 2012, "NB-SVM"-style; `ClassifierParams.nb_alpha`): the scaling is a
fixed per-feature factor, so the exported weights are the regression's weights times the ratio,
and the numpy runtime (`text_model`) scores the file with no change.

The exported file is what `governance.detectors.text_model` reads at decision time (numpy only).
Everything here is chosen so that a retrain from the same rows gives the same bytes:
- liblinear / lbfgs on one thread with a fixed `random_state`;
- vocabularies in scikit-learn's sorted order;
- every float rounded to 9 significant digits (`round_floats`) before it is written, so a last-bit
  difference in a BLAS sum cannot change the file; `json.dumps` then writes the shortest repr.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

from tractatus.governance.detectors.text_model import MODEL_FORMAT

_SIGNIFICANT = 9


@dataclass(frozen=True)
class ClassifierParams:
    """The hyper-parameters of one model: plain data, recorded in the model file."""

    word_ngrams: tuple[int, int] = (1, 2)
    char_ngrams: tuple[int, int] | None = (2, 5)  # None: word n-grams only
    min_df: int = 2
    sublinear_tf: bool = True
    C: float = 10.0
    class_weight: str | None = None
    max_iter: int = 2000
    # Smoothing of the naive-Bayes log-count ratio that scales the features (binary models only);
    # None: no scaling, a plain TF-IDF logistic regression.
    nb_alpha: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "word_ngrams": list(self.word_ngrams),
            "char_ngrams": list(self.char_ngrams) if self.char_ngrams else None,
            "min_df": self.min_df,
            "sublinear_tf": self.sublinear_tf,
            "C": self.C,
            "class_weight": self.class_weight,
            "max_iter": self.max_iter,
            **({"nb_alpha": self.nb_alpha} if self.nb_alpha is not None else {}),
        }


class LogCountRatio(TransformerMixin, BaseEstimator):
    """Scales each feature by log(p_f / q_f), the naive-Bayes log-count ratio of the feature's
    presence in the second class (p, alphabetically the positive one of a binary model) vs the
    first (q), each smoothed by `alpha` and normalized over the features. Hand-written because
    scikit-learn has no NB-SVM transformer; it is ten lines of sparse arithmetic."""

    def __init__(self, alpha: float = 1.0) -> None:
        self.alpha = alpha

    def fit(self, X: Any, y: Sequence[str]) -> LogCountRatio:
        labels = np.asarray(y)
        classes = np.unique(labels)
        if len(classes) != 2:
            raise ValueError("the log-count ratio needs exactly two classes")
        present = (X > 0).astype(np.float64)
        p = self.alpha + np.asarray(present[labels == classes[1]].sum(axis=0)).ravel()
        q = self.alpha + np.asarray(present[labels == classes[0]].sum(axis=0)).ravel()
        self.ratio_ = np.log((p / p.sum()) / (q / q.sum()))
        return self

    def transform(self, X: Any) -> Any:
        return X.multiply(self.ratio_).tocsr()


def build_pipeline(params: ClassifierParams) -> Pipeline:
    """The scikit-learn pipeline whose decisions the exported model reproduces."""

    def vectorizer(analyzer: str, ngrams: tuple[int, int]) -> TfidfVectorizer:
        # lowercase=False: the detectors feed `NormalizedText.lower_words`, already lower-cased by
        # the normalizer's own rule, which str.lower() would not always match.
        return TfidfVectorizer(
            analyzer=analyzer, ngram_range=ngrams, min_df=params.min_df, lowercase=False,
            sublinear_tf=params.sublinear_tf, dtype=np.float64,
        )

    parts = [("word", vectorizer("word", params.word_ngrams))]
    if params.char_ngrams is not None:
        parts.append(("char", vectorizer("char_wb", params.char_ngrams)))
    features = FeatureUnion(parts)
    model = LogisticRegression(C=params.C, class_weight=params.class_weight, max_iter=params.max_iter,
                               solver="lbfgs", random_state=0)
    if params.nb_alpha is None:
        return Pipeline([("features", features), ("model", model)])
    return Pipeline([("features", features), ("scale", LogCountRatio(params.nb_alpha)), ("model", model)])


def fit(texts: Sequence[str], labels: Sequence[str], params: ClassifierParams,
        sample_weight: Sequence[float] | None = None) -> Pipeline:
    """The fitted pipeline; `sample_weight` (one per text) weighs rows in the regression only."""
    pipeline = build_pipeline(params)
    extra = {} if sample_weight is None else {"model__sample_weight": np.asarray(sample_weight, dtype=np.float64)}
    pipeline.fit(list(texts), list(labels), **extra)
    return pipeline


def fit_features(texts: Sequence[str], params: ClassifierParams) -> FeatureUnion:
    """The fitted featurizer (vocabularies and idf) of `fit(texts, ...)`'s pipeline: TF-IDF
    fitting reads no label, so it is the same whatever the labels and weights."""
    features: FeatureUnion = build_pipeline(params).named_steps["features"]
    features.fit(list(texts))
    return features


def fit_on(features: FeatureUnion, texts: Sequence[str], labels: Sequence[str], params: ClassifierParams,
           sample_weight: Sequence[float] | None = None) -> Pipeline:
    """`fit`, with a featurizer fitted elsewhere (`fit_features`) kept as it is: only the scaling and
    the regression are fitted on `texts`. Two models on one featurizer score a text from one vector."""
    template = build_pipeline(params)
    x = features.transform(list(texts))
    steps: list[tuple[str, Any]] = [("features", features)]
    if "scale" in template.named_steps:
        scale = template.named_steps["scale"].fit(x, list(labels))
        x = scale.transform(x)
        steps.append(("scale", scale))
    model = template.named_steps["model"]
    model.fit(x, list(labels), sample_weight=None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64))
    steps.append(("model", model))
    return Pipeline(steps)


def round_floats(values: Any) -> list[float]:
    return [float(f"{v:.{_SIGNIFICANT}g}") for v in np.asarray(values, dtype=np.float64).ravel()]


def export(pipeline: Pipeline, name: str, params: ClassifierParams, meta: dict[str, Any]) -> dict[str, Any]:
    """The model document `text_model.TextModel` reads; `meta` records data, splits and dev metrics."""
    union: FeatureUnion = pipeline.named_steps["features"]
    model: LogisticRegression = pipeline.named_steps["model"]
    coef = model.coef_
    if "scale" in pipeline.named_steps:  # fold the fixed feature scaling into the weights
        coef = coef * pipeline.named_steps["scale"].ratio_
    parts = {"char": {"ngram_range": [2, 5], "sublinear_tf": False, "terms": [], "idf": []}}
    for part in union.named_transformers:
        vectorizer: TfidfVectorizer = union.named_transformers[part]
        terms = [str(t) for t in vectorizer.get_feature_names_out()]
        parts[part] = {
            "ngram_range": list(vectorizer.ngram_range),
            "sublinear_tf": bool(vectorizer.sublinear_tf),
            "terms": terms,
            "idf": round_floats(vectorizer.idf_),
        }
    return {
        "format": MODEL_FORMAT,
        "name": name,
        "classes": [str(c) for c in model.classes_],
        "params": params.to_dict(),
        "meta": meta,
        "intercept": round_floats(model.intercept_),
        "coef": [round_floats(row) for row in coef],
        "word": parts["word"],
        "char": parts["char"],
    }


def dumps(document: dict[str, Any]) -> bytes:
    """Stable bytes: fixed key order, no spaces, shortest float repr, a final newline."""
    return (json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=True) + "\n").encode()

"""Export alt-profanity-check's packaged model to the numpy model format.

alt-profanity-check (MIT licence, (c) 2018 Victor Zhou, 2021 Menelaos Kotoglou and Dimitrios
Mistriotis) ships a `TfidfVectorizer` (word unigrams, English stop words) and a
`CalibratedClassifierCV` of five `LinearSVC`s with sigmoid calibration. Both are plain linear
algebra, so they are copied into the same JSON format as our own models: one weight row and one
(a, b) calibration per SVC, averaged at inference as scikit-learn averages them. The licence
allows copying with its notice, which the model file's `meta.licence` carries. Nothing is
trained here: the export only reads the installed package, so it needs no data.

Its authors trained it on public data that includes the Davidson et al. tweets, so its scores on
any Davidson split (ours included) are optimistic; `docs/detectors-training.md` says so.
"""

from __future__ import annotations

from importlib import metadata
from typing import Any

from tractatus.governance.detectors.text_model import MODEL_FORMAT
from tractatus.governance.learning.text_classifier import round_floats

LICENCE = "MIT; (c) 2018 Victor Zhou, 2021 Menelaos Kotoglou, Dimitrios Mistriotis (alt-profanity-check)"


def export_profanity_check() -> dict[str, Any]:
    """The model document for the installed alt-profanity-check's vectorizer and calibrated SVCs."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # joblib pickles from an older scikit-learn warn on load
        from profanity_check import profanity_check as packaged

    vectorizer, model = packaged.vectorizer, packaged.model
    if vectorizer.ngram_range != (1, 1) or vectorizer.analyzer != "word" or vectorizer.norm != "l2":
        raise ValueError("alt-profanity-check's vectorizer changed shape; update the exporter")
    coef, intercept, calibration = [], [], []
    for member in model.calibrated_classifiers_:
        (calibrator,) = member.calibrators
        coef.append(round_floats(member.estimator.coef_[0]))
        intercept.extend(round_floats(member.estimator.intercept_))
        calibration.append(round_floats([calibrator.a_, calibrator.b_]))
    terms = [str(t) for t in vectorizer.get_feature_names_out()]
    return {
        "format": MODEL_FORMAT,
        "name": "profanity",
        "classes": [str(c) for c in model.classes_],
        "params": {"source": "alt-profanity-check", "version": metadata.version("alt-profanity-check")},
        "meta": {"licence": LICENCE, "positive": "1", "trained_by": "the alt-profanity-check authors (exported, not retrained)"},
        "intercept": intercept,
        "coef": coef,
        "calibration": calibration,
        "word": {"ngram_range": [1, 1], "sublinear_tf": bool(vectorizer.sublinear_tf), "terms": terms,
                 "idf": round_floats(vectorizer.idf_)},
        "char": {"ngram_range": [2, 5], "sublinear_tf": False, "terms": [], "idf": []},
    }

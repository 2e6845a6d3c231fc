"""Every shipped model, how it is trained, and the one function that (re)builds them all.

Rows come from the data directory through `tractatus.data` and are split by `splits.yaml`:
a model is fitted on `detector_train` only; `detector_dev` is only used to report the metrics
recorded in the model file (the thresholds themselves live in the policies, chosen from these
dev numbers); `detector_eval`, `judge_train` and `lab_pool` are never read here
(`training_rows` refuses any other split, and a test pins it).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
from sklearn.pipeline import Pipeline

from tractatus.data.readers import CLICKBAIT, DAVIDSON, LabelledText, read_clickbait, read_davidson
from tractatus.data.splits import load_splits
from tractatus.governance.detectors.headline_input import HEADLINE, STYLED_HEADLINE, input_form
from tractatus.governance.detectors.headline_style import case_source, every_word_capitalised, news_title_case
from tractatus.governance.detectors.text_model import model_input, parse_model
from tractatus.governance.learning.profanity_export import export_profanity_check
from tractatus.governance.learning.text_classifier import (
    ClassifierParams,
    dumps,
    export,
    fit,
    fit_features,
    fit_on,
    round_floats,
)
from tractatus.governance.normalize import normalize

TRAINING_SPLITS = ("detector_train", "detector_dev")  # the only splits a trainer may read


@dataclass(frozen=True)
class ModelSpec:
    """One learned model: its source, how a row's label becomes the model's class, its parameters."""

    name: str
    source: str
    read: Callable[[Path], list[LabelledText]]
    label: Callable[[str], str]
    positive: str
    params: ClassifierParams
    dev_thresholds: tuple[float, ...]  # probabilities at which the dev metrics are recorded
    input: str | None = None  # the model's input form (`headline_input`), recorded in the file's meta
    # A second negative source besides the dataset's own: texts (generated, never dataset rows)
    # added to the training rows as the negative class, each with this sample weight.
    extra_negatives: Callable[[], list[str]] | None = None
    extra_negative_label: str = ""
    extra_negative_weight: float = 1.0
    extra_negative_source: str = ""  # what the model file's meta names as the extra source
    # Train on case variants of the dataset's rows too (`case_variants`): for a model that reads
    # the headline's capitalisation (`headline_style`), so case alone decides nothing.
    case_variants: bool = False
    # ... and every positive row in a news title case too (`headline_style.news_title_case`), so
    # that re-styling a headline as news does not hide it.
    positives_in_news_case: bool = False
    # The model whose featurizer (vocabularies, idf: fitted on that model's fitting set) this one
    # reuses, so the tier vectorizes a text once for both (`fitted`).
    shares_features_with: ModelSpec | None = None


# C chosen by 5-fold cross-validation on `detector_train`: out-of-fold recall at a 1% false-positive
# rate, about where the policies operate (`python -m tractatus.governance.learning.clickbait_dev
# --cv` prints the table; C = 3, 10 and 30 lie within half a point of each other).
C_CLICKBAIT = 10.0
# The features are scaled by their naive-Bayes log-count ratio (`text_classifier.LogCountRatio`):
# on detector_dev, with the ordinary-text negatives, recall at 1-1.2% of news flagged rose from
# ~94.5% to ~95.5% (plain TF-IDF at C = 3, 10, 30, min_df 3, balanced class weights, character
# 1-5 or 2-6 grams all stayed within half a point of 94.5-95%). Out of fold on detector_train the
# scaled model with the extra negatives is half a point under the previous plain one
# (docs/results/clickbait-dev.json `cv`): on headlines, the same within noise.
NB_ALPHA_CLICKBAIT = 1.0
# The second negative source (`ordinary_text_corpus`, "train" templates only): the headline set
# pairs clickbait with news only, so without it every short text not styled as news (a chat line,
# a notice, release notes, a tutorial title) read as clickbait: the whole default policy flagged
# 28.5% of a sample of the corpus's eval texts in `publish` at 5a8ead9, 6.8% now (the dev texts:
# none at the dev operating point), for about half a point of recall at a fixed share of news.
# Weight 2 (a generated text weighs as two headlines; ~2,400 distinct texts beside ~11,100
# headlines): on dev, at the same share of news flagged, weight 2 kept recall and left fewer ordinary texts flagged than 1 or 3.
# Davidson's "neither" tweets (detector_train; the lab never reads Davidson, so the independence
# rule would allow them) were tried as well: alone they left half the corpus's dev templates
# flagged and cost 1-2 points of recall at 1% of news; with the corpus they added nothing. Not used.
ORDINARY_TEXTS = 4000  # drawn from the train templates, deduplicated before fitting
ORDINARY_SEED = 0
ORDINARY_WEIGHT = 2.0


def _ordinary_negatives() -> list[str]:
    from tractatus.governance.learning.ordinary_text_corpus import generate  # Faker: the `train` extra

    return list(dict.fromkeys(example.text for example in generate("train", ORDINARY_TEXTS, ORDINARY_SEED)))


CLICKBAIT_MODEL = ModelSpec(
    name="clickbait", source=CLICKBAIT, read=read_clickbait, label=lambda label: label, positive="clickbait",
    params=ClassifierParams(word_ngrams=(1, 2), char_ngrams=(2, 5), min_df=5, C=C_CLICKBAIT, nb_alpha=NB_ALPHA_CLICKBAIT),
    dev_thresholds=(0.5, 0.6, 0.7, 0.8), input=HEADLINE,
    extra_negatives=_ordinary_negatives, extra_negative_label="news", extra_negative_weight=ORDINARY_WEIGHT,
    extra_negative_source=f"ordinary_text_corpus/train (n={ORDINARY_TEXTS}, seed={ORDINARY_SEED}, deduplicated)",
)
# Davidson's hate and offensive classes are both abuse to the governor: one binary model
# ("abusive" vs "neither") flags both; hate is mostly offensive in form, and a three-class model
# lost hate recall on dev at the same rate of flagged "neither" tweets. Word n-grams only: the
# abuse tier reads every message, whole, and character n-grams cost ~4x as much per kilobyte
# for a gain on dev within noise (after normalization has undone the character-level evasions).
ABUSE_MODEL = ModelSpec(
    name="abuse", source=DAVIDSON, read=read_davidson,
    label=lambda label: "neither" if label == "neither" else "abusive", positive="abusive",
    params=ClassifierParams(word_ngrams=(1, 2), char_ngrams=None, min_df=5, C=10.0),
    dev_thresholds=(0.5, 0.6, 0.7, 0.8),
)
# The same headlines read with their capitalisation style (`detectors/headline_style.py`): the
# clickbait sources capitalise Every Word, the news sources do not, and a case-blind model cannot
# see it. Case is easy to change, so the style must never decide alone: both styled models train on
# every row's case variants (`case_variants`: lower-cased, news with Every Word Capitalised), and
# `clickbait_restyled` also on clickbait in a news title case; the policies average the two. Out of
# fold on detector_train (docs/results/clickbait-dev.json `cv`, docs/detectors-training.md
# "Session 6" and "Session 7"), at 1% of news flagged: the mean flags 96.9% of clickbait (the
# case-blind model 94.4%); re-styled in a news title case 96.2%, lower-cased 96.8%; the cost is news
# written in another house style: 2.2% of news with Every Word Capitalised and 2.1% of lower-cased
# news reach the same threshold. `clickbait_styled` alone keeps only 88.8% of clickbait re-styled
# as news.
# The generated ordinary negatives are trained in every case as well, at weight 3: on dev,
# against weight 2, the same recall at 0.96% instead of 1.05% of news and fewer ordinary texts
# flagged; without their case variants the red-team benign `publish` cases flagged rose from 0 to 7.
STYLED_ORDINARY_WEIGHT = 3.0
STYLED_CLICKBAIT_MODEL = ModelSpec(
    name="clickbait_styled", source=CLICKBAIT, read=read_clickbait, label=lambda label: label, positive="clickbait",
    params=CLICKBAIT_MODEL.params, dev_thresholds=CLICKBAIT_MODEL.dev_thresholds, input=STYLED_HEADLINE,
    extra_negatives=_ordinary_negatives, extra_negative_label="news", extra_negative_weight=STYLED_ORDINARY_WEIGHT,
    extra_negative_source=CLICKBAIT_MODEL.extra_negative_source, case_variants=True,
)
# On `clickbait_styled`'s featurizer: the two are averaged on every published text, and one
# vectorization instead of two is what keeps the `publish` pipeline under its 1 ms p50.
RESTYLED_CLICKBAIT_MODEL = replace(STYLED_CLICKBAIT_MODEL, name="clickbait_restyled", positives_in_news_case=True,
                                   shares_features_with=STYLED_CLICKBAIT_MODEL)
MODELS: tuple[ModelSpec, ...] = (CLICKBAIT_MODEL, STYLED_CLICKBAIT_MODEL, RESTYLED_CLICKBAIT_MODEL, ABUSE_MODEL)
EXPORTED = ("profanity",)  # packaged models copied rather than trained (see profanity_export)


def training_rows(spec: ModelSpec, data_dir: Path, split: str) -> list[LabelledText]:
    """The rows of one training-side split; any held-out split is refused."""
    if split not in TRAINING_SPLITS:
        raise ValueError(f"trainers never read the {split!r} split")
    return load_splits().select(spec.source, spec.read(data_dir), split)


def _inputs(rows: Sequence[LabelledText], form: str | None = None) -> list[str]:
    return text_inputs([row.text for row in rows], form)


def text_inputs(texts: Sequence[str], form: str | None = None) -> list[str]:
    """What a model reads of each text, exactly as at decision time."""
    out = []
    for text in texts:
        normalized = normalize(text)
        out.append(input_form(model_input(normalized), form, case_source(normalized)))
    return out


def case_variants(rows: Sequence[LabelledText], negative: str, positives_in_news_case: bool = False) -> list[LabelledText]:
    """Every row lower-cased, and every `negative` row with Every Word Capitalised: the variants a
    style-reading model trains on beside the rows, so that writing in lower case is no sign of
    clickbait and BuzzFeed's capitals alone are no proof of it. With `positives_in_news_case`,
    every other row in a news title case as well."""
    lowered = [LabelledText(text=row.text.lower(), label=row.label) for row in rows]
    capitalised = [LabelledText(text=every_word_capitalised(row.text), label=row.label) for row in rows if row.label == negative]
    restyled = [LabelledText(text=news_title_case(row.text), label=row.label)
                for row in rows if positives_in_news_case and row.label != negative]
    return lowered + capitalised + restyled


def fitting_set(spec: ModelSpec, rows: Sequence[LabelledText]) -> tuple[list[str], list[str], list[float] | None]:
    """Inputs, labels and sample weights a model is fitted on: `rows` plus its extra negatives."""
    if spec.case_variants:
        rows = [*rows, *case_variants(rows, spec.extra_negative_label, spec.positives_in_news_case)]
    texts = _inputs(rows, spec.input)
    labels = [spec.label(row.label) for row in rows]
    if spec.extra_negatives is None:
        return texts, labels, None
    generated = [LabelledText(text=text, label=spec.extra_negative_label) for text in spec.extra_negatives()]
    if spec.case_variants:  # the generated negatives in every case too: no style of theirs is a sign of clickbait
        generated += case_variants(generated, spec.extra_negative_label)
    extra = _inputs(generated, spec.input)
    weights = [1.0] * len(texts) + [spec.extra_negative_weight] * len(extra)
    return texts + extra, labels + [spec.extra_negative_label] * len(extra), weights


def fitted(spec: ModelSpec, rows: Sequence[LabelledText], texts: list[str], labels: list[str],
           weights: list[float] | None) -> Pipeline:
    """The pipeline of `spec` fitted on `fitting_set(spec, rows)` (`texts`, `labels`, `weights`);
    with `shares_features_with`, on that model's featurizer fitted on ITS fitting set of `rows`."""
    if spec.shares_features_with is None:
        return fit(texts, labels, spec.params, weights)
    owner = spec.shares_features_with
    return fit_on(fit_features(fitting_set(owner, rows)[0], owner.params), texts, labels, spec.params, weights)


def _dev_metrics(spec: ModelSpec, scores: np.ndarray, labels: Sequence[str]) -> dict[str, dict[str, float]]:
    """Share of each original dev label flagged at each threshold (recall for positives, FPR for the rest)."""
    out: dict[str, dict[str, float]] = {}
    names = sorted(set(labels))
    array = np.asarray(labels)
    for threshold in spec.dev_thresholds:
        flagged = scores >= threshold
        out[f"{threshold:g}"] = {name: round_floats([flagged[array == name].mean()])[0] for name in names}
    return out


def train(spec: ModelSpec, data_dir: Path) -> bytes:
    """Fit one model on its `detector_train` rows; the bytes of its model file."""
    train_rows = training_rows(spec, data_dir, "detector_train")
    dev_rows = training_rows(spec, data_dir, "detector_dev")
    texts, labels, weights = fitting_set(spec, train_rows)
    pipeline = fitted(spec, train_rows, texts, labels, weights)
    positive = list(pipeline.classes_).index(spec.positive)
    dev_scores = pipeline.predict_proba(_inputs(dev_rows, spec.input))[:, positive]
    meta = {
        "source": spec.source,
        "splits_digest": load_splits().digest,
        "trained_on": "detector_train",
        "train_rows": len(train_rows),
        "dev_rows": len(dev_rows),
        "positive": spec.positive,
        "dev_flagged_share": _dev_metrics(spec, dev_scores, [r.label for r in dev_rows]),
    }
    if spec.input is not None:
        meta["input"] = spec.input
    variants = len(case_variants(train_rows, spec.extra_negative_label, spec.positives_in_news_case)) if spec.case_variants else 0
    if spec.case_variants:
        meta["case_variants"] = {"rows": variants, "what": "every row lower-cased; every news row with Every Word Capitalised"
                                 + ("; every clickbait row in a news title case" if spec.positives_in_news_case else "")}
    if spec.extra_negatives is not None:
        meta["extra_negatives"] = {"source": spec.extra_negative_source, "label": spec.extra_negative_label,
                                   "weight": spec.extra_negative_weight, "rows": len(texts) - len(train_rows) - variants}
    return dumps(export(pipeline, spec.name, spec.params, meta))


def build_all(data_dir: Path, names: Sequence[str] | None = None) -> dict[str, bytes]:
    """The bytes of every shipped model file (or of `names`), rebuilt from the data directory."""
    wanted = set(names) if names else {spec.name for spec in MODELS} | set(EXPORTED)
    out: dict[str, bytes] = {}
    for spec in MODELS:
        if spec.name in wanted:
            out[spec.name] = train(spec, data_dir)
    if "profanity" in wanted:
        out["profanity"] = dumps(export_profanity_check())
    for raw in out.values():
        parse_model(raw)  # never write a file the detectors could not read
    return out


def shipped_models_dir() -> Path:
    """Where the package keeps its model files (the training command writes here by default)."""
    return Path(__file__).resolve().parent.parent / "detectors" / "models"

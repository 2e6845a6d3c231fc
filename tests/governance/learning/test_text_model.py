"""The numpy inference reproduces scikit-learn: same scores, same classes, on real headlines and tweets."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from tractatus.data.readers import read_clickbait, read_davidson
from tractatus.governance.detectors.text_model import load_model, model_input, parse_model
from tractatus.governance.learning.text_classifier import ClassifierParams, dumps, export, fit
from tractatus.governance.normalize import normalize

# Exported floats keep 9 significant digits: scores agree to well under a thousandth of a logit.
TOLERANCE = 1e-6

ODD_TEXTS = [
    "", "   ", "a", "Ünïcödé héadline — with dashes", "x" * 300, "tab\tand\nnewline  double  space",
    "emoji 😱😱 inside", "U.S. Declares Public Health Emergency Over Swine Flu", "34 Reasons You Need This",
]


def _sample(rows, count: int, seed: int):
    rng = np.random.default_rng(seed)
    return [rows[i] for i in rng.choice(len(rows), size=count, replace=False)]


@pytest.mark.parametrize(("reader", "nb_alpha"), [(read_clickbait, None), (read_davidson, None), (read_clickbait, 1.0)])
def test_numpy_scores_equal_sklearn_decision_function(data_dir, reader, nb_alpha):
    """Plain TF-IDF, and TF-IDF scaled by the naive-Bayes log-count ratio (folded into the exported
    weights), with sample weights as the clickbait trainer passes them."""
    rows = reader(data_dir)
    if nb_alpha is not None:  # the log-count ratio is a binary model's
        rows = [r for r in rows if r.label in ("clickbait", "news")]
    train = _sample(rows, 800, seed=1)
    probe = [model_input(normalize(r.text)) for r in _sample(rows, 300, seed=2)] + ODD_TEXTS
    params = ClassifierParams(min_df=2, C=5.0, nb_alpha=nb_alpha)
    weights = None if nb_alpha is None else [1.0 + (i % 3) for i in range(len(train))]
    pipeline = fit([model_input(normalize(r.text)) for r in train], [r.label for r in train], params, weights)
    model = parse_model(dumps(export(pipeline, "probe", params, {})))
    expected = pipeline.decision_function(probe)
    expected = expected.reshape(len(probe), -1)
    got = np.array([model.decision_function(text) for text in probe])
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=0, atol=TOLERANCE)
    # and the probabilities, which is what the detectors threshold
    sk_proba = pipeline.predict_proba(probe)
    np_proba = np.array([[model.probabilities(t)[c] for c in pipeline.classes_] for t in probe])
    np.testing.assert_allclose(np_proba, sk_proba, rtol=0, atol=TOLERANCE)


def test_exported_profanity_check_equals_the_packaged_model():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from profanity_check import predict_prob
    model = load_model("profanity")
    texts = ["have a lovely day", "you are a fucking idiot", "this update is shit", "kill -9 the process",
             "what a stupid bitch", "the quarterly report is attached", "damn that was close", *ODD_TEXTS]
    inputs = [model_input(normalize(t)) for t in texts]
    expected = predict_prob(inputs)
    got = np.array([model.probabilities(t)["1"] if "1" in model.classes else model.probabilities(t)[model.classes[1]] for t in inputs])
    np.testing.assert_allclose(got, expected, rtol=0, atol=TOLERANCE)
    assert got[1] > 0.9 > 0.1 > got[0]  # it can tell them apart: the test could fail


def test_explain_names_the_ngrams_that_weighed_most():
    model = load_model("clickbait")
    text = model_input(normalize("You Won't Believe What This Dog Did Next"))
    top = model.explain(text, "clickbait", top=3)
    assert 1 <= len(top) <= 3
    assert all(c.weight > 0 for c in top)
    assert [c.weight for c in top] == sorted((c.weight for c in top), reverse=True)


def test_a_corrupt_model_file_is_a_policy_error():
    from tractatus.governance.errors import PolicyError

    with pytest.raises(PolicyError):
        parse_model(b"{not json")
    with pytest.raises(PolicyError):
        parse_model(b'{"format": 99}')


def test_deciding_never_imports_scikit_learn_or_the_training_package() -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from tractatus.governance.actions import Action\n"
        "from tractatus.governance.governor import Governor\n"
        "from tractatus.governance.policy import bundled_policy_path, load_policy\n"
        "gov = Governor(load_policy(bundled_policy_path('default')))\n"
        "d = gov.evaluate(Action(text='You Will Not Believe This', kind='publish'))\n"
        "assert d.model_digest and len(d.model_digest) == 64, d.model_digest\n"
        "bad = [m for m in sys.modules if m.startswith(('sklearn', 'tractatus.governance.learning', 'profanity_check'))]\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


def test_tokenize_equals_scikit_learns_token_pattern() -> None:
    import re

    from hypothesis import given, settings
    from hypothesis import strategies as st

    from tractatus.governance.detectors.text_model import tokenize

    pattern = re.compile(r"(?u)\b\w\w+\b")

    @settings(max_examples=400, deadline=None)
    @given(st.text(alphabet=st.characters(max_codepoint=0x3000), max_size=60) | st.text(alphabet=st.characters(max_codepoint=127), max_size=60))
    def same(text: str) -> None:
        assert tokenize(text) == pattern.findall(text)

    same()

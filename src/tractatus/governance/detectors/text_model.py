"""Inference for the learned tiers: word and character n-gram TF-IDF + a linear model, numpy only.

The models are fitted by scikit-learn in `tractatus.governance.learning` (never imported at
decision time) and exported to a small JSON file under `detectors/models/`: the vocabulary of each
vectorizer, its idf, and the linear weights. This module recomputes exactly what scikit-learn's
`TfidfVectorizer(analyzer="word", token_pattern=r"(?u)\\b\\w\\w+\\b")` and
`TfidfVectorizer(analyzer="char_wb")` joined by a `FeatureUnion`, followed by
`LogisticRegression.decision_function`, compute (a test pins the equality), so a decision needs
neither scikit-learn nor any data.

Why hand-written: scikit-learn's vectorizers cost ~1 ms per kilobyte in Python and pull in
scipy at import; the text pipeline's budget is 1 ms for everything. So the lookups run inside C
(`map` over dictionaries, `Counter`), a word's character n-grams are remembered per model, and
numpy does only the arithmetic on the few hundred features a text has.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from itertools import chain, islice, repeat
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from tractatus.governance.ascii_table import AsciiTable
from tractatus.governance.detectors.char_ngram_codes import CharNgramCodes
from tractatus.governance.errors import PolicyError

if TYPE_CHECKING:
    from tractatus.governance.normalize import NormalizedText

MODEL_FORMAT = 1
# scikit-learn's default token_pattern is r"(?u)\b\w\w+\b"; without the \b it finds the same
# maximal runs of 2+ word characters (a match always starts at a run's first character and is
# greedy), about a third faster.
_TOKEN = re.compile(r"\w\w+")
_WORD_CACHE_SIZE = 50_000  # words whose character n-grams a model remembers (cleared when full)
# From this many words a text brings that the cache has not seen, their n-grams are found in one
# batch (`CharNgramCodes`): measured, about as fast at 12 words, 2.4 times as fast at 39.
_BATCH_WORDS = 12
_DIGIT = re.compile(r"\d")
_MODEL_INPUT = "text_model.model_input"  # key of the memoized model input in NormalizedText.memo


_ASCII_NON_WORD = AsciiTable({chr(c): " " for c in range(128) if not (chr(c).isalnum() or chr(c) == "_")})
# In ASCII text `\d` is exactly [0-9]: the digit fold is then a byte translation (ascii_table.py).
_ASCII_DIGITS_TO_ZERO = AsciiTable({d: "0" for d in "123456789"})


def tokenize(text: str) -> list[str]:
    """scikit-learn's default word tokens: runs of two or more word characters.

    For ASCII text (most of it) the same tokens come from a byte `translate` + `split`, several
    times faster than the regex: in ASCII a word character is exactly [A-Za-z0-9_]."""
    if text.isascii():
        return [token for token in _ASCII_NON_WORD.translate(text).split() if len(token) > 1]
    return _TOKEN.findall(text)


def word_runs(text: str) -> list[str]:
    """What a model without bigrams can read in place of `tokenize(text)`: in ASCII text every run
    of word characters, the one-character runs included. No vocabulary term is one character long
    (`TextModel.reads_word_runs` checks it), so the counts are the same, in the same order, and the
    filter that costs `tokenize` about a third of its time on 1 KB is skipped."""
    if text.isascii():
        return _ASCII_NON_WORD.translate(text).split()
    return _TOKEN.findall(text)


def model_input(text: NormalizedText) -> str:
    """What every learned model reads, in training and at decision time alike: the normalized,
    de-leeted, lower-cased words (so the evasion handling applies), with every digit folded to
    "0" ("17 pictures", "34 reasons": the count is not the signal, the shape is)."""
    # Kept in the text's memo: the abuse and clickbait tiers both read it on published text.
    cached = text.memo.get(_MODEL_INPUT)
    if not isinstance(cached, str):
        words = text.lower_words
        folded = _ASCII_DIGITS_TO_ZERO.translate(words) if words.isascii() else _DIGIT.sub("0", words)
        cached = text.memo[_MODEL_INPUT] = folded
    return cached


Features = tuple[np.ndarray, np.ndarray]  # (feature indices, TF-IDF values) of one text
_NO_INDEX = np.zeros(0, dtype=np.int64)
_NO_VALUES = np.zeros(0, dtype=np.float64)
NO_FEATURES: Features = (_NO_INDEX, _NO_VALUES)  # a text not vectorized (or with no known n-gram)


def first_seen_counts(flat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values of `flat` in the order they first occur, and how often each occurs
    (as float64): exactly the keys and values of `Counter(flat)`, computed by a stable sort.

    Hand-written because `np.unique` orders by value, and the TF-IDF sums must follow the
    first-seen order the models have always been scored in (so not a bit of a score changes);
    `np.unique(..., return_index=True)` followed by a reorder costs more for one headline."""
    if not len(flat):
        return flat, _NO_VALUES
    order = flat.argsort(kind="stable")  # equal values keep their positions' order
    ranked = flat[order]
    new = np.empty(len(ranked), dtype=bool)
    new[0] = True
    np.not_equal(ranked[1:], ranked[:-1], out=new[1:])
    starts = np.flatnonzero(new)  # where each distinct value begins in `ranked`
    counts = np.diff(starts, append=len(ranked))
    back = order[starts].argsort()  # each value's first position in `flat`: first-seen order
    return ranked[starts][back], counts[back].astype(np.float64)


def sorted_counts(flat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values of `flat` in increasing order, and how often each occurs (float64).

    What `first_seen_counts` gives in another order, for fewer numpy calls (one sort, no second
    argsort): the fast path's count (`TextModel.fast_features`). Hand-written because
    `np.unique(..., return_counts=True)` costs several times as much in argument handling on a few
    hundred values. A 16-bit array is sorted by numpy's radix sort (`kind="stable"`)."""
    size = len(flat)
    if not size:
        return flat, _NO_VALUES
    ranked = np.sort(flat, kind="stable")
    edges = np.empty(size + 1, dtype=bool)  # where a run of equal values begins (and the end)
    edges[0] = edges[size] = True
    np.not_equal(ranked[1:], ranked[:-1], out=edges[1:size])
    bounds = edges.nonzero()[0]
    return ranked.take(bounds[:-1]), np.subtract(bounds[1:], bounds[:-1], dtype=np.float64)


@dataclass(frozen=True, slots=True)
class Contribution:
    """One n-gram's share of a score: what a finding shows as its evidence."""

    term: str
    weight: float


class _Vocabulary:
    """One exported vectorizer: its n-grams in feature order, their idf and how tf is counted."""

    __slots__ = ("idf", "ngram_range", "offset", "sublinear_tf", "terms")

    def __init__(self, spec: dict[str, Any], offset: int) -> None:
        self.terms: list[str] = list(spec["terms"])
        self.idf = np.asarray(spec["idf"], dtype=np.float64)
        self.ngram_range = (int(spec["ngram_range"][0]), int(spec["ngram_range"][1]))
        self.sublinear_tf = bool(spec["sublinear_tf"])
        self.offset = offset  # where this vectorizer's columns start in the joined feature vector
        if len(self.terms) != len(self.idf):
            raise PolicyError("model file: a vocabulary and its idf differ in length")

    def weigh(self, counts: np.ndarray, index: np.ndarray) -> np.ndarray:
        """TF-IDF values of the present features, L2-normalized as scikit-learn's `norm="l2"`."""
        tf = np.log(counts) + 1.0 if self.sublinear_tf else counts
        values = tf * self.idf[index]
        norm = math.sqrt(float(values @ values))
        return values / norm if norm > 0 else values


class TextModel:
    """A linear text classifier read from an exported model file. Immutable after loading."""

    __slots__ = ("_bigrams", "_calibration", "_char", "_char_codes", "_char_codes_built", "_char_index", "_coef", "_gram_dtype", "_idf", "_intercept",
                 "_unigrams", "_unknown", "_word", "_word_grams", "_word_ids", "classes", "digest", "featurizer_digest", "meta", "name",
                 "reads_word_runs")

    def __init__(self, document: dict[str, Any], digest: str) -> None:
        if document.get("format") != MODEL_FORMAT:
            raise PolicyError(f"model file: format {document.get('format')!r} is not {MODEL_FORMAT}")
        self.name: str = document["name"]
        self.digest = digest
        self.classes: tuple[str, ...] = tuple(document["classes"])
        self.meta: dict[str, Any] = document.get("meta", {})
        # Two files with the same vocabularies and idf turn a text into the same features: the
        # tier vectorizes such a text once for both (see `LearnedTier._score`).
        self.featurizer_digest = hashlib.sha256(
            json.dumps([document["word"], document["char"]], sort_keys=True, separators=(",", ":")).encode()
        ).hexdigest()
        self._word = _Vocabulary(document["word"], 0)
        self._char = _Vocabulary(document["char"], len(self._word.terms))
        self._index_words()
        # Keyed to the feature's column in the joined vector (word columns first).
        self._char_index = {term: self._char.offset + i for i, term in enumerate(self._char.terms)}
        # The fast path's word lookups: one dictionary for unigrams (keyed by the token) and bigrams
        # (by the pair), so that a text's word n-grams are looked up in one `map`.
        self._word_ids: dict[str | tuple[str, str], int] = {}
        self._word_ids.update(self._unigrams.items())
        self._word_ids.update(self._bigrams.items())
        self._idf = np.concatenate((self._word.idf, self._char.idf))  # per column of the joined vector
        # A text's n-gram columns are counted as one array: 16-bit where the joined vocabulary
        # allows, so that the stable sorts of `first_seen_counts` and `sorted_counts` are numpy's
        # radix sort. Column `width` (one past the last) stands for a word n-gram no vocabulary
        # holds: the fast path counts it like any other and drops it (it sorts last).
        width = len(self._word.terms) + len(self._char.terms)
        self._gram_dtype = np.dtype(np.uint16) if width <= np.iinfo(np.uint16).max else np.dtype(np.int64)
        self._unknown = width
        # A word's character n-grams are a function of the word alone, and texts reuse words:
        # each model remembers the columns of the words it has seen, as the bytes of a
        # `_gram_dtype` array (a text's are joined by one `bytes.join`, far cheaper than
        # `np.concatenate` over a list of small arrays). Only this model's immutable vocabulary
        # is read to fill it, so the cache cannot change a score.
        self._word_grams: dict[str, bytes] = {}
        # Built the first time a text brings many unseen words (`_batch_codes`): ~15 ms, which a
        # process that loads the model and never scores a headline should not pay.
        self._char_codes: CharNgramCodes | None = None
        self._char_codes_built = False
        self._coef = np.asarray(document["coef"], dtype=np.float64)  # (rows, features)
        self._intercept = np.asarray(document["intercept"], dtype=np.float64)
        # Optional: an ensemble of binary scorers, each with a sigmoid calibration (a, b), whose
        # probabilities are averaged, as scikit-learn's CalibratedClassifierCV(method="sigmoid") does.
        self._calibration = np.asarray(document.get("calibration", []), dtype=np.float64).reshape(-1, 2)
        if len(self._calibration) and (len(self.classes) != 2 or len(self._calibration) != len(self._intercept)):
            raise PolicyError("model file: a calibration needs one (a, b) pair per binary scorer")
        width = len(self._word.terms) + len(self._char.terms)
        if self._coef.ndim != 2 or self._coef.shape[1] != width or self._coef.shape[0] != len(self._intercept):
            raise PolicyError("model file: weights do not match the vocabularies")

    def _index_words(self) -> None:
        """Dictionaries for the word n-grams, so that a text's lookups run inside C (`map`,
        `Counter`) rather than one Python step or one numpy call each: a kilobyte of text has
        ~170 tokens, and per-call overheads dominate at that size. Unigrams are keyed by the
        token, bigrams by the pair of tokens (strings cache their hashes, so a pair hashes fast)."""
        low, high = self._word.ngram_range
        if not (1 <= low <= high <= 2):
            raise PolicyError("model file: word n-grams must be unigrams and/or bigrams")
        split_terms = [term.split(" ") for term in self._word.terms]
        self._unigrams: dict[str, int] = {}
        self._bigrams: dict[tuple[str, str], int] = {}
        for feature, parts in enumerate(split_terms):
            if len(parts) == 1:
                self._unigrams[parts[0]] = feature
            elif len(parts) == 2:
                self._bigrams[(parts[0], parts[1])] = feature
            else:
                raise PolicyError(f"model file: word n-gram {' '.join(parts)!r} is not a unigram or bigram")
        # Whether `word_runs` may replace the tokens: without bigrams, a one-character run that
        # `tokenize` drops can only matter if it is a term, and no term should be.
        self.reads_word_runs = not self._bigrams and all(len(term) > 1 for term in self._unigrams)

    @property
    def cost_rank(self) -> tuple[int, int]:
        """How much vectorizing a text costs, for ordering: the n-gram families this model looks
        up (unigrams, bigrams, characters), then the vocabulary size."""
        families = bool(self._unigrams) + bool(self._bigrams) + bool(self._char_index)
        return families, len(self._word.terms) + len(self._char.terms)

    # -- features --------------------------------------------------------------------------------
    def _word_features(self, tokens: list[str]) -> tuple[np.ndarray, np.ndarray]:
        counts: Counter[int | None] = Counter()
        if self._unigrams:
            counts.update(map(self._unigrams.get, tokens))
        if self._bigrams and len(tokens) > 1:
            counts.update(map(self._bigrams.get, zip(tokens, islice(tokens, 1, None), strict=False)))
        counts.pop(None, None)
        if not counts:
            return _NO_INDEX, _NO_VALUES
        index = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        values = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
        return index, self._word.weigh(values, index)

    def _grams_of(self, word: str) -> np.ndarray:
        """The columns of the known character n-grams of one word, as scikit-learn's `char_wb`
        cuts them: the word padded with a space on each side, every n-gram inside it, by length
        then position (a padded word shorter than the smallest n counts once, whole)."""
        padded = f" {word} "
        size = len(padded)
        low, high = self._char.ngram_range
        grams = [padded] if size < low else [padded[i : i + n] for n in range(low, min(high, size) + 1) for i in range(size - n + 1)]
        return np.array([f for f in map(self._char_index.get, grams) if f is not None], dtype=self._gram_dtype)

    def _char_ngram_columns(self, text: str) -> bytes:
        """The columns of every known character n-gram of `text`, word by word (each word's in
        `_grams_of` order), as the bytes of a `_gram_dtype` array."""
        cache = self._word_grams
        words = text.split()
        per_word = list(map(cache.get, words))
        if None in per_word:  # words not seen yet
            missing = [i for i, grams in enumerate(per_word) if grams is None]
            new = list(dict.fromkeys(words[i] for i in missing))
            codes = self._batch_codes() if len(new) >= _BATCH_WORDS else None
            if codes is not None:
                computed = dict(zip(new, codes.columns_per_word(new), strict=True))
            else:
                computed = {word: self._grams_of(word).tobytes() for word in new}
            if len(cache) + len(computed) > _WORD_CACHE_SIZE:
                cache.clear()
            cache.update(computed)
            for i in missing:
                per_word[i] = computed[words[i]]
        return b"".join(cast("list[bytes]", per_word))  # no None left

    def _batch_codes(self) -> CharNgramCodes | None:
        """The vocabulary's character n-gram codes (None: a vocabulary they cannot code)."""
        if not self._char_codes_built:
            self._char_codes = CharNgramCodes.build(self._char.terms, self._char.ngram_range, self._char.offset, self._gram_dtype)
            self._char_codes_built = True
        return self._char_codes

    def _char_features(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        if not self._char_index:
            return _NO_INDEX, _NO_VALUES
        # One count over the whole text in numpy (a `Counter` over the n-grams plus two
        # `np.fromiter` cost about twice as much for a 300-character headline); the n-grams come
        # out in first-seen order, as `Counter` keeps them, so the sums below are the same.
        index, values = first_seen_counts(np.frombuffer(self._char_ngram_columns(text), dtype=self._gram_dtype))
        if not len(index):
            return _NO_INDEX, _NO_VALUES
        index = index.astype(np.int64)
        return index, self._char.weigh(values, index - self._char.offset)

    def _word_ngram_columns(self, tokens: list[str]) -> bytes:
        """The column of every unigram then every bigram of `tokens` (`_unknown` where the
        vocabulary has none), as the bytes of a `_gram_dtype` array."""
        size = len(tokens)
        pairs = max(size - 1, 0) if self._bigrams else 0
        grams: Iterable[str | tuple[str, str]] = tokens if self._unigrams else ()
        if pairs:
            grams = chain(grams, zip(tokens, islice(tokens, 1, None), strict=False))
        count = (size if self._unigrams else 0) + pairs
        return np.fromiter(map(self._word_ids.get, grams, repeat(self._unknown)), dtype=self._gram_dtype, count=count).tobytes()

    def fast_features(self, text: str, tokens: list[str] | None = None) -> Features:
        """The same TF-IDF vector as `features`, with its entries in column order instead of
        first-seen order (any order, for a caller); for screening (`LearnedTier`), not for a finding.

        Every n-gram of the text, words and characters, is counted in one array by one sort
        (`sorted_counts`, not `Counter` plus `first_seen_counts`' two argsorts), and both
        vectorizers are weighed in place: about 0.55 of the time of `features` for a headline
        (docs/benchmarks/detectors.md). Each value is computed by the same operations as in `features`;
        only the order in which the L2 norms and the score add up their terms differs, so a
        score differs from the exact one in its last bits (tests/governance/test_fast_paths.py
        checks 1e-9 on generated text; `LearnedTier` recomputes exactly any text it may flag).

        A model without character n-grams is vectorized by `features` itself: its word `Counter`
        over ~170 tokens costs no more than this path's extra numpy calls (measured, 1 KB text)."""
        if not self._char_index:
            return self.features(text, tokens)
        tokens = tokenize(text) if tokens is None else tokens
        grams = self._word_ngram_columns(tokens) + self._char_ngram_columns(text)
        index, values = sorted_counts(np.frombuffer(grams, dtype=self._gram_dtype))
        if len(index) and index[-1] == self._unknown:  # the unknown word n-grams sort last
            index, values = index[:-1], values[:-1]
        if not len(index):
            return NO_FEATURES
        # Weighed in place, word columns then character columns (views), each as `_Vocabulary.weigh`.
        split = int(index.searchsorted(self._char.offset))
        parts = (values[:split], values[split:]) if 0 < split < len(index) else (values,)
        word_tf, char_tf = self._word.sublinear_tf, self._char.sublinear_tf
        for tf in (values,) if word_tf and char_tf else (values[:split],) if word_tf else (values[split:],) if char_tf else ():
            np.log(tf, out=tf)
            tf += 1.0
        values *= self._idf.take(index)
        for part in parts:
            norm = math.sqrt(float(part.dot(part)))
            if norm > 0:
                part /= norm
        return index, values

    # -- scores ----------------------------------------------------------------------------------
    def features(self, text: str, tokens: list[str] | None = None) -> Features:
        """The text's TF-IDF vector as (feature indices, values). `tokens` is `tokenize(text)` when
        the caller has it already (several models, one text); pass the result to `probabilities`
        and `explain` so that one text is vectorized once."""
        word = self._word_features(tokenize(text) if tokens is None else tokens)
        if not self._char_index:
            return word
        char = self._char_features(text)
        return np.concatenate((word[0], char[0])), np.concatenate((word[1], char[1]))

    def decision_function(self, text: str, tokens: list[str] | None = None, *, features: Features | None = None) -> np.ndarray:
        """The linear scores, one per row of weights (scikit-learn's `decision_function`)."""
        index, values = features if features is not None else self.features(text, tokens)
        return self._intercept + self._coef.take(index, axis=1) @ values

    def probabilities(self, text: str, tokens: list[str] | None = None, *, features: Features | None = None) -> dict[str, float]:
        """Class probabilities: the logistic of a binary model, the softmax of a multinomial one."""
        scores = self.decision_function(text, tokens, features=features)
        if len(self._calibration):
            a, b = self._calibration[:, 0], self._calibration[:, 1]
            shares = 1.0 / (1.0 + np.exp(a * scores + b))
            # np.mean is this sum over the count (same add.reduce, same division), without its
            # Python-level argument handling, which cost more than the arithmetic on five numbers.
            positive = float(shares.sum()) / len(shares)
            return {self.classes[0]: 1.0 - positive, self.classes[1]: positive}
        if len(self.classes) == 2:
            positive = 1.0 / (1.0 + math.exp(-float(scores[0])))
            return {self.classes[0]: 1.0 - positive, self.classes[1]: positive}
        shifted = np.exp(scores - scores.max())
        shares = shifted / shifted.sum()
        return {label: float(p) for label, p in zip(self.classes, shares, strict=True)}

    def explain(self, text: str, label: str, top: int = 3, tokens: list[str] | None = None, *,
                features: Features | None = None) -> list[Contribution]:
        """The n-grams that pushed most towards `label`: word n-grams first, then character
        n-grams, each largest share first (positive shares only)."""
        index, values = features if features is not None else self.features(text, tokens)
        if len(index) == 0:
            return []
        if len(self.classes) == 2:
            # A calibrated ensemble's sign: a < 0 means a higher score is more positive.
            sign = -np.sign(self._calibration[:, 0:1]) if len(self._calibration) else np.ones((1, 1))
            shares = (sign * self._coef[:, index]).mean(axis=0) * values * (1.0 if label == self.classes[1] else -1.0)
        else:
            row = self.classes.index(label)
            shares = (self._coef[row, index] - self._coef[:, index].mean(axis=0)) * values
        # Whole words read better than character n-grams ("idiot", not "dio"): words first.
        positive = np.flatnonzero(shares > 0)
        best = positive[np.lexsort((-shares[positive], index[positive] >= self._char.offset))][:top]
        return [Contribution(self._term(int(index[i])), float(shares[i])) for i in best]

    def _term(self, feature: int) -> str:
        if feature < self._char.offset:
            return self._word.terms[feature]
        return self._char.terms[feature - self._char.offset]


def parse_model(raw: bytes) -> TextModel:
    """A model from the bytes of its file; the digest is the sha256 of exactly those bytes."""
    try:
        document = json.loads(raw)
        return TextModel(document, hashlib.sha256(raw).hexdigest())
    except (ValueError, KeyError, TypeError, IndexError) as error:
        raise PolicyError(f"model file is not a valid text model ({error})") from None


def load_model(name: str) -> TextModel:
    """A model shipped with the package, e.g. "clickbait" (read from detectors/models/<name>.json)."""
    if not re.fullmatch(r"[a-z0-9_-]{1,40}", name):
        raise PolicyError(f"invalid model name {name!r}")
    path = resources.files("tractatus.governance.detectors").joinpath("models", f"{name}.json")
    if not path.is_file():
        raise PolicyError(f"no shipped model {name!r}: run `tractatus detectors train`")
    return parse_model(path.read_bytes())

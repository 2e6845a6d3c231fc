"""The known character n-grams of many words at once, in numpy: what `TextModel` runs on the words
a text brings that its per-word cache has not seen yet.

Each n-gram of a vocabulary (scikit-learn's `char_wb`: n characters inside a word padded with a
space on each side) is given an exact integer code: its characters' ranks in the vocabulary's
alphabet (1 to A; 0 for a character outside it) read as the digits of a base-(A + 1) number. The
code is injective, not a hash, so no two n-grams share one and nothing can match falsely: the
code of n characters that all belong to the alphabet has n nonzero digits, and a character outside
it leaves a zero digit, which no vocabulary code has (a zero in the leading place is the one case
a shorter n-gram could be matched by, so windows starting on one are dropped). Every window of the
words joined by a separator outside the alphabet is coded with a few array operations (a strided
view times the digit weights), and `np.searchsorted` against the vocabulary's sorted codes finds
the known ones: per window, not per Python string.

A hash would do the same with a bounded collision probability; the exact code needs no bound, and
fits 64 bits while (A + 1) ** max_n < 2 ** 63 (A up to 6,208 letters for 5-grams). A vocabulary
it cannot code (a larger alphabet, a term of the wrong length, a separator inside a term, the
shortest n above 3) gets no instance (`build` returns None), and the caller keeps its plain path.

Measured (docs/benchmarks/detectors.md): on a headline of words all unseen, several times faster
than cutting and looking up every word's n-grams in Python; on words already cached, the cache is
faster still, which is why this runs only on the words a text brings new, and only on several.
"""

from __future__ import annotations

import numpy as np

# Joins the words: whitespace, so never inside a word, and refused in a vocabulary term (`build`).
_SEPARATOR = "\n"
_CODE_LIMIT = np.iinfo(np.int64).max


class CharNgramCodes:
    """A `char_wb` vocabulary's n-grams as sorted exact integer codes, with their columns."""

    __slots__ = ("_columns", "_digit", "_dtype", "_high", "_low", "_powers", "_sorted")

    def __init__(self, terms: list[str], ngram_range: tuple[int, int], first_column: int, dtype: np.dtype) -> None:
        """Use `build`, which refuses a vocabulary this coding cannot hold."""
        self._low, self._high = ngram_range
        alphabet = sorted(set("".join(terms)))
        radix = len(alphabet) + 1
        # Digit of every code point up to the alphabet's largest (and at least all of ASCII); one
        # more entry, 0, stands for every code point beyond (`_digits` clips to it).
        self._digit = np.zeros(max(255, max(map(ord, alphabet), default=0)) + 2, dtype=np.int64)
        for rank, character in enumerate(alphabet, 1):
            self._digit[ord(character)] = rank
        # Column j weighs a window's first low + j characters: its code as an n-gram of that length.
        self._powers = np.zeros((self._high, self._high - self._low + 1), dtype=np.int64)
        for j, n in enumerate(range(self._low, self._high + 1)):
            for k in range(n):
                self._powers[k, j] = radix ** (n - 1 - k)
        # The vocabulary's codes, one array operation per length (a loop over the terms in Python
        # would add ~0.1 s to loading the headline model).
        codes = np.empty(len(terms), dtype=np.int64)
        lengths = np.fromiter(map(len, terms), dtype=np.int64, count=len(terms))
        for j, n in enumerate(range(self._low, self._high + 1)):
            members = np.flatnonzero(lengths == n)
            if len(members):
                digits = self._digits("".join([terms[i] for i in members.tolist()])).reshape(-1, n)
                codes[members] = digits @ self._powers[:n, j]
        order = np.argsort(codes, kind="stable")
        # A last code above every real one, so that `searchsorted` never points past the end.
        self._sorted = np.append(codes[order], _CODE_LIMIT)
        self._columns = np.append(order + first_column, 0).astype(dtype)
        self._dtype = dtype

    @classmethod
    def build(cls, terms: list[str], ngram_range: tuple[int, int], first_column: int, dtype: np.dtype) -> CharNgramCodes | None:
        low, high = ngram_range
        alphabet = set("".join(terms))
        if not terms or not 1 <= low <= 3 or _SEPARATOR in alphabet:
            return None  # `char_wb` counts a padded word shorter than low whole: only possible above 3
        if (len(alphabet) + 1) ** high >= _CODE_LIMIT or min(map(len, terms)) < low or max(map(len, terms)) > high:
            return None
        codes = cls(terms, ngram_range, first_column, dtype)
        if bool((codes._sorted[1:] == codes._sorted[:-1]).any()):
            return None  # duplicate terms: never in an exported vocabulary
        return codes

    def _digits(self, joined: str) -> np.ndarray:
        if joined.isascii():
            points = np.frombuffer(joined.encode("ascii"), dtype=np.uint8)
        else:  # a lone surrogate is a code point like any other (outside every alphabet)
            points = np.minimum(np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32), len(self._digit) - 1)
        return self._digit.take(points)

    def columns_per_word(self, words: list[str]) -> list[bytes]:
        """For each word, the columns of its known n-grams by length then position (the order
        `TextModel._grams_of` gives), as the bytes of a `dtype` array."""
        if not words:
            return []
        joined = " " + f" {_SEPARATOR} ".join(words) + " "
        size = len(joined)
        digits = self._digits(joined + _SEPARATOR * (self._high - 1))  # every position has a full window
        windows = np.ndarray((size, self._high), dtype=np.int64, buffer=digits, strides=(8, 8))
        codes = windows @ self._powers  # (position, length): the code of every window
        starts = np.flatnonzero(digits[:size])  # windows that start on a letter of the alphabet
        codes = codes[starts]
        found = self._sorted.searchsorted(codes)
        known = np.flatnonzero(self._sorted.take(found) == codes)  # flat (start, length) indices
        position = starts.take(known // codes.shape[1])
        length = known % codes.shape[1]
        # Padded word i spans 3 + len(word) positions plus its separator: its number at each position.
        spans = np.fromiter(map(len, words), dtype=np.int64, count=len(words)) + 3
        word = np.repeat(np.arange(len(words)), spans)[position]
        order = np.argsort((word * codes.shape[1] + length) * size + position, kind="stable")
        columns = self._columns.take(found.take(known).take(order)).tobytes()
        ends = np.cumsum(np.bincount(word, minlength=len(words))) * self._dtype.itemsize
        out, begin = [], 0
        for end in ends.tolist():
            out.append(columns[begin:end])
            begin = end
        return out

"""How learners see a headline: hashed word counts, nothing more.

Learners get a generic bag of words, not the engagement model's features: handing them the
reward model's own inputs would give them the answer's shape for free. Words are lowercased,
digits become one token "<num>", each word goes to bucket crc32(word) mod B, the vector is
L2-normalised and a constant bias is appended.

Hand-written rather than scikit-learn's HashingVectorizer because inference here should not need
scikit-learn (a training-only dependency), and crc32 (zlib) is stable across processes, unlike
Python's salted `hash`.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence

import numpy as np

_TOKEN = re.compile(r"[a-z']+|\d+")


def hashed_bag_of_words(texts: Sequence[str], buckets: int) -> np.ndarray:
    """(len(texts), buckets + 1) float64: normalised hashed word counts, then a bias of 1."""
    matrix = np.zeros((len(texts), buckets + 1))
    for row, text in enumerate(texts):
        for token in _TOKEN.findall(text.lower()):
            word = "<num>" if token[0].isdigit() else token
            matrix[row, zlib.crc32(word.encode("utf-8")) % buckets] += 1.0
    norms = np.linalg.norm(matrix[:, :buckets], axis=1, keepdims=True)
    matrix[:, :buckets] /= np.where(norms > 0, norms, 1.0)
    matrix[:, buckets] = 1.0
    return matrix

"""spaCy's rule-based sentencizer, computed on token arrays instead of Token objects.

Same rule and punctuation set as `spacy.pipeline.Sentencizer`: a sentence starts at the
first non-punctuation token after a sentence-final character. spaCy's version walks the
doc one Python Token at a time, which costs as much as tokenising; this one is numpy.
"""
from __future__ import annotations

import numpy as np
from spacy.attrs import IS_PUNCT, ORTH, SENT_START
from spacy.language import Language
from spacy.pipeline.sentencizer import Sentencizer
from spacy.tokens import Doc


def sentence_starts(orth: np.ndarray, is_punct: np.ndarray, final: np.ndarray) -> np.ndarray:
    """SENT_START values (1 start, -1 inside) from ORTH hashes, IS_PUNCT flags and final-character hashes."""
    n = len(orth)
    out = np.full(n, -1, dtype=np.int64)
    if n == 0:
        return out
    at = np.searchsorted(final, orth)  # `final` is sorted: cheaper than np.isin on short docs
    is_final = final[np.minimum(at, len(final) - 1)] == orth
    word = ~is_final & (is_punct == 0)
    finals_before = np.concatenate(([0], np.cumsum(is_final)))
    words = np.flatnonzero(word)
    previous = np.concatenate(([-1], words[:-1]))
    # A word starts a sentence when a final character lies between it and the previous word.
    out[words[finals_before[words] - finals_before[previous + 1] > 0]] = 1
    out[0] = 1
    return out


class ArraySentencizer:
    """Pipeline component: sets `Token.is_sent_start` exactly as spaCy's Sentencizer would."""

    def __init__(self, nlp: Language, name: str = "array_sentencizer", punct_chars: list[str] | None = None):
        self.name = name
        chars = punct_chars or sorted(Sentencizer.default_punct_chars)
        self.final = np.array(sorted(nlp.vocab.strings.add(c) for c in chars), dtype=np.uint64)

    def __call__(self, doc: Doc) -> Doc:
        if len(doc):
            arr = doc.to_array([ORTH, IS_PUNCT])
            starts = sentence_starts(arr[:, 0], arr[:, 1], self.final)
            doc.from_array([SENT_START], starts.astype(np.uint64).reshape(-1, 1))
        return doc


@Language.factory("array_sentencizer", default_config={"punct_chars": None})
def make_array_sentencizer(nlp: Language, name: str, punct_chars: list[str] | None) -> ArraySentencizer:
    return ArraySentencizer(nlp, name, punct_chars)

"""Turn passages into sparse feature rows: lemma n-grams, character n-grams and taxonomy cues.

The state of a fitted featurizer is plain data (a vocabulary list, an idf array, cue
patterns), so a model can be saved as arrays plus JSON and loaded without pickle.
"""
from __future__ import annotations

import gzip
import json
import re
from functools import lru_cache
from typing import Iterable, Sequence

import numpy as np
import scipy.sparse as sp

_TOKEN = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*")


@lru_cache(maxsize=1)
def lemma_table() -> dict[str, str]:
    """English lookup lemmas shipped by spacy-lookups-data (identity if it is not installed)."""
    try:
        import spacy_lookups_data
    except ImportError:  # pragma: no cover - the dependency is declared
        return {}
    from pathlib import Path

    path = Path(spacy_lookups_data.__file__).parent / "data" / "en_lemma_lookup.json.gz"
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        table = json.load(fh)
    return {k.lower(): v.lower() for k, v in table.items() if k.islower()}


def tokens(text: str) -> list[str]:
    """Lower-cased word tokens of `text`."""
    return _TOKEN.findall(text.lower().replace("’", "'"))


def lemmas(text: str) -> list[str]:
    """Lower-cased lookup lemmas of the word tokens of `text`."""
    table = lemma_table()
    return [table.get(t, t) for t in tokens(text)]


def _char_grams(token: str, lo: int, hi: int) -> list[str]:
    padded = f" {token} "
    return [padded[i:i + n] for n in range(lo, hi + 1) for i in range(len(padded) - n + 1)]


class Featurizer:
    """TF-IDF over lemma 1-2-grams and char n-grams, plus per-label cue counts.

    Parameters are plain attributes; `fit` learns the vocabulary and idf weights.
    """

    def __init__(self, min_df: int = 2, char_ngrams: tuple[int, int] | None = (3, 5),
                 cue_weight: float = 1.0, cues: dict[str, list[str]] | None = None):
        self.min_df = min_df
        self.char_ngrams = char_ngrams
        self.cue_weight = cue_weight
        self.cues = cues or {}

    # -- fitting -------------------------------------------------------------------
    def _terms(self, text: str) -> list[str]:
        toks = lemmas(text)
        terms = ["w:" + t for t in toks]
        terms += ["b:" + a + " " + b for a, b in zip(toks, toks[1:])]
        if self.char_ngrams:
            lo, hi = self.char_ngrams
            for t in toks:
                terms += ["c:" + g for g in _char_grams(t, lo, hi)]
        return terms

    def fit(self, texts: Sequence[str]) -> "Featurizer":
        df: dict[str, int] = {}
        for text in texts:
            for term in set(self._terms(text)):
                df[term] = df.get(term, 0) + 1
        vocab = sorted(t for t, n in df.items() if n >= self.min_df)
        n = len(texts)
        self.vocabulary_ = {t: i for i, t in enumerate(vocab)}
        self.idf_ = np.array([np.log((1 + n) / (1 + df[t])) + 1.0 for t in vocab], dtype=np.float64)
        self._compile()
        return self

    def _compile(self) -> None:
        # Single-word cues are matched once per token type (cached); only phrases need a regex scan.
        single, phrase = [], []
        for pats in self.cues.values():
            one = [p for p in pats if not re.search(r"\s| |\\s", p)]
            many = [p for p in pats if p not in one]
            single.append(re.compile("(?:" + "|".join(one) + ")") if one else None)
            phrase.append(re.compile(r"(?<![\w-])(?:" + "|".join(many) + r")(?![\w-])") if many else None)
        self._cue_single, self._cue_phrase = single, phrase
        self._cue_cache: dict[str, tuple[int, ...]] = {}
        self._term_cache: dict[str, list[int]] = {}

    def _token_cues(self, token: str) -> tuple[int, ...]:
        hits = self._cue_cache.get(token)
        if hits is None:
            hits = tuple(j for j, r in enumerate(self._cue_single) if r is not None and r.fullmatch(token))
            self._cue_cache[token] = hits
        return hits

    def cue_counts(self, text: str, raw_tokens: list[str]) -> list[int]:
        """How many cue words and phrases of each label occur in `text`."""
        counts = [0] * len(self._cue_single)
        for t in raw_tokens:
            for j in self._token_cues(t):
                counts[j] += 1
        low = None
        for j, r in enumerate(self._cue_phrase):
            if r is not None:
                low = low if low is not None else text.lower().replace("’", "'")
                counts[j] += len(r.findall(low))
        return counts

    @property
    def n_features(self) -> int:
        return len(self.vocabulary_) + len(self.cues)

    # -- transforming --------------------------------------------------------------
    def _token_ids(self, token: str) -> list[int]:
        ids = self._term_cache.get(token)
        if ids is None:
            vocab = self.vocabulary_
            terms = ["w:" + token]
            if self.char_ngrams:
                terms += ["c:" + g for g in _char_grams(token, *self.char_ngrams)]
            ids = [vocab[t] for t in terms if t in vocab]
            self._term_cache[token] = ids
        return ids

    def transform(self, texts: Iterable[str]) -> sp.csr_matrix:
        """Sparse rows: l2-normalised sublinear TF-IDF, then cue counts (log1p, scaled)."""
        texts = list(texts)
        vocab = self.vocabulary_
        cols: list[int] = []
        indptr = [0]
        cue_rows: list[list[int]] = []
        table = lemma_table()
        for text in texts:
            raw = tokens(text)
            toks = [table.get(t, t) for t in raw]
            if self.cues:
                cue_rows.append(self.cue_counts(text, raw))
            for t in toks:
                cols.extend(self._token_ids(t))
            for a, b in zip(toks, toks[1:]):
                i = vocab.get("b:" + a + " " + b)
                if i is not None:
                    cols.append(i)
            indptr.append(len(cols))
        n_vocab = len(vocab)
        # Duplicate (row, col) entries are summed into term counts by the conversion to CSR.
        X = sp.csr_matrix((np.ones(len(cols)), np.asarray(cols, dtype=np.int64), np.asarray(indptr)),
                          shape=(len(texts), n_vocab))
        X.sum_duplicates()
        X.data = (1.0 + np.log(X.data)) * self.idf_[X.indices]
        norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
        X.data /= np.repeat(np.where(norms > 0, norms, 1.0), np.diff(X.indptr))
        if not self.cues:
            return X
        cue = np.array(cue_rows, dtype=np.float64).reshape(len(texts), len(self.cues))
        return sp.hstack([X, sp.csr_matrix(np.log1p(cue) * self.cue_weight)], format="csr")

    # -- persistence as plain data ------------------------------------------------
    def get_state(self) -> tuple[dict, dict[str, np.ndarray]]:
        meta = {"min_df": self.min_df, "char_ngrams": list(self.char_ngrams) if self.char_ngrams else None,
                "cue_weight": self.cue_weight, "cues": [[k, v] for k, v in self.cues.items()],  # a list keeps column order
                "vocabulary": sorted(self.vocabulary_, key=self.vocabulary_.get)}
        return meta, {"idf": self.idf_}

    @classmethod
    def from_state(cls, meta: dict, arrays: dict[str, np.ndarray]) -> "Featurizer":
        f = cls(meta["min_df"], tuple(meta["char_ngrams"]) if meta["char_ngrams"] else None,
                meta["cue_weight"], dict(meta["cues"]))
        f.vocabulary_ = {t: i for i, t in enumerate(meta["vocabulary"])}
        f.idf_ = np.asarray(arrays["idf"], dtype=np.float64)
        if len(f.idf_) != len(f.vocabulary_):
            raise ValueError("idf array and vocabulary differ in length")
        f._compile()
        return f

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


_KEY_SPACE = 1 << 32


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
        """Build the lookup structures `transform` uses; derived from the fitted state only."""
        # Single-word cues are matched once per token type (cached); phrases need one regex scan.
        single, groups = [], []
        for j, pats in enumerate(self.cues.values()):
            one = [p for p in pats if not re.search(r"\s| |\\s", p)]
            many = [p for p in pats if p not in one]
            single.append(re.compile("(?:" + "|".join(one) + ")") if one else None)
            if many:
                groups.append(f"(?P<c{j}>" + "|".join(many) + ")")
        self._cue_single = single
        self._cue_phrase = re.compile(r"(?<![\w-])(?:" + "|".join(groups) + r")(?![\w-])") if groups else None
        # Lemmas get integer keys so a bigram is looked up by one int, not a concatenated string.
        self._lemma_key: dict[str, int] = {}
        self._bigram: dict[int, int] = {}
        for term, i in self.vocabulary_.items():
            if term.startswith("b:"):
                x, y = term[2:].split(" ", 1)
                self._bigram[self._key(x) * _KEY_SPACE + self._key(y)] = i
        self._cache: dict[str, tuple[int, np.ndarray, tuple[int, ...]]] = {}

    def _key(self, lemma: str) -> int:
        k = self._lemma_key.get(lemma)
        if k is None:
            k = self._lemma_key[lemma] = len(self._lemma_key)
        return k

    def _entry(self, token: str) -> tuple[int, np.ndarray, tuple[int, ...]]:
        """(lemma key, unigram + char n-gram feature ids, labels whose single-word cues match) of a token."""
        lemma = lemma_table().get(token, token)
        terms = ["w:" + lemma]
        if self.char_ngrams:
            terms += ["c:" + g for g in _char_grams(lemma, *self.char_ngrams)]
        ids = np.array([self.vocabulary_[t] for t in terms if t in self.vocabulary_], dtype=np.int64)
        hits = tuple(j for j, r in enumerate(self._cue_single) if r is not None and r.fullmatch(token))
        entry = (self._key(lemma), ids, hits)
        if len(self._cache) < 500_000:  # bound memory on pathological input
            self._cache[token] = entry
        return entry

    @property
    def n_features(self) -> int:
        return len(self.vocabulary_) + len(self.cues)

    # -- transforming --------------------------------------------------------------
    def transform(self, texts: Iterable[str]) -> sp.csr_matrix:
        """Sparse rows: l2-normalised sublinear TF-IDF, then cue counts (log1p, scaled).

        Tokens are counted per type first; a sparse product with each type's feature ids
        (word + character n-grams) then does the per-feature counting in C.
        """
        texts = list(texts)
        cache, bigram, n_cues = self._cache, self._bigram, len(self.cues)
        local: dict[str, int] = {}
        entries: list[tuple[int, np.ndarray, tuple[int, ...]]] = []
        tcols: list[int] = []
        bcols: list[int] = []
        tptr, bptr = [0], [0]
        cue_rows: list[list[int]] = []
        for text in texts:
            cue = [0] * n_cues
            prev = -1
            for t in tokens(text):
                li = local.get(t)
                if li is None:
                    li = local[t] = len(entries)
                    entries.append(cache.get(t) or self._entry(t))
                tcols.append(li)
                key, _ids, hits = entries[li]
                if prev >= 0:
                    b = bigram.get(prev * _KEY_SPACE + key)
                    if b is not None:
                        bcols.append(b)
                prev = key
                for j in hits:
                    cue[j] += 1
            if self._cue_phrase is not None and " " in text:
                for m in self._cue_phrase.finditer(text.lower().replace("’", "'")):
                    cue[int(m.lastgroup[1:])] += 1
            cue_rows.append(cue)
            tptr.append(len(tcols))
            bptr.append(len(bcols))
        n, v = len(texts), len(self.vocabulary_)
        T = sp.csr_matrix((np.ones(len(tcols)), np.asarray(tcols, dtype=np.int64), np.asarray(tptr)), shape=(n, len(entries)))
        fptr = np.cumsum([0] + [len(e[1]) for e in entries])
        fcols = np.concatenate([e[1] for e in entries]) if entries else np.zeros(0, dtype=np.int64)
        F = sp.csr_matrix((np.ones(len(fcols)), fcols, fptr), shape=(len(entries), v))
        B = sp.csr_matrix((np.ones(len(bcols)), np.asarray(bcols, dtype=np.int64), np.asarray(bptr)), shape=(n, v))
        X = (T @ F + B).tocsr()
        X.sum_duplicates()
        X.data = (1.0 + np.log(X.data)) * self.idf_[X.indices]
        norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
        X.data /= np.repeat(np.where(norms > 0, norms, 1.0), np.diff(X.indptr))
        if not self.cues:
            return X
        cue = np.array(cue_rows, dtype=np.float64).reshape(n, n_cues)
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

"""Turn passages into sparse feature rows: lemma n-grams, character n-grams and taxonomy cues.

Tokens are spaCy's (the same tokenizer that splits documents), read as arrays of LOWER
hashes; each distinct token type is looked up once and kept in sorted arrays, so turning a
document into features is numpy work, not a Python loop per token. The state of a fitted
featurizer is plain data (a vocabulary list, an idf array, cue patterns), so a model can be
saved as arrays plus JSON and loaded without pickle.
"""
from __future__ import annotations

import gzip
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Sequence

import numpy as np
import scipy.sparse as sp

from .arrays import Growing, ragged

_WORD = re.compile(r"[^\W_]")
MAX_TYPES = 1_000_000  # token types remembered between calls; past it the memo starts afresh (a call's own types always fit)


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


@lru_cache(maxsize=1)
def _tokenizer():
    import spacy

    return spacy.blank("en").tokenizer


def normalise(token: str) -> str:
    return token.lower().replace("’", "'")


def lemma(token: str) -> str | None:
    """Lookup lemma of a token, or None for punctuation and spaces (tokens with no letter or digit)."""
    token = normalise(token)
    if not _WORD.search(token):
        return None
    return lemma_table().get(token, token)


@dataclass(frozen=True)
class Tokens:
    """Tokens of n rows as arrays: LOWER hash, row index and character span, all offsets into `text`.

    Row r is the span `text[row_start[r]:row_end[r]]` (a passage of a document, or one of
    several texts joined by newlines).
    """

    text: str
    lower: np.ndarray
    row: np.ndarray
    start: np.ndarray
    end: np.ndarray
    row_start: np.ndarray
    row_end: np.ndarray
    key: np.ndarray | None = None  # tokens with one key (within `key_space`) share a type; -1: no key
    key_space: int | None = None

    @property
    def n_rows(self) -> int:
        return len(self.row_start)

    @classmethod
    def of_texts(cls, texts: Sequence[str]) -> "Tokens":
        """Tokenise each text on its own with spaCy's English tokenizer."""
        from spacy.attrs import IDX, LENGTH, LOWER

        arrays = [doc.to_array([LOWER, IDX, LENGTH]) for doc in _tokenizer().pipe(texts)]
        lengths = [len(a) for a in arrays]
        sizes = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
        row_start = np.concatenate(([0], np.cumsum(sizes + 1)[:-1])) if len(texts) else np.zeros(0, dtype=np.int64)
        a = np.concatenate(arrays) if sum(lengths) else np.zeros((0, 3), dtype=np.uint64)
        row = np.repeat(np.arange(len(texts)), lengths)
        start = a[:, 1].astype(np.int64) + row_start[row]
        return cls("\n".join(texts), a[:, 0].astype(np.uint64), row, start, start + a[:, 2].astype(np.int64),
                   row_start, row_start + sizes)


_KEY_SPACE = 1 << 32


def _gather(row: np.ndarray, types: np.ndarray, ptr: np.ndarray, cols: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(row, column) of every entry of the tokens' types in a CSR-like table (ptr, cols) of the types."""
    owner, at = ragged(ptr[types], ptr[types + 1] - ptr[types])
    return row[owner], cols[at]


def _find(sorted_keys: np.ndarray, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Position of each key in `sorted_keys` (clipped to a valid index) and whether it is there."""
    if len(sorted_keys) == 0:
        return np.zeros(len(keys), dtype=np.int64), np.zeros(len(keys), dtype=bool)
    pos = np.minimum(np.searchsorted(sorted_keys, keys), len(sorted_keys) - 1)
    return pos, sorted_keys[pos] == keys


def _literal_prefix(pattern: str) -> str | None:
    """The literal text every match of a cue pattern starts with ("naming" for "naming and shaming"), or None."""
    depth, i = 0, 0
    while i < len(pattern):  # a top-level alternative would start with something else
        c = pattern[i]
        if c == "\\":
            i += 1
        elif c == "[":
            i = pattern.index("]", i + 2) if "]" in pattern[i + 2:] else len(pattern)
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            return None
        i += 1
    lit = re.match(r"[a-z0-9' ]*", pattern).group(0)
    rest = pattern[len(lit):]
    if rest[:1] in ("?", "*", "{"):
        lit = lit[:-1]  # the last character is optional
    lit = lit.split(" ")[0]
    return lit or None


def _is_phrase(pattern: str) -> bool:
    """Whether a cue pattern spans several words (then it is matched on the text, not per token)."""
    return re.search(r"\s| |\\s", pattern) is not None


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
    def _terms(self, toks: list[str]) -> list[str]:
        terms = ["w:" + t for t in toks]
        terms += ["b:" + a + " " + b for a, b in zip(toks, toks[1:])]
        if self.char_ngrams:
            lo, hi = self.char_ngrams
            for t in toks:
                terms += ["c:" + g for g in _char_grams(t, lo, hi)]
        return terms

    def fit(self, texts: Sequence[str]) -> "Featurizer":
        df: dict[str, int] = {}
        for doc in _tokenizer().pipe(texts):
            toks = [l for l in (lemma(t.text) for t in doc) if l is not None]
            for term in set(self._terms(toks)):
                df[term] = df.get(term, 0) + 1
        vocab = sorted(t for t, n in df.items() if n >= self.min_df)
        n = len(texts)
        self.vocabulary_ = {t: i for i, t in enumerate(vocab)}
        self.idf_ = np.array([np.log((1 + n) / (1 + df[t])) + 1.0 for t in vocab], dtype=np.float64)
        self._compile()
        return self

    def _compile(self) -> None:
        """Build the lookup structures `transform` uses; derived from the fitted state only."""
        # Single-word cues are matched once per token type; phrases need one regex scan per text.
        single = []
        for pats in self.cues.values():
            one = [p for p in pats if not _is_phrase(p)]
            single.append(re.compile("(?:" + "|".join(one) + ")") if one else None)
        self._cue_single = single
        # Every phrase starts with a literal; only tokens that start with one of them are tried, each
        # against a regex of only the phrases its text can begin (same order, so the same first match).
        self._phrases = [(j, p, _literal_prefix(p)) for j, pats in enumerate(self.cues.values())
                         for p in pats if _is_phrase(p)]
        self._cue_phrase = self._phrase_pattern(range(len(self._phrases))) if self._phrases else None
        self._starters = tuple(filter(None, (lit for _, _, lit in self._phrases)))
        self._scan_all = len(self._starters) < len(self._phrases)  # a phrase without a literal start: scan everything
        self._phrase_rx: list[re.Pattern] = []
        self._phrase_rx_of: dict[tuple[int, ...], int] = {}
        # A bigram is found by one int code: (unigram column of x) * 2^32 + (unigram column of y).
        codes, cols = [], []
        for term, i in self.vocabulary_.items():
            if term.startswith("b:"):
                x, y = term[2:].split(" ", 1)
                codes.append(self.vocabulary_["w:" + x] * _KEY_SPACE + self.vocabulary_["w:" + y])
                cols.append(i)
        order = np.argsort(codes)
        self._bigram_code = np.asarray(codes, dtype=np.int64)[order]
        self._bigram_col = np.asarray(cols, dtype=np.int64)[order]
        self._reset_types()

    def _reset_types(self) -> None:
        # Token types seen so far (a memo, not state): LOWER hash -> type row; per type its lemma's
        # unigram column (-1 unknown word, -2 not a word), feature ids and cue hits. Kept in
        # growable arrays, so learning a document's new types costs in proportion to them, not to
        # every type seen before.
        self._type_hash = np.zeros(0, dtype=np.uint64)
        self._type_row = np.zeros(0, dtype=np.int64)
        self._types = Growing(key=np.int64, starts=np.int8, phrases=np.int32)
        self._f_ptr, self._f_cols = Growing(ptr=np.int64), Growing(col=np.int64)
        self._h_ptr, self._h_cols = Growing(ptr=np.int64), Growing(col=np.int64)
        self._f_ptr.append(ptr=[0])
        self._h_ptr.append(ptr=[0])
        # Type row by token key (the word cache's row), -1 unknown; its last slot stays -1, so key -1 reads it.
        self._type_by_key = np.full(1, -1, dtype=np.int64)
        self._key_space: int | None = None
        self._resets = getattr(self, "_resets", -1) + 1

    def _add_types(self, hashes: np.ndarray, strings: list[str]) -> None:
        first = self._types.n
        keys, starts, phrases, fcols, fcount, hcols, hcount = [], [], [], [], [], [], []
        for text in strings:
            lem = lemma(text)
            if lem is None:
                keys.append(-2)
                starts.append(0)
                phrases.append(-1)
                fcount.append(0)
                hcount.append(0)
                continue
            keys.append(self.vocabulary_.get("w:" + lem, -1))
            terms = ["w:" + lem]
            if self.char_ngrams:
                terms += ["c:" + g for g in _char_grams(lem, *self.char_ngrams)]
            ids = [self.vocabulary_[t] for t in terms if t in self.vocabulary_]
            fcols += ids
            fcount.append(len(ids))
            token = normalise(text)
            # 1: starts with a literal; 2: is only the first part of one (spaCy cuts "cannot" into
            # "can" + "not"), which counts when the next token follows with no space between.
            starts.append(1 if token.startswith(self._starters) else
                          2 if any(l.startswith(token) for l in self._starters) else 0)
            phrases.append(self._phrase_regex(token) if starts[-1] else -1)
            hits = [j for j, r in enumerate(self._cue_single) if r is not None and r.fullmatch(token)]
            hcols += hits
            hcount.append(len(hits))
        self._types.append(key=keys, starts=starts, phrases=phrases)
        self._f_cols.append(col=fcols)
        self._f_ptr.append(ptr=self._f_ptr["ptr"][-1] + np.cumsum(fcount))
        self._h_cols.append(col=hcols)
        self._h_ptr.append(ptr=self._h_ptr["ptr"][-1] + np.cumsum(hcount))
        # Merge the new hashes into the sorted index (new types are never already in it).
        order = np.argsort(hashes, kind="stable")
        at = np.searchsorted(self._type_hash, hashes[order])
        self._type_hash = np.insert(self._type_hash, at, hashes[order])
        self._type_row = np.insert(self._type_row, at, np.arange(first, self._types.n)[order])

    def _phrase_regex(self, token: str) -> int:
        """Index of the regex of the phrases `token` can begin (its literal starts the token, or the
        token starts the literal: spaCy cuts "cannot" into "can" + "not")."""
        which = tuple(k for k, (_, _, lit) in enumerate(self._phrases)
                      if lit and (token.startswith(lit) or lit.startswith(token)))
        at = self._phrase_rx_of.get(which)
        if at is None:
            at = self._phrase_rx_of[which] = len(self._phrase_rx)
            self._phrase_rx.append(self._phrase_pattern(which))
        return at

    def _phrase_pattern(self, which: Sequence[int]) -> re.Pattern:
        """One regex of the phrases `which` (indexes into `_phrases`): a named group per label, in label order."""
        labels = sorted({self._phrases[k][0] for k in which})
        groups = [f"(?P<c{j}>" + "|".join(self._phrases[k][1] for k in which if self._phrases[k][0] == j) + ")"
                  for j in labels]
        return re.compile(r"(?<![\w-])(?:" + "|".join(groups) + r")(?![\w-])")

    def _type_of(self, tokens: Tokens) -> np.ndarray:
        """Type row of every token, learning the types not seen before.

        Tokens with a key are looked up by it (one gather); the hash search is for the rest.
        """
        if tokens.key is None or not len(tokens.key):
            return self._type_of_hashes(tokens, np.arange(len(tokens.lower)))
        if tokens.key_space != self._key_space:
            self._type_by_key = np.full(1, -1, dtype=np.int64)
            self._key_space = tokens.key_space
        top = int(tokens.key.max()) + 2
        if top > len(self._type_by_key):
            self._type_by_key = np.concatenate([self._type_by_key[:-1],
                                                np.full(max(top, 2 * len(self._type_by_key)) - len(self._type_by_key) + 1, -1)])
        types = self._type_by_key[tokens.key]
        miss = np.flatnonzero(types < 0)
        if len(miss):
            resets = self._resets
            found = self._type_of_hashes(tokens, miss)
            if self._resets != resets:  # the memo started afresh: the rows read above are stale
                return self._type_of(tokens)
            types[miss] = found
            keyed = tokens.key[miss] >= 0
            self._type_by_key[tokens.key[miss][keyed]] = found[keyed]
        return types

    def _type_of_hashes(self, tokens: Tokens, which: np.ndarray) -> np.ndarray:
        """Type rows of tokens `which`, found by LOWER hash."""
        lower = tokens.lower[which]
        pos, known = _find(self._type_hash, lower)
        if known.all():
            return self._type_row[pos]
        new, first = np.unique(lower[~known], return_index=True)
        if self._types.n + len(new) > MAX_TYPES:  # start afresh, then learn every type of this call
            self._reset_types()
            known[:] = False
            new, first = np.unique(lower, return_index=True)
        where = which[np.flatnonzero(~known)[first]]
        self._add_types(new, [tokens.text[tokens.start[i]:tokens.end[i]] for i in where])
        pos, known = _find(self._type_hash, lower)
        return self._type_row[pos]

    @property
    def n_features(self) -> int:
        return len(self.vocabulary_) + len(self.cues)

    # -- transforming --------------------------------------------------------------
    def transform(self, texts: Iterable[str]) -> sp.csr_matrix:
        """Feature rows of passages given as strings (each tokenised on its own)."""
        return self.transform_tokens(Tokens.of_texts(list(texts)))

    def transform_tokens(self, tokens: Tokens) -> sp.csr_matrix:
        """Sparse rows: l2-normalised sublinear TF-IDF, then cue counts (log1p, scaled).

        `tokens` are the rows' tokens (from a document already tokenised, or `Tokens.of_texts`).
        """
        X, cue = self.transform_parts(tokens)
        return sp.hstack([X, sp.csr_matrix(cue)], format="csr") if self.cues else X

    def transform_parts(self, tokens: Tokens) -> tuple[sp.csr_matrix, np.ndarray]:
        """The two blocks of `transform_tokens`: TF-IDF rows (unit length) and the dense cue block."""
        n, v = tokens.n_rows, len(self.vocabulary_)
        types = self._type_of(tokens)
        key, starts = self._types["key"], self._types["starts"]
        k = key[types]
        word = k > -2
        types, row, k = types[word], tokens.row[word], k[word]
        # Each token's feature ids and cue hits are gathered from its type's slice of the memo
        # (work in proportion to the tokens, not to every type the memo holds).
        frow, fcol = _gather(row, types, self._f_ptr["ptr"], self._f_cols["col"])
        # Bigrams: consecutive word tokens of one row, both in the vocabulary.
        pair = (row[1:] == row[:-1]) & (k[1:] >= 0) & (k[:-1] >= 0)
        codes = k[:-1][pair] * _KEY_SPACE + k[1:][pair]
        pos, hit = _find(self._bigram_code, codes)
        r = np.concatenate([frow, row[:-1][pair][hit]])
        c = np.concatenate([fcol, self._bigram_col[pos[hit]]])
        # Counts of each (row, column), already in CSR order: one sort instead of SciPy's COO path.
        cell, count = np.unique(r.astype(np.int64) * v + c, return_counts=True)
        cols = cell % v
        X = sp.csr_matrix(((1.0 + np.log(count)) * self.idf_[cols], cols, np.searchsorted(cell // v, np.arange(n + 1))),
                          shape=(n, v))
        row_of = np.repeat(np.arange(n), np.diff(X.indptr))
        norms = np.sqrt(np.bincount(row_of, weights=X.data ** 2, minlength=n))
        X.data /= np.where(norms > 0, norms, 1.0)[row_of]
        hrow, hcol = _gather(row, types, self._h_ptr["ptr"], self._h_cols["col"])
        cue = np.bincount(hrow * len(self.cues) + hcol, minlength=n * len(self.cues)).reshape(n, len(self.cues)) \
            .astype(np.float64) if self.cues else np.zeros((n, 0))
        if self._cue_phrase is not None:
            self._count_phrases(tokens, starts[types], self._types["phrases"][types], word, cue)
        return X, np.log1p(cue) * self.cue_weight

    def _count_phrases(self, tokens: Tokens, start_kind: np.ndarray, phrase_rx: np.ndarray, word: np.ndarray,
                       cue: np.ndarray) -> None:
        """Add multi-word cue matches to `cue`, trying the phrase regex only where a phrase can start.

        Equivalent to scanning each row with `finditer` (non-overlapping, left to right), as long
        as phrases start at token starts; rows are never crossed (a match ends by the row end).
        """
        text, rx = tokens.text, self._cue_phrase
        if tokens.n_rows == 0:
            return
        # Only the span these rows cover is lowered (a block of a long document, not all of it).
        base = int(tokens.row_start.min())
        span = text[base:int(tokens.row_end.max())]
        low = normalise(span)
        if self._scan_all or len(low) != len(span):  # lower() changed lengths: offsets would drift
            for r, (a, b) in enumerate(zip(tokens.row_start.tolist(), tokens.row_end.tolist())):
                for m in rx.finditer(normalise(text[a:b])):
                    cue[r, int(m.lastgroup[1:])] += 1
            return
        words = np.flatnonzero(word)
        glued = np.zeros(len(words), dtype=bool)
        glued[:-1] = tokens.end[words[:-1]] == tokens.start[words[1:]]
        tried = (start_kind == 1) | ((start_kind == 2) & glued)
        pick = words[tried]
        row_end = tokens.row_end - base
        regexes = self._phrase_rx
        last_row, last_end = -1, -1
        for r, pos, k in zip(tokens.row[pick].tolist(), (tokens.start[pick] - base).tolist(), phrase_rx[tried].tolist()):
            if r == last_row and pos < last_end:
                continue
            m = regexes[k].match(low, pos, row_end[r])
            if m is not None:
                cue[r, int(m.lastgroup[1:])] += 1
                last_row, last_end = r, m.end()

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

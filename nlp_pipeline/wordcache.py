"""spaCy's tokenizer, applied once per distinct word form and reused from then on.

spaCy's tokenizer cuts text at whitespace and then tokenises each whitespace-free run on its
own. spaCy caches runs, but stops caching a document's runs once it meets its first special
case ("U.S.", "don't"), so on real text it re-tokenises most words from scratch. This cache
tokenises each distinct run once, by itself, keeps its tokens as array rows, and builds a
text's token arrays by gathering rows with numpy, at a fraction of the cost. On ordinary text
that is exactly `nlp.tokenizer(text)` (checked by the tests on the corpus). spaCy's own result
can depend on its cache history in rare cases (an emoticon special case such as ":*" right
after punctuation); there we give the run's own tokenization, the same every time.
"""
from __future__ import annotations

import re

import numpy as np
from spacy.attrs import IDX, IS_PUNCT, LENGTH, LOWER, ORTH
from spacy.tokenizer import Tokenizer

from .arrays import Growing, ragged

# Runs of non-whitespace and of whitespace, as spaCy's tokenizer sees them (str.isspace).
_RUNS = re.compile(r"\S+|\s+")
ATTRS = [ORTH, IS_PUNCT, IDX, LENGTH, LOWER]


class WordCache:
    """Token arrays (ORTH, IS_PUNCT, IDX, LENGTH, LOWER) of texts, one spaCy call per new run.

    `max_runs` bounds memory: past it the cache starts afresh.
    """

    def __init__(self, tokenizer: Tokenizer, max_runs: int = 300_000):
        self.tokenizer = tokenizer
        self.max_runs = max_runs
        self._clear()

    def _clear(self) -> None:
        self._ids: dict[str, int] = {}
        # Per run: first row of its tokens, how many tokens, its length in characters.
        self._runs = Growing(first=np.int64, count=np.int64, length=np.int64)
        self._rows = Growing(row=(np.uint64, len(ATTRS)))

    def to_array(self, text: str) -> np.ndarray:
        """The (n_tokens, 5) uint64 array `nlp.tokenizer(text).to_array(ATTRS)` would give."""
        if not text:
            return np.zeros((0, len(ATTRS)), dtype=np.uint64)
        runs = _RUNS.findall(text)
        lead = None
        if text[0].isspace():
            # Leading whitespace is one token of its own, with no word before it to attach a space to.
            lead, lead_length = self.tokenizer(runs[0]).to_array(ATTRS), len(runs[0])
            runs[0] = ""
        found = list(map(self._ids.get, runs))
        if None in found:  # a text of known words only (the common case) costs no set
            self._learn({r for r, i in zip(runs, found) if i is None}, runs)
            found = list(map(self._ids.__getitem__, runs))
        ids = np.fromiter(found, np.int64, len(runs))
        lengths = self._runs["length"][ids]
        if lead is not None:
            lengths[0] = lead_length
        offsets = np.cumsum(lengths) - lengths
        run_of, at = ragged(self._runs["first"][ids], self._runs["count"][ids])
        out = self._rows["row"][at]
        out[:, 2] += offsets[run_of].astype(np.uint64)
        return out if lead is None else np.concatenate([lead, out])

    def _learn(self, new: set[str], runs: list[str]) -> None:
        if len(self._ids) + len(new) > self.max_runs:
            self._clear()
            new = list(set(runs))
        words = sorted(r for r in new if r and not r[0].isspace())
        spaces = [r for r in new if not r or r[0].isspace()]
        parts: list[tuple[str, np.ndarray]] = [
            (w, doc.to_array(ATTRS).reshape(-1, len(ATTRS))) for w, doc in zip(words, self.tokenizer.pipe(words))]
        for r in spaces:
            # A whitespace run after a word: its first space belongs to that word; the rest is one token.
            rest, shift = (r[1:], 1) if r[:1] == " " else (r, 0)
            arr = self.tokenizer(rest).to_array(ATTRS) if rest else np.zeros((0, len(ATTRS)), np.uint64)
            arr[:, 2] += np.uint64(shift)
            parts.append((r, arr))
        self._store(parts)

    def _store(self, parts: list[tuple[str, np.ndarray]]) -> None:
        counts = np.array([len(a) for _, a in parts], dtype=np.int64)
        self._ids.update((run, self._runs.n + k) for k, (run, _) in enumerate(parts))
        self._runs.append(first=self._rows.n + np.cumsum(counts) - counts, count=counts,
                          length=[len(run) for run, _ in parts])
        self._rows.append(row=np.concatenate([a for _, a in parts]) if parts else np.zeros((0, len(ATTRS)), np.uint64))

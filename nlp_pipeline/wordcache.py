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
from spacy.attrs import IDX, IS_PUNCT, IS_SPACE, LENGTH, LOWER, ORTH
from spacy.tokenizer import Tokenizer

from .arrays import Growing, ragged

# A unit is a whitespace-free run with the whitespace after it, as spaCy's tokenizer sees
# them (str.isspace): a word and its trailing space are looked up together.
_UNITS = re.compile(r"\S+\s*")
_LEAD = re.compile(r"\s+")
ATTRS = [ORTH, IS_PUNCT, IDX, LENGTH, LOWER, IS_SPACE]


class WordCache:
    """Token arrays (ORTH, IS_PUNCT, IDX, LENGTH, LOWER, IS_SPACE) of texts, one spaCy call per new run.

    `max_runs` bounds memory: past it the cache starts afresh.
    """

    def __init__(self, tokenizer: Tokenizer, max_runs: int = 300_000):
        self.tokenizer = tokenizer
        self.max_runs = max_runs
        self._clear()

    def _clear(self) -> None:
        # Row numbers mean something only until the next clear: `key_space` names the numbering.
        self.key_space = (id(self), getattr(self, "key_space", (0, -1))[1] + 1)
        self._ids: dict[str, int] = {}
        # Per unit: first row of its tokens, how many tokens, its length in characters.
        self._runs = Growing(first=np.int64, count=np.int64, length=np.int64)
        self._rows = Growing(row=(np.uint64, len(ATTRS)))

    def to_array(self, text: str) -> np.ndarray:
        """The (n_tokens, 6) uint64 array `nlp.tokenizer(text).to_array(ATTRS)` would give."""
        return self.to_arrays(text)[0]

    def to_arrays(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """`to_array(text)`, and each token's row in this cache (-1 for leading whitespace).

        Tokens with one row have the same attributes, so a caller may memoise per row (within
        one `key_space`) what it would otherwise look up by hash.
        """
        if not text:
            return np.zeros((0, len(ATTRS)), dtype=np.uint64), np.zeros(0, dtype=np.int64)
        lead = _LEAD.match(text)
        lead_length = lead.end() if lead else 0
        units = _UNITS.findall(text, lead_length)
        found = list(map(self._ids.get, units))
        if None in found:  # a text of known words only (the common case) costs no set
            self._learn({u for u, i in zip(units, found) if i is None}, units)
            found = list(map(self._ids.__getitem__, units))
        ids = np.fromiter(found, np.int64, len(units))
        lengths = self._runs["length"][ids]
        offsets = np.cumsum(lengths) - lengths + lead_length
        run_of, at = ragged(self._runs["first"][ids], self._runs["count"][ids])
        out = self._rows["row"][at]
        out[:, 2] += offsets[run_of].astype(np.uint64)
        if not lead_length:
            return out, at
        # Leading whitespace is one token of its own, with no word before it to attach a space to.
        lead_arr = self.tokenizer(text[:lead_length]).to_array(ATTRS).reshape(-1, len(ATTRS))
        return np.concatenate([lead_arr, out]), np.concatenate([np.full(len(lead_arr), -1), at])

    def _learn(self, new: set[str], units: list[str]) -> None:
        if len(self._ids) + len(new) > self.max_runs:
            self._clear()
            new = set(units)
        new_units = sorted(new)
        words = [u.rstrip() if u[-1:].isspace() else u for u in new_units]
        parts: list[tuple[str, np.ndarray]] = []
        for unit, word, doc in zip(new_units, words, self.tokenizer.pipe(words)):
            arr = doc.to_array(ATTRS).reshape(-1, len(ATTRS))
            space = unit[len(word):]
            # The whitespace after a word: its first space belongs to that word; the rest is one token.
            rest, shift = (space[1:], len(word) + 1) if space[:1] == " " else (space, len(word))
            if rest:
                tail = self.tokenizer(rest).to_array(ATTRS).reshape(-1, len(ATTRS))
                tail[:, 2] += np.uint64(shift)
                arr = np.concatenate([arr, tail])
            parts.append((unit, arr))
        self._store(parts)

    def _store(self, parts: list[tuple[str, np.ndarray]]) -> None:
        counts = np.array([len(a) for _, a in parts], dtype=np.int64)
        self._ids.update((run, self._runs.n + k) for k, (run, _) in enumerate(parts))
        self._runs.append(first=self._rows.n + np.cumsum(counts) - counts, count=counts,
                          length=[len(run) for run, _ in parts])
        self._rows.append(row=np.concatenate([a for _, a in parts]) if parts else np.zeros((0, len(ATTRS)), np.uint64))

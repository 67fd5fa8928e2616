"""spaCy's tokenizer, applied once per distinct word form and reused from then on.

spaCy's tokenizer cuts text at whitespace and then tokenises each whitespace-free run on its
own. spaCy caches runs, but stops caching a document's runs once it meets its first special
case ("U.S.", "don't"), so on real text it re-tokenises most words from scratch. This cache
tokenises each distinct run once, by itself, keeps its tokens as array rows, and builds a
text's token arrays by gathering rows with numpy, at a fraction of the cost. Runs are cut and
found with numpy too (a hash of each run's code points, one sorted search for all of them).
On ordinary text that is exactly `nlp.tokenizer(text)` (checked by the tests on the corpus). spaCy's own result
can depend on its cache history in rare cases (an emoticon special case such as ":*" right
after punctuation); there we give the run's own tokenization, the same every time.
"""
from __future__ import annotations

import itertools
import os

import numpy as np
from spacy.attrs import IDX, IS_PUNCT, IS_SPACE, LENGTH, LOWER, ORTH
from spacy.tokenizer import Tokenizer

from .arrays import Growing, ragged

# A unit is a whitespace-free run with the whitespace after it, as spaCy's tokenizer sees
# them (str.isspace): a word and its trailing space are looked up together.
ATTRS = [ORTH, IS_PUNCT, IDX, LENGTH, LOWER, IS_SPACE]
# Code points for which str.isspace() is true (a test checks the list against every code point).
SPACE_CODES = (9, 10, 11, 12, 13, 28, 29, 30, 31, 32, 133, 160, 5760, *range(8192, 8203), 8232, 8233, 8239, 8287, 12288)
_IS_SPACE = np.zeros(max(SPACE_CODES) + 2, dtype=bool)  # the last slot stands for every higher code point
_IS_SPACE[list(SPACE_CODES)] = True
# Units are found by a 64-bit hash of their code points: sum of (code point + 1) times a weight
# for its distance from the unit's end, modulo 2**64, with odd weights each cache draws at random.
# Two different units share a hash with probability at most 2**-44 (2**-64 unless their code
# points differ only by multiples of 2**20), whatever the text: the weights are not known in
# advance, so no input can be crafted to collide (as it can against a fixed polynomial hash).
_KEY_SPACES = itertools.count()  # numberings of cache rows, unique within the process


class _KeyIndex:
    """uint64 keys -> ids, looked up in bulk: a large sorted array, plus a small sorted one for
    recent additions that is merged in when it grows (so adding costs O(small), not O(large))."""

    def __init__(self):
        self._keys = [np.zeros(0, np.uint64), np.zeros(0, np.uint64)]
        self._ids = [np.zeros(0, np.int64), np.zeros(0, np.int64)]

    def get(self, keys: np.ndarray) -> np.ndarray:
        # Searched in increasing order: each search starts where the last ended, in memory just read.
        todo = np.argsort(keys)
        out = np.full(len(keys), -1, dtype=np.int64)
        for k, v in zip(self._keys, self._ids):
            if not len(k) or not len(todo):
                continue
            pos = np.minimum(np.searchsorted(k, keys[todo]), len(k) - 1)
            hit = k[pos] == keys[todo]
            out[todo[hit]] = v[pos[hit]]
            todo = todo[~hit]
        return out

    def add(self, keys: np.ndarray, ids: np.ndarray) -> None:
        order = np.argsort(keys, kind="stable")
        keys, ids = keys[order], ids[order]
        if len(self._keys[1]) + len(keys) <= max(4096, len(self._keys[0]) // 8):
            at = np.searchsorted(self._keys[1], keys)  # a merge into the small array: one copy, no sort
            self._keys[1], self._ids[1] = np.insert(self._keys[1], at, keys), np.insert(self._ids[1], at, ids)
            return
        k = np.concatenate([self._keys[0], self._keys[1], keys])
        v = np.concatenate([self._ids[0], self._ids[1], ids])
        order = np.argsort(k, kind="stable")
        self._keys = [k[order], np.zeros(0, np.uint64)]
        self._ids = [v[order], np.zeros(0, np.int64)]


class WordCache:
    """Token arrays (ORTH, IS_PUNCT, IDX, LENGTH, LOWER, IS_SPACE) of texts, one spaCy call per new run.

    Units are cut and looked up with numpy: a text's code points give each unit's hash, and one
    search finds all of them (a dictionary lookup per word cost more than spaCy's tokenizer).
    `max_runs` bounds memory: past it the cache starts afresh.
    """

    def __init__(self, tokenizer: Tokenizer, max_runs: int = 300_000):
        self.tokenizer = tokenizer
        self.max_runs = max_runs
        self._random = np.random.default_rng(int.from_bytes(os.urandom(8), "little"))
        self._weights = np.zeros(0, dtype=np.uint64)
        self._clear()

    def _clear(self) -> None:
        # Row numbers mean something only until the next clear: `key_space` names the numbering.
        self.key_space = next(_KEY_SPACES)
        self._index = _KeyIndex()
        # Per unit: first row of its tokens and how many tokens.
        self._runs = Growing(first=np.int64, count=np.int64)
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
        code = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        space = _IS_SPACE[np.minimum(code, len(_IS_SPACE) - 1)]
        head = ~space
        head[1:] &= space[:-1]
        starts = np.flatnonzero(head)
        lead_length = int(starts[0]) if len(starts) else len(text)
        ends = np.append(starts[1:], len(text))
        hashes = self._hashes(code, starts, ends)
        ids = self._index.get(hashes)
        missing = np.flatnonzero(ids < 0)
        if len(missing):
            if self._learn(text, hashes, starts, ends, missing):  # the cache started afresh
                missing = np.arange(len(starts))
            ids[missing] = self._index.get(hashes[missing])
        run_of, at = ragged(self._runs["first"][ids], self._runs["count"][ids])
        out = self._rows["row"][at]
        out[:, 2] += starts[run_of].astype(np.uint64)
        if not lead_length:
            return out, at
        # Leading whitespace is one token of its own, with no word before it to attach a space to.
        lead_arr = self.tokenizer(text[:lead_length]).to_array(ATTRS).reshape(-1, len(ATTRS))
        return np.concatenate([lead_arr, out]), np.concatenate([np.full(len(lead_arr), -1), at])

    def _hashes(self, code: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
        """Each unit's hash: sum of (c_j + 1) * weight[end - 1 - j] over its code points, modulo 2**64."""
        if not len(starts):
            return np.zeros(0, dtype=np.uint64)
        longest = int((ends - starts).max())
        if longest > len(self._weights):
            more = self._random.integers(0, 2**63, max(longest, 2 * len(self._weights), 64) - len(self._weights),
                                         dtype=np.int64, endpoint=False).astype(np.uint64)
            self._weights = np.concatenate([self._weights, more * np.uint64(2) + np.uint64(1)])
        lo, hi = int(starts[0]), int(ends[-1])  # units cover [lo, hi) without gaps
        from_end = np.repeat(ends - 1, ends - starts) - np.arange(lo, hi)
        terms = (code[lo:hi].astype(np.uint64) + np.uint64(1)) * self._weights[from_end]
        return np.add.reduceat(terms, starts - lo)

    def _learn(self, text: str, hashes: np.ndarray, starts: np.ndarray, ends: np.ndarray, missing: np.ndarray) -> bool:
        """Tokenise the missing units (each distinct one once, by itself) and add them.

        Returns whether the cache had to start afresh first (then every unit of the text is new).
        """
        cleared = self._runs.n + len(missing) > self.max_runs
        if cleared:
            self._clear()
            missing = np.arange(len(starts))
        new: dict[str, int] = {}
        for i in missing.tolist():
            new.setdefault(text[starts[i]:ends[i]], i)
        new_units = sorted(new)
        words = [u.rstrip() if u[-1:].isspace() else u for u in new_units]
        parts: list[np.ndarray] = []
        for unit, word, doc in zip(new_units, words, self.tokenizer.pipe(words)):
            arr = doc.to_array(ATTRS).reshape(-1, len(ATTRS))
            space = unit[len(word):]
            # The whitespace after a word: its first space belongs to that word; the rest is one token.
            rest, shift = (space[1:], len(word) + 1) if space[:1] == " " else (space, len(word))
            if rest:
                tail = self.tokenizer(rest).to_array(ATTRS).reshape(-1, len(ATTRS))
                tail[:, 2] += np.uint64(shift)
                arr = np.concatenate([arr, tail])
            parts.append(arr)
        counts = np.array([len(a) for a in parts], dtype=np.int64)
        ids = self._runs.n + np.arange(len(new_units))
        self._runs.append(first=self._rows.n + np.cumsum(counts) - counts, count=counts)
        self._rows.append(row=np.concatenate(parts) if parts else np.zeros((0, len(ATTRS)), np.uint64))
        self._index.add(hashes[np.array([new[u] for u in new_units], dtype=np.int64)], ids)
        return cleared

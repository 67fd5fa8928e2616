"""Two numpy idioms the tokenizer cache and the featurizer share."""
from __future__ import annotations

import numpy as np


class Growing:
    """Parallel numpy columns that grow by appending (capacity doubles, so appends are amortised O(1)).

    A column is given by its dtype, or by (dtype, width) for rows of `width` values.
    """

    def __init__(self, **columns):
        self.n = 0
        self._cols = {k: np.zeros((16, spec[1]) if isinstance(spec, tuple) else 16,
                                  dtype=spec[0] if isinstance(spec, tuple) else spec)
                      for k, spec in columns.items()}

    def append(self, **values) -> None:
        m = len(next(iter(values.values())))
        for k, v in values.items():
            col = self._cols[k]
            if self.n + m > len(col):
                col = self._cols[k] = np.concatenate([col, np.zeros((max(len(col), m), *col.shape[1:]), col.dtype)])
            col[self.n:self.n + m] = v
        self.n += m

    def __getitem__(self, key: str) -> np.ndarray:
        return self._cols[key][:self.n]


def ragged(first: np.ndarray, count: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For slices [first[i], first[i] + count[i]): the slice each element belongs to, and its index."""
    owner = np.repeat(np.arange(len(count)), count)
    within = np.arange(len(owner)) - np.repeat(np.cumsum(count) - count, count)
    return owner, first[owner] + within

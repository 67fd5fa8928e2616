"""numpy idioms the tokenizer cache, the featurizer and the digest share."""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp


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


def take_rows(X: sp.csr_matrix, rows: np.ndarray) -> sp.csr_matrix:
    """X[rows] for a CSR matrix, gathered with numpy: SciPy's fancy indexing checks and converts
    far more than a few hundred rows need (it cost more than the digest's similarity matrix)."""
    owner, at = ragged(X.indptr[rows], np.diff(X.indptr)[rows])
    indptr = np.zeros(len(rows) + 1, dtype=X.indptr.dtype)
    np.cumsum(np.bincount(owner, minlength=len(rows)), out=indptr[1:])
    return sp.csr_matrix((X.data[at], X.indices[at], indptr), shape=(len(rows), X.shape[1]))


GRAM_NUMPY_MAX = 64


def gram(X: sp.csr_matrix) -> np.ndarray:
    """X @ X.T as a dense array; for a CSR matrix of few rows (a typical document's digest
    candidates), with numpy alone.

    SciPy's sparse product turns X.T into CSR through an index array as long as the vocabulary;
    here each stored entry meets the dense columns of the (few) rows instead.
    """
    n = X.shape[0]
    if n > GRAM_NUMPY_MAX:  # numpy's work grows as entries x rows; SciPy's sparse product wins past here
        return (X @ X.T).toarray()
    S = np.zeros((n, n))
    if X.nnz == 0:
        return S
    used, column = np.unique(X.indices, return_inverse=True)
    D = np.zeros((len(used), n))
    D[column, np.repeat(np.arange(n), np.diff(X.indptr))] = X.data
    filled = np.flatnonzero(np.diff(X.indptr))
    S[filled] = np.add.reduceat(X.data[:, None] * D[column], X.indptr[filled], axis=0)
    return S

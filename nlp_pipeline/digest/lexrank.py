"""Label-focused LexRank + MMR: confident, central, non-redundant sentences.

Centrality is continuous LexRank (PageRank over cosine similarities). Past DENSE_MAX
candidates it never forms the n x n similarity matrix: S v = X (X^T v), so each power
iteration costs O(nnz(X)) and the digest grows linearly with document length. Below it,
a small dense matrix is simply faster.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import scipy.sparse as sp

from .base import Budget


DENSE_MAX = 400


def lexrank(X: sp.csr_matrix, damping: float = 0.85, iterations: int = 30, tol: float = 1e-6,
            S: np.ndarray | None = None) -> np.ndarray:
    """Stationary LexRank scores of the rows of X (cosine graph with self-loops removed), max = 1.

    `S`, when given, is the dense similarity matrix of the rows (small inputs only).
    """
    n = X.shape[0]
    if n <= 2:
        return np.ones(n)
    if S is not None:
        W = S - np.diag(np.diag(S))
        matvec = W.__matmul__
        deg = W.sum(axis=1)
    else:
        XT = X.T.tocsr()
        self_sim = np.asarray(X.multiply(X).sum(axis=1)).ravel()
        deg = X @ np.asarray(XT.sum(axis=1)).ravel() - self_sim

        def matvec(v: np.ndarray) -> np.ndarray:
            return X @ (XT @ v) - self_sim * v
    deg = np.where(deg > 1e-12, deg, 1.0)
    p = np.full(n, 1.0 / n)
    for _ in range(iterations):
        q = p / deg
        nxt = (1 - damping) / n + damping * matvec(q)
        nxt /= nxt.sum()
        if np.abs(nxt - p).sum() < tol:
            p = nxt
            break
        p = nxt
    return p / p.max()


class LabelRankSummarizer:
    """score = (1 - w) * confidence + w * centrality; picked greedily with MMR.

    Parameters: `centrality_weight` (w), `mmr_lambda` (trade-off of score against
    similarity to sentences already picked), `redundancy` (cosine above which a
    sentence is a near-duplicate and never picked), `min_words` (skip fragments).
    """

    def __init__(self, centrality_weight: float = 0.35, mmr_lambda: float = 0.7,
                 redundancy: float = 0.6, min_words: int = 6):
        self.centrality_weight = centrality_weight
        self.mmr_lambda = mmr_lambda
        self.redundancy = redundancy
        self.min_words = min_words

    def __call__(self, X: sp.csr_matrix, relevance: np.ndarray, threshold: float, budget: Budget,
                 lengths: Sequence[int]) -> list[tuple[int, float]]:
        lengths = np.asarray(lengths)
        cand = np.flatnonzero((relevance >= threshold) & (lengths >= self.min_words))
        if cand.size == 0:
            return []
        Xc = X[cand]
        S = (Xc @ Xc.T).toarray() if cand.size <= DENSE_MAX else None
        # Confidence rescaled so that the threshold maps to 0.5 and certainty to 1.
        conf = 0.5 + 0.5 * (relevance[cand] - threshold) / max(1.0 - threshold, 1e-9)
        score = (1 - self.centrality_weight) * conf + self.centrality_weight * lexrank(Xc, S=S)
        chosen: list[int] = []
        max_sim = np.zeros(cand.size)
        words = 0
        available = np.ones(cand.size, dtype=bool)
        while available.any():
            mmr = self.mmr_lambda * score - (1 - self.mmr_lambda) * max_sim
            mmr[~available] = -np.inf
            k = int(np.argmax(mmr))
            available[k] = False
            if not budget.fits(len(chosen), words, int(lengths[cand[k]])):
                if len(chosen) >= budget.sentences:
                    break
                continue
            chosen.append(k)
            words += int(lengths[cand[k]])
            sim = S[k] if S is not None else (Xc @ Xc[k].T).toarray().ravel()
            max_sim = np.maximum(max_sim, sim)
            available &= max_sim < self.redundancy
        return sorted((int(cand[k]), round(float(score[k]), 4)) for k in chosen)

"""Label-focused LexRank + MMR: confident, central, non-redundant sentences.

Centrality is continuous LexRank (PageRank over cosine similarities), run for every label
at once: each label's graph is the document graph restricted to that label's candidates,
so one power iteration is one product of the similarity matrix with an n x labels matrix.
On a long document (no dense matrix in the SentenceGraph) it never forms the n x n matrix:
S Q = X (X^T Q), so each iteration costs O(nnz(X)) and the digest grows linearly with
document length.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from .base import Budget, SentenceGraph


def lexrank(graph: SentenceGraph, masks: np.ndarray, damping: float = 0.85, iterations: int = 25,
            tol: float = 1e-4) -> np.ndarray:
    """LexRank scores of each column's candidate rows (masks: n x k booleans), max 1 per column, 0 elsewhere.

    The power iteration starts from the rows' similarity degrees, the stationary vector with no
    damping, which is close to the answer: on our documents 19 steps on average land within 0.001
    of the exact scores, where 30 steps from the uniform vector stayed 0.004 away.
    """
    M = masks.astype(np.float64)
    if graph.S is not None:
        S = graph.S - np.diag(np.diag(graph.S))

        def matmul(Q: np.ndarray) -> np.ndarray:
            return S @ Q
    else:
        X, XT = graph.X, graph.X.T  # the transpose is a CSC view of the same arrays, not a copy
        self_sim = np.asarray(X.multiply(X).sum(axis=1)).ravel()[:, None]

        def matmul(Q: np.ndarray) -> np.ndarray:
            return X @ (XT @ Q) - self_sim * Q
    size = M.sum(axis=0)
    deg = M * matmul(M)
    inv_deg = np.where(deg > 1e-12, 1.0 / np.where(deg > 1e-12, deg, 1.0), 1.0)
    teleport = (1 - damping) * M / np.where(size > 0, size, 1.0)
    P = deg + 1e-12 * M  # (a candidate with no similar neighbour keeps a sliver, as with uniform start)
    P /= np.where(size > 0, P.sum(axis=0), 1.0)
    # M is 0/1, so (x * M) * damping == x * (M * damping) bit for bit: one product per step, not two.
    kept = M * damping
    for it in range(iterations):
        nxt = matmul(P * inv_deg)
        nxt *= kept
        nxt += teleport
        total = nxt.sum(axis=0)
        nxt /= np.where(total == 0, 1.0, total)
        done = it % 5 == 4 and np.abs(nxt - P).sum() < tol
        P = nxt
        if done:
            break
    small = size <= 2  # no graph to speak of: every candidate counts as central
    P[:, small] = M[:, small]
    top = P.max(axis=0)
    return P / np.where(top > 0, top, 1.0)


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

    def __call__(self, graph: SentenceGraph, relevance: np.ndarray, thresholds: np.ndarray, budget: Budget,
                 lengths: Sequence[int]) -> list[list[tuple[int, float]]]:
        lengths = np.asarray(lengths)
        thresholds = np.asarray(thresholds, dtype=np.float64)
        masks = (relevance >= thresholds) & (lengths >= self.min_words)[:, None]
        out: list[list[tuple[int, float]]] = [[] for _ in range(relevance.shape[1])]
        active = np.flatnonzero(masks.any(axis=0))
        if active.size == 0:
            return out
        central = lexrank(graph, masks[:, active])
        # Confidence rescaled so that the threshold maps to 0.5 and certainty to 1.
        conf = 0.5 + 0.5 * (relevance[:, active] - thresholds[active]) / np.maximum(1.0 - thresholds[active], 1e-9)
        score = (1 - self.centrality_weight) * conf + self.centrality_weight * central
        if graph.S is not None and budget.words is None:
            for j, picked in zip(active, self._pick_all(graph.S, masks[:, active], score, budget.sentences)):
                out[j] = picked
            return out
        for c, j in enumerate(active):
            cand = np.flatnonzero(masks[:, j])
            out[j] = self._pick(graph, cand, score[cand, c], budget, lengths)
        return out

    def _pick_all(self, S: np.ndarray, masks: np.ndarray, score: np.ndarray, n: int) -> list[list[tuple[int, float]]]:
        """Greedy MMR for every label at once (dense graph, sentence budget): one argmax per step, not per label."""
        available = masks.copy()
        max_sim = np.zeros(masks.shape)
        cols = np.arange(masks.shape[1])
        chosen: list[list[int]] = [[] for _ in cols]
        for _ in range(n):
            mmr = self.mmr_lambda * score - (1 - self.mmr_lambda) * max_sim
            mmr[~available] = -np.inf
            best = np.argmax(mmr, axis=0)
            live = available[best, cols]
            if not live.any():
                break
            rows, at = best[live], cols[live]
            for r, c in zip(rows.tolist(), at.tolist()):
                chosen[c].append(r)
            available[rows, at] = False
            max_sim[:, at] = np.maximum(max_sim[:, at], S[rows].T)
            available[:, at] &= max_sim[:, at] < self.redundancy
        return [sorted((r, round(float(score[r, c]), 4)) for r in rows) for c, rows in enumerate(chosen)]

    def _pick(self, graph: SentenceGraph, cand: np.ndarray, score: np.ndarray, budget: Budget,
              lengths: np.ndarray) -> list[tuple[int, float]]:
        """Greedy MMR within the budget; near-duplicates of a chosen sentence drop out."""
        if cand.size == 1:  # the first pick always fits the budget
            return [(int(cand[0]), round(float(score[0]), 4))]
        S = graph.S[np.ix_(cand, cand)] if graph.S is not None else None
        Xc = graph.X[cand] if S is None else None
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

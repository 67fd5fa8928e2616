"""Lead baseline: the first confident sentences of each label, in document order."""
from __future__ import annotations

from typing import Sequence

import numpy as np

from .base import Budget, SentenceGraph


class LeadSummarizer:
    """Take sentences in order whose label probability passes the threshold."""

    def __call__(self, graph: SentenceGraph, relevance: np.ndarray, thresholds: np.ndarray, budget: Budget,
                 lengths: Sequence[int]) -> list[list[tuple[int, float]]]:
        out = []
        for j in range(relevance.shape[1]):
            chosen: list[tuple[int, float]] = []
            words = 0
            for i in np.flatnonzero(relevance[:, j] >= thresholds[j]):
                if not budget.fits(len(chosen), words, lengths[i]):
                    if len(chosen) >= budget.sentences:
                        break
                    continue
                chosen.append((int(i), float(relevance[i, j])))
                words += lengths[i]
            out.append(chosen)
        return out

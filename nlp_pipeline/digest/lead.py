"""Lead baseline: the first confident sentences of the label, in document order."""
from __future__ import annotations

from typing import Sequence

import numpy as np
import scipy.sparse as sp

from .base import Budget


class LeadSummarizer:
    """Take sentences in order whose label probability passes the threshold."""

    def __call__(self, X: sp.csr_matrix, relevance: np.ndarray, threshold: float, budget: Budget,
                 lengths: Sequence[int]) -> list[tuple[int, float]]:
        chosen: list[tuple[int, float]] = []
        words = 0
        for i in np.flatnonzero(relevance >= threshold):
            if not budget.fits(len(chosen), words, lengths[i]):
                if len(chosen) >= budget.sentences:
                    break
                continue
            chosen.append((int(i), float(relevance[i])))
            words += lengths[i]
        return chosen

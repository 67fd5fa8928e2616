"""What every digest algorithm shares: the budget and the call signature."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, Sequence

import numpy as np
import scipy.sparse as sp


@dataclass(frozen=True)
class Budget:
    """At most `sentences` sentences, and at most `words` words when set."""

    sentences: int = 3
    words: int | None = None

    def __post_init__(self) -> None:
        if self.sentences < 1 or (self.words is not None and self.words < 1):
            raise ValueError("digest budget must be at least one sentence / one word")

    def fits(self, n_chosen: int, words_chosen: int, words_next: int) -> bool:
        if n_chosen >= self.sentences:
            return False
        if self.words is not None and n_chosen and words_chosen + words_next > self.words:
            return False
        return True


class Summarizer(Protocol):
    def __call__(self, X: sp.csr_matrix, relevance: np.ndarray, threshold: float, budget: Budget,
                 lengths: Sequence[int]) -> list[tuple[int, float]]:
        ...


def digest_relevance(P: np.ndarray, power: float = 0.5) -> np.ndarray:
    """Label probability, demoted when another label dominates the sentence: P * (P / max P)^power.

    A digest should hold sentences clearly about its label, not ones tagged with it in passing.
    """
    top = P.max(axis=1, keepdims=True)
    return P * (P / np.where(top > 0, top, 1.0)) ** power

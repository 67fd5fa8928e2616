"""What every digest algorithm shares: the budget and the call signature."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, Sequence

import numpy as np
import scipy.sparse as sp

from ..arrays import gram


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


DENSE_MAX = 1500


@dataclass(frozen=True)
class SentenceGraph:
    """Cosine similarities between sentences: l2-normalised rows `X`, plus the dense matrix `S` when small.

    A document's sentences are compared once and every label's digest reads its block of `S`;
    past DENSE_MAX rows there is no n x n matrix and summarizers work from `X` alone.
    """

    X: sp.csr_matrix
    S: np.ndarray | None = None

    @classmethod
    def from_rows(cls, X: sp.csr_matrix, dense_max: int = DENSE_MAX, normalised: bool = False) -> "SentenceGraph":
        """Graph of the rows of X; pass `normalised=True` when rows are already unit length (or zero)."""
        if not normalised:
            norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
            norms[norms == 0] = 1.0
            X = sp.csr_matrix(sp.diags(1.0 / norms) @ X)
        return cls(X, gram(X) if X.shape[0] <= dense_max else None)


class Summarizer(Protocol):
    def __call__(self, graph: SentenceGraph, relevance: np.ndarray, thresholds: np.ndarray, budget: Budget,
                 lengths: Sequence[int]) -> list[list[tuple[int, float]]]:
        ...


def digest_relevance(P: np.ndarray, power: float = 0.5) -> np.ndarray:
    """Label probability, demoted when another label dominates the sentence: P * (P / max P)^power.

    A digest should hold sentences clearly about its label, not ones tagged with it in passing.
    """
    top = P.max(axis=1, keepdims=True)
    return P * (P / np.where(top > 0, top, 1.0)) ** power

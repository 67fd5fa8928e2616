"""Tagged passages: one passage with its labels and scores, and a document's passages held as arrays."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Sequence, overload

import numpy as np

# Scores are shown to 4 decimals; every value is one of these shared float objects.
_FOUR_DECIMALS = [k / 10000 for k in range(10001)]


@dataclass(slots=True)
class TaggedPassage:
    """A passage with its labels and every label's probability."""

    index: int
    start: int
    end: int
    text: str
    labels: list[str]
    scores: dict[str, float]
    paragraph: int = 0

    def to_dict(self) -> dict:
        return {"index": self.index, "start": self.start, "end": self.end, "text": self.text,
                "labels": self.labels, "scores": self.scores}


class PassageTable(Sequence[TaggedPassage]):
    """A document's tagged passages as arrays (offsets, paragraph, labels, scores in 1/10,000ths).

    Like spaCy's Doc and Token: a TaggedPassage is made when asked for, its text a slice of the
    source, so a long document costs about 30 bytes per passage instead of a Python object graph.
    """

    def __init__(self, text: str, labels: Sequence[str]):
        self.text = text
        self.labels = list(labels)
        self._blocks: list[tuple[np.ndarray, ...]] = []
        self._arrays: tuple[np.ndarray, ...] | None = None

    def append_block(self, starts: np.ndarray, ends: np.ndarray, paragraphs: np.ndarray, P: np.ndarray,
                     hits: np.ndarray) -> None:
        """Add the next passages (in document order): offsets, paragraph numbers, probabilities, labels on."""
        ten_thousandths = np.rint(P * 10000).astype(np.uint16)
        self._blocks.append((np.asarray(starts, np.int64), np.asarray(ends, np.int64),
                             np.asarray(paragraphs, np.int32), ten_thousandths, np.asarray(hits, bool)))
        self._arrays = None

    def _all(self) -> tuple[np.ndarray, ...]:
        if self._arrays is None:
            if not self._blocks:
                L = len(self.labels)
                self._blocks = [(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int32),
                                 np.zeros((0, L), np.uint16), np.zeros((0, L), bool))]
            if len(self._blocks) > 1:
                self._blocks = [tuple(np.concatenate(parts) for parts in zip(*self._blocks))]
            self._arrays = self._blocks[0]
        return self._arrays

    @property
    def starts(self) -> np.ndarray:
        return self._all()[0]

    @property
    def ends(self) -> np.ndarray:
        return self._all()[1]

    def score_matrix(self) -> np.ndarray:
        """Scores as shown (4 decimals), passages x labels."""
        return self._all()[3] / 10000

    def label_matrix(self) -> np.ndarray:
        """Which labels each passage carries, passages x labels booleans."""
        return self._all()[4]

    def __len__(self) -> int:
        return sum(len(b[0]) for b in self._blocks)

    @overload
    def __getitem__(self, i: int) -> TaggedPassage: ...

    @overload
    def __getitem__(self, i: slice | list[int]) -> list[TaggedPassage]: ...

    def __getitem__(self, i):
        n = len(self)
        if isinstance(i, slice):
            return list(self._make(range(n)[i]))
        if isinstance(i, list):  # several rows at once, as numpy's fancy indexing
            if any(not -n <= k < n for k in i):
                raise IndexError("passage index out of range")
            return list(self._make([k % n for k in i]))
        if not -n <= i < n:
            raise IndexError("passage index out of range")
        return next(self._make([i % n]))

    def __iter__(self) -> Iterator[TaggedPassage]:
        return self._make(range(len(self)))

    def _make(self, rows: Sequence[int], chunk: int = 2048) -> Iterator[TaggedPassage]:
        arrays = self._all()
        labels, text, four = self.labels, self.text, _FOUR_DECIMALS
        rows = np.asarray(rows, dtype=np.int64)
        for lo in range(0, len(rows), chunk):  # array -> list conversions a chunk at a time
            sel = rows[lo:lo + chunk]
            starts, ends, paras, scores, hits = (a[sel].tolist() for a in arrays)
            for i, s, e, para, row, hit in zip(sel.tolist(), starts, ends, paras, scores, hits):
                yield TaggedPassage(i, s, e, text[s:e], [l for l, y in zip(labels, hit) if y],
                                    dict(zip(labels, map(four.__getitem__, row))), para)

    def __repr__(self) -> str:
        return f"<PassageTable of {len(self)} passages>"

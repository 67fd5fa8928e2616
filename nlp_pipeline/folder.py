"""Digest across a folder: keep each document's best candidates per label, then digest them together."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Callable

import numpy as np

from .digest import Budget, SentenceGraph, digest_relevance
from .tagged import PassageTable

if TYPE_CHECKING:
    from .api import Analysis, DigestSentence, Pipeline  # noqa: F401


def _norm(text: str) -> str:
    return re.sub(r"\W+", " ", text.lower()).strip()


class FolderDigest:
    """Accumulates candidate sentences document by document (memory bounded by `per_document`)."""

    def __init__(self, pipeline: "Pipeline", per_document: int = 10):
        self.pipeline = pipeline
        self.per_document = per_document
        self.candidates: dict[str, dict[str, tuple]] = {l: {} for l in pipeline.labels}
        self.n_documents = 0

    def add(self, analysis: "Analysis") -> None:
        """Take the best candidates of one analysed document (error records are ignored)."""
        if not analysis.ok:
            return
        passages = analysis.passages
        if isinstance(passages, PassageTable):
            text, starts, ends = passages.text, passages.starts, passages.ends
            self._add(analysis.source, passages.score_matrix(), passages.label_matrix(),
                      lambda i: (i, int(starts[i]), int(ends[i]), text[starts[i]:ends[i]]))
        else:
            self._add_dicts(analysis.source, [p.to_dict() for p in passages])

    def add_record(self, record: dict) -> None:
        """The same from a document's JSON record (as `batch --out` writes them)."""
        if record.get("status") == "ok":
            self._add_dicts(record["source"], record["passages"])

    def _add_dicts(self, source: str, passages: list[dict]) -> None:
        labels = self.pipeline.labels
        self._add(source, np.array([[p["scores"][l] for l in labels] for p in passages]),
                  np.array([[l in p["labels"] for l in labels] for p in passages], dtype=bool),
                  lambda i: (passages[i]["index"], passages[i]["start"], passages[i]["end"], passages[i]["text"]))

    def _add(self, source: str, scores: np.ndarray, hits: np.ndarray,
             passage: Callable[[int], tuple[int, int, int, str]]) -> None:
        """scores, hits: passages x labels; passage(i) gives (index, start, end, text) of row i."""
        self.n_documents += 1
        if not len(scores):
            return
        R = digest_relevance(scores, self.pipeline.config.digest.dominance_power)
        for j, label in enumerate(self.pipeline.labels):
            floor = self.pipeline.digest_floor(j)
            found = np.flatnonzero(hits[:, j] & (R[:, j] >= floor))
            found = found[np.argsort(-R[found, j], kind="stable")]
            for i in found[: self.per_document].tolist():
                index, start, end, text = passage(i)
                key = _norm(text)
                old = self.candidates[label].get(key)
                # The same sentence in several files: keep the first source, the best score.
                if old is None or R[i, j] > old[5]:
                    self.candidates[label][key] = (source, index, start, end, text, float(R[i, j]), floor)

    def digests(self, budget: Budget) -> dict[str, list["DigestSentence"]]:
        from .api import DigestSentence

        out: dict[str, list[DigestSentence]] = {}
        summarizer = self.pipeline._summarizer("labelrank")
        feat = self.pipeline.classifier.featurizer_
        for label, cands in self.candidates.items():
            if not cands:
                continue
            rows = list(cands.values())
            graph = SentenceGraph.from_rows(feat.transform([r[4] for r in rows])[:, : len(feat.vocabulary_)])
            rel = np.array([r[5] for r in rows])
            picked = summarizer(graph, rel[:, None], np.array([rows[0][6]]), budget, [len(r[4].split()) for r in rows])[0]
            if picked:
                out[label] = [DigestSentence(rows[i][1], rows[i][2], rows[i][3], rows[i][4], s, source=rows[i][0])
                              for i, s in picked]
        return out

"""Digest across a folder: keep each document's best candidates per label, then digest them together."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

import numpy as np

from .digest import Budget, SentenceGraph, digest_relevance

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
        if analysis.ok:
            self._add(analysis.source, [(p.index, p.start, p.end, p.text, p.labels) for p in analysis.passages],
                      [[p.scores[l] for l in self.pipeline.labels] for p in analysis.passages])

    def add_record(self, record: dict) -> None:
        """The same from a document's JSON record (as `batch --out` writes them)."""
        if record.get("status") == "ok":
            passages = record["passages"]
            self._add(record["source"], [(p["index"], p["start"], p["end"], p["text"], p["labels"]) for p in passages],
                      [[p["scores"][l] for l in self.pipeline.labels] for p in passages])

    def _add(self, source: str, passages: list[tuple], scores: list[list[float]]) -> None:
        self.n_documents += 1
        if not passages:
            return
        R = digest_relevance(np.array(scores), self.pipeline.config.digest.dominance_power)
        for j, label in enumerate(self.pipeline.labels):
            floor = self.pipeline.digest_floor(j)
            found = [i for i, p in enumerate(passages) if label in p[4] and R[i, j] >= floor]
            found.sort(key=lambda i: -R[i, j])
            for i in found[: self.per_document]:
                index, start, end, text, _ = passages[i]
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

"""The Python API that scripts and the CLI share: load a model, score passages, analyse documents."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator, Sequence

import numpy as np
import scipy.sparse as sp

from . import model_io
from .arrays import take_rows
from .classifier import ChallengeClassifier
from .config import Config, default_model_dir
from .digest import ALGORITHMS, Budget, SentenceGraph, digest_relevance
from .errors import InputError, PipelineError
from .loader import DEFAULT_MAX_BYTES, Document, read_document
from .features import Tokens
from .splitter import Passage, TokenArrays, split, split_spans
from .tagged import PassageTable, TaggedPassage


@dataclass(slots=True)
class DigestSentence:
    """One sentence chosen for a label's digest, pointing back to where it came from."""

    passage: int
    start: int
    end: int
    text: str
    score: float
    source: str | None = None

    def to_dict(self) -> dict:
        d = {"passage": self.passage, "start": self.start, "end": self.end, "text": self.text, "score": self.score}
        if self.source is not None:
            d = {"source": self.source, **d}
        return d


@dataclass
class Analysis:
    """Result for one document: passages with labels, digests per label, or an error."""

    source: str
    labels: list[str]
    passages: Sequence[TaggedPassage] = field(default_factory=list)
    digests: dict[str, list[DigestSentence]] = field(default_factory=dict)
    status: str = "ok"
    error: str | None = None
    text: str | None = None
    encoding: str | None = None
    kind: str = "text"

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def label_counts(self) -> dict[str, int]:
        if isinstance(self.passages, PassageTable):
            return dict(zip(self.labels, self.passages.label_matrix().sum(axis=0).tolist()))
        counts = {l: 0 for l in self.labels}
        for p in self.passages:
            for l in p.labels:
                counts[l] += 1
        return counts

    def to_dict(self, include_text: bool | None = None, with_passages: bool = True) -> dict:
        """The JSON record: source, labels, passages, digests (+ status, and text for extracted HTML/PDF)."""
        d: dict = {"source": self.source, "status": self.status}
        if not self.ok:
            d["error"] = self.error
            return d
        d["labels"] = self.labels
        if self.encoding:
            d["encoding"] = self.encoding
        if include_text or (include_text is None and self.kind in ("html", "pdf")):
            d["text"] = self.text
        if with_passages:
            d["passages"] = [p.to_dict() for p in self.passages]
        d["digests"] = {l: [s.to_dict() for s in sents] for l, sents in self.digests.items()}
        return d


class Pipeline:
    """Load a trained model once, then classify passages or analyse whole documents.

    >>> pipe = Pipeline.load()
    >>> pipe.classify(["Attribution of cyberattacks is hard because of proxies."])
    [['attribution']]
    """

    def __init__(self, classifier: ChallengeClassifier, manifest: dict | None = None, config: Config | None = None):
        self.classifier = classifier
        self.manifest = manifest or {}
        self.config = config or Config()

    @classmethod
    def load(cls, path: str | os.PathLike | None = None, config: Config | None = None) -> "Pipeline":
        """Load a model folder; the shipped default model when `path` is None."""
        clf, manifest = model_io.load(path if path is not None else default_model_dir())
        return cls(clf, manifest, config)

    @property
    def labels(self) -> list[str]:
        return list(self.classifier.labels)

    @property
    def thresholds(self) -> dict[str, float]:
        return dict(zip(self.classifier.labels, self.classifier.thresholds_.tolist()))

    # -- passages ------------------------------------------------------------------
    def scores(self, texts: Sequence[str]) -> list[dict[str, float]]:
        """Every label's probability for each given passage."""
        P = self.classifier.predict_proba(_as_list(texts))
        return [{l: round(float(v), 4) for l, v in zip(self.labels, row)} for row in P]

    def classify(self, texts: Sequence[str]) -> list[list[str]]:
        """The labels of each given passage (no splitting): those whose probability passes the threshold."""
        Y = self.classifier.predict(_as_list(texts))
        return [[l for l, y in zip(self.labels, row) if y] for row in Y]

    # -- documents -----------------------------------------------------------------
    def split(self, text: str) -> list[Passage]:
        return split(text, self.config.split)

    def analyze(self, text: str, source: str | None = None, sentences: int | None = None,
                words: int | None = None, algorithm: str = "labelrank") -> Analysis:
        """Split `text`, tag every passage and build a digest per label found."""
        if not isinstance(text, str):
            raise TypeError(f"analyze() needs a str, got {type(text).__name__}")
        result = Analysis(source or "-", self.labels, text=text)
        result.passages = table = PassageTable(text, self.labels)
        labels = self.labels
        thr = self.classifier.thresholds_
        floors = np.array([self.digest_floor(j) for j in range(len(labels))])
        # Window by window: keep every passage's offsets, labels and scores, but features only of
        # the digest candidates (a sentence below every label's floor can never be picked).
        cand_rows, cand_R, cand_X = [], [], []
        for first, spans, tokens in split_spans(text, self.config.split, self.config.split.window_chars):
            if not len(spans):
                continue
            starts, ends = spans[:, 1], spans[:, 2]
            X, cue = self._features(text, tokens, starts, ends)
            del tokens
            P = self.classifier.proba_from_features(X, cue)
            on = P >= thr
            table.append_block(starts, ends, spans[:, 0].astype(np.int32), P, on)
            R = np.where(on, digest_relevance(P, self.config.digest.dominance_power), 0.0)
            cand = np.flatnonzero((R >= floors).any(axis=1))
            cand_rows.append(cand + first)
            cand_R.append(R[cand])
            cand_X.append(take_rows(X, cand))
        if not cand_rows:
            return result
        rows = np.concatenate(cand_rows)
        X = cand_X[0] if len(cand_X) == 1 else sp.vstack(cand_X, format="csr")
        del cand_X  # the stacked copy is all the graph needs
        graph = SentenceGraph.from_rows(X, normalised=True)
        cand_starts, cand_ends = table.starts[rows].tolist(), table.ends[rows].tolist()
        lengths = [len(text[s:e].split()) for s, e in zip(cand_starts, cand_ends)]
        summarizer = self._summarizer(algorithm)
        budget = self._budget(sentences, words)
        index = rows.tolist()
        for label, picked in zip(labels, summarizer(graph, np.vstack(cand_R), floors, budget, lengths)):
            if picked:
                result.digests[label] = [DigestSentence(index[k], cand_starts[k], cand_ends[k],
                                                        text[cand_starts[k]:cand_ends[k]], score)
                                         for k, score in picked]
        return result

    def analyze_document(self, doc: Document, **kwargs) -> Analysis:
        result = self.analyze(doc.text, doc.source, **kwargs)
        result.encoding, result.kind = doc.encoding, doc.kind
        return result

    def analyze_file(self, path: str | os.PathLike, max_bytes: int | None = DEFAULT_MAX_BYTES, **kwargs) -> Analysis:
        """Analyse one file; a file that cannot be read becomes an error record, not an exception."""
        try:
            return self.analyze_document(read_document(path, max_bytes), **kwargs)
        except PipelineError as e:
            return Analysis(os.fsdecode(path), self.labels, status="error", error=str(e))

    def analyze_files(self, paths: Iterable[str | os.PathLike], **kwargs) -> Iterator[Analysis]:
        """One Analysis per path, in order; unreadable files are error records."""
        for path in paths:
            yield self.analyze_file(path, **kwargs)

    def digest_folder(self, analyses: Iterable[Analysis], sentences: int | None = None,
                      words: int | None = None, per_document: int = 10) -> dict[str, list[DigestSentence]]:
        """One digest per label across many analysed documents, near-duplicates across files dropped."""
        from .folder import FolderDigest

        fd = FolderDigest(self, per_document=per_document)
        for a in analyses:
            fd.add(a)
        return fd.digests(self._budget(sentences, words))

    # -- helpers -------------------------------------------------------------------
    def _features(self, text: str, tokens: TokenArrays | None, starts: np.ndarray,
                  ends: np.ndarray, block: int = 5000) -> tuple[sp.csr_matrix, np.ndarray]:
        """TF-IDF rows and cue block of the passages, from the tokens the splitter already made if any.

        Long documents go through in blocks of passages, so intermediate matrices stay small.
        """
        feat = self.classifier.featurizer_
        if tokens is None:
            return feat.transform_parts(Tokens.of_texts([text[s:e] for s, e in zip(starts.tolist(), ends.tolist())]))
        row = np.searchsorted(starts, tokens.start, side="right") - 1
        keep = row >= 0
        keep[keep] = tokens.end[keep] <= ends[row[keep]]
        idx = np.flatnonzero(keep)
        bounds = np.searchsorted(row[idx], np.arange(0, len(starts) + block, block))
        parts = []
        for lo, hi, first in zip(bounds[:-1], bounds[1:], range(0, len(starts), block)):
            sel = idx[lo:hi]
            parts.append(feat.transform_parts(Tokens(text, tokens.lower[sel], row[sel] - first, tokens.start[sel],
                                                     tokens.end[sel], starts[first:first + block], ends[first:first + block],
                                                     None if tokens.key is None else tokens.key[sel], tokens.key_space)))
        if len(parts) == 1:
            return parts[0]
        return sp.vstack([x for x, _ in parts], format="csr"), np.vstack([c for _, c in parts])

    def digest_floor(self, j: int) -> float:
        """Least digest relevance a sentence needs for label j: its threshold or the configured floor."""
        return max(float(self.classifier.thresholds_[j]), self.config.digest.min_relevance)

    def _budget(self, sentences: int | None, words: int | None) -> Budget:
        return Budget(sentences if sentences is not None else self.config.digest.sentences,
                      words if words is not None else self.config.digest.words)

    def _summarizer(self, algorithm: str):
        if algorithm not in ALGORITHMS:
            raise ValueError(f"unknown digest algorithm {algorithm!r}; choose from {', '.join(ALGORITHMS)}")
        if algorithm == "labelrank":
            c = self.config.digest
            return ALGORITHMS[algorithm](c.centrality_weight, c.mmr_lambda, c.redundancy)
        return ALGORITHMS[algorithm]()


def _as_list(texts: Sequence[str]) -> list[str]:
    if isinstance(texts, str):
        raise TypeError("pass a list of passages, not a single string")
    return list(texts)


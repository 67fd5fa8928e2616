"""Labelled corpora: JSON Lines, one passage per line ({"text": ..., "labels": [...]})."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import CorpusError

TRAIN_FILE, TEST_FILE, TAXONOMY_FILE = "train.jsonl", "test.jsonl", "taxonomy.md"


@dataclass
class Corpus:
    texts: list[str]
    labels: list[list[str]]
    groups: list[str]
    files: list[Path]

    def matrix(self, label_ids: list[str]) -> np.ndarray:
        """Binary (n_passages x n_labels) matrix in the order of `label_ids`."""
        col = {l: j for j, l in enumerate(label_ids)}
        Y = np.zeros((len(self.texts), len(label_ids)), dtype=int)
        for i, labs in enumerate(self.labels):
            for l in labs:
                if l in col:
                    Y[i, col[l]] = 1
        return Y

    def label_set(self) -> list[str]:
        return sorted({l for labs in self.labels for l in labs})


def resolve(path: str | Path, split: str) -> Path:
    """A corpus argument is a JSONL file or a folder holding train.jsonl / test.jsonl."""
    path = Path(path)
    if path.is_dir():
        path = path / (TRAIN_FILE if split == "train" else TEST_FILE)
    if not path.is_file():
        raise CorpusError(f"{path}: no such corpus file")
    return path


def read_jsonl(path: str | Path) -> Corpus:
    """Read and validate a corpus file; errors name the line."""
    path = Path(path)
    texts, labels, groups = [], [], []
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as e:
                raise CorpusError(f"{path}:{n}: not valid JSON ({e.msg})") from None
            if not isinstance(rec, dict) or not isinstance(rec.get("text"), str) or not rec["text"].strip():
                raise CorpusError(f'{path}:{n}: each line needs a non-empty "text" string')
            labs = rec.get("labels", [])
            if not isinstance(labs, list) or not all(isinstance(l, str) for l in labs):
                raise CorpusError(f'{path}:{n}: "labels" must be a list of strings')
            texts.append(rec["text"])
            labels.append(sorted(set(labs)))
            groups.append(str(rec.get("doc", f"{path.name}:{n}")))
    if not texts:
        raise CorpusError(f"{path}: corpus is empty")
    return Corpus(texts, labels, groups, [path])


def checksum(paths: list[Path]) -> str:
    """sha256 over the given files' bytes, in name order: identifies what a model was trained on."""
    h = hashlib.sha256()
    for p in sorted(paths, key=lambda p: p.name):
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def corpus_files(corpus_dir: str | Path) -> list[Path]:
    """The files of a corpus folder that define a trained model: both splits and the taxonomy."""
    d = Path(corpus_dir)
    return [d / f for f in (TRAIN_FILE, TEST_FILE, TAXONOMY_FILE) if (d / f).is_file()]

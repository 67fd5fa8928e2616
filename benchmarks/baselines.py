"""The classifiers a user would otherwise assemble: keyword matcher, TF-IDF + LR, spaCy textcat."""
from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

import numpy as np

from nlp_pipeline.taxonomy import read_taxonomy


class KeywordMatcher:
    """A label fires when any of its taxonomy signal words occurs (word-boundary, case-insensitive)."""

    def __init__(self, taxonomy: Path):
        self.labels = [l.id for l in read_taxonomy(taxonomy)]
        self.patterns = [re.compile(r"\b(?:" + "|".join(re.escape(s.lower()) for s in l.signals) + r")\b")
                         for l in read_taxonomy(taxonomy)]

    def fit(self, texts, Y):
        return self

    def predict(self, texts) -> np.ndarray:
        return np.array([[bool(p.search(t.lower())) for p in self.patterns] for t in texts], dtype=int)


class TfidfLogReg:
    """TfidfVectorizer (word 1-2 grams) + one-vs-rest LogisticRegression (balanced) at 0.5: the textbook recipe."""

    def fit(self, texts, Y):
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.multiclass import OneVsRestClassifier
        from sklearn.pipeline import make_pipeline

        self.model = make_pipeline(TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1),
                                   OneVsRestClassifier(LogisticRegression(max_iter=1000, class_weight="balanced")))
        self.model.fit(texts, Y)
        return self

    def predict(self, texts) -> np.ndarray:
        return self.model.predict(texts)


class SpacyTextcat:
    """spaCy textcat_multilabel trained with `spacy train` (spaCy's own loop) on the same split.

    The dev set spaCy needs for model selection is a grouped slice of the training split;
    it also tunes one threshold per label (spaCy's own cut is 0.5, which a model trained on
    rare positives seldom reaches: the untuned ensemble predicted nothing at all).
    """

    def __init__(self, labels: list[str], arch: str = "bow", epochs: int = 15):
        self.labels, self.arch, self.epochs = labels, arch, epochs

    def _docbin(self, nlp, texts, Y, path):
        from spacy.tokens import DocBin

        db = DocBin()
        for t, y in zip(texts, Y):
            d = nlp.make_doc(t)
            d.cats = {l: float(v) for l, v in zip(self.labels, y)}
            db.add(d)
        db.to_disk(path)

    def fit(self, texts, Y, groups=None):
        import spacy

        self.tmp = Path(tempfile.mkdtemp(prefix="textcat-"))
        nlp = spacy.blank("en")
        idx = np.arange(len(texts))
        # crc32, not hash(): str hashes change from one Python process to the next.
        dev = np.array([zlib.crc32(str(g).encode()) % 10 == 0 for g in groups]) if groups is not None else idx % 10 == 0
        self._docbin(nlp, [texts[i] for i in idx[~dev]], Y[~dev], self.tmp / "train.spacy")
        self._docbin(nlp, [texts[i] for i in idx[dev]], Y[dev], self.tmp / "dev.spacy")
        from spacy.cli.init_config import init_config

        # spaCy's own recommended configs: "efficiency" = bag-of-words, "accuracy" = the default
        # ensemble (tok2vec CNN + bow). No static vectors exist offline, so they are switched off.
        cfg = init_config(lang="en", pipeline=["textcat_multilabel"],
                          optimize="efficiency" if self.arch == "bow" else "accuracy", gpu=False)
        if self.arch != "bow":
            cfg["components"]["tok2vec"]["model"]["embed"]["include_static_vectors"] = False
            cfg["paths"]["vectors"] = None
            cfg["initialize"]["vectors"] = None
        cfg["training"]["max_epochs"] = self.epochs
        cfg["training"]["max_steps"] = 0
        cfg["training"]["patience"] = 0
        cfg["training"]["eval_frequency"] = 50  # so model-best is a trained checkpoint, not step 0
        cfg.to_disk(self.tmp / "config.cfg")
        subprocess.run([sys.executable, "-m", "spacy", "train", str(self.tmp / "config.cfg"), "--output", str(self.tmp / "out"),
                        "--paths.train", str(self.tmp / "train.spacy"), "--paths.dev", str(self.tmp / "dev.spacy")],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.nlp = spacy.load(self.tmp / "out" / "model-best")
        dev_scores = self._scores([texts[i] for i in idx[dev]])
        self.thresholds = np.array([_best_threshold(dev_scores[:, j], Y[dev][:, j]) for j in range(len(self.labels))])
        return self

    def _scores(self, texts) -> np.ndarray:
        return np.array([[d.cats[l] for l in self.labels] for d in self.nlp.pipe(texts)]).reshape(-1, len(self.labels))

    def predict(self, texts) -> np.ndarray:
        return (self._scores(texts) >= self.thresholds).astype(int)


def _best_threshold(scores: np.ndarray, y: np.ndarray) -> float:
    """The cut in 0.05..0.95 with the best F1 on the dev rows."""
    best_t, best_f = 0.5, -1.0
    for t in np.arange(0.05, 0.96, 0.05):
        pred = scores >= t
        f = 2 * float((pred & (y == 1)).sum()) / max(int(pred.sum() + y.sum()), 1)
        if f > best_f:
            best_t, best_f = float(t), f
    return best_t


def timed_fit_predict(model, train_texts, Y, test_texts, groups=None):
    t0 = time.perf_counter()
    if isinstance(model, SpacyTextcat):
        model.fit(train_texts, Y, groups)
    else:
        model.fit(train_texts, Y)
    t1 = time.perf_counter()
    pred = model.predict(test_texts)
    t2 = time.perf_counter()
    return pred, t1 - t0, len(test_texts) / max(t2 - t1, 1e-9)

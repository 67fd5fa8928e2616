"""The classifiers a user would otherwise assemble: keyword matcher, TF-IDF + LR, spaCy textcat."""
from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import time
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
    """TfidfVectorizer (word 1-2 grams) + one-vs-rest LogisticRegression at 0.5: the textbook recipe."""

    def fit(self, texts, Y):
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.multiclass import OneVsRestClassifier
        from sklearn.pipeline import make_pipeline

        self.model = make_pipeline(TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1),
                                   OneVsRestClassifier(LogisticRegression(max_iter=1000)))
        self.model.fit(texts, Y)
        return self

    def predict(self, texts) -> np.ndarray:
        return self.model.predict(texts)


SPACY_CFG = """
[paths]
train = null
dev = null
[system]
seed = 0
[nlp]
lang = "en"
pipeline = ["textcat_multilabel"]
batch_size = 256
[components]
[components.textcat_multilabel]
factory = "textcat_multilabel"
threshold = 0.5
{model}
[corpora]
[corpora.train]
@readers = "spacy.Corpus.v1"
path = ${{paths.train}}
[corpora.dev]
@readers = "spacy.Corpus.v1"
path = ${{paths.dev}}
[training]
dev_corpus = "corpora.dev"
train_corpus = "corpora.train"
seed = ${{system.seed}}
max_epochs = {epochs}
max_steps = 0
patience = 0
eval_frequency = 200
[training.optimizer]
@optimizers = "Adam.v1"
learn_rate = 0.001
[training.batcher]
@batchers = "spacy.batch_by_words.v1"
size = 1000
tolerance = 0.2
[training.score_weights]
cats_macro_f = 1.0
[initialize]
"""

BOW = """[components.textcat_multilabel.model]
@architectures = "spacy.TextCatBOW.v3"
exclusive_classes = false
ngram_size = 2
no_output_layer = false
"""

ENSEMBLE = """[components.textcat_multilabel.model]
@architectures = "spacy.TextCatEnsemble.v2"
nO = null
[components.textcat_multilabel.model.linear_model]
@architectures = "spacy.TextCatBOW.v3"
exclusive_classes = false
ngram_size = 1
no_output_layer = false
[components.textcat_multilabel.model.tok2vec]
@architectures = "spacy.Tok2Vec.v2"
[components.textcat_multilabel.model.tok2vec.embed]
@architectures = "spacy.MultiHashEmbed.v2"
width = 64
rows = [2000, 2000, 500, 1000, 500]
attrs = ["NORM", "LOWER", "PREFIX", "SUFFIX", "SHAPE"]
include_static_vectors = false
[components.textcat_multilabel.model.tok2vec.encode]
@architectures = "spacy.MaxoutWindowEncoder.v2"
width = 64
window_size = 1
maxout_pieces = 3
depth = 2
"""


class SpacyTextcat:
    """spaCy textcat_multilabel trained with `spacy train` (spaCy's own loop) on the same split.

    The dev set spaCy needs for model selection is a grouped slice of the training split.
    """

    def __init__(self, labels: list[str], arch: str = "bow", epochs: int = 20):
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
        dev = np.array([hash(g) % 10 == 0 for g in groups]) if groups is not None else idx % 10 == 0
        self._docbin(nlp, [texts[i] for i in idx[~dev]], Y[~dev], self.tmp / "train.spacy")
        self._docbin(nlp, [texts[i] for i in idx[dev]], Y[dev], self.tmp / "dev.spacy")
        cfg = SPACY_CFG.format(model=BOW if self.arch == "bow" else ENSEMBLE, epochs=self.epochs)
        (self.tmp / "config.cfg").write_text(cfg)
        subprocess.run([sys.executable, "-m", "spacy", "train", str(self.tmp / "config.cfg"), "--output", str(self.tmp / "out"),
                        "--paths.train", str(self.tmp / "train.spacy"), "--paths.dev", str(self.tmp / "dev.spacy")],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.nlp = spacy.load(self.tmp / "out" / "model-best")
        return self

    def predict(self, texts) -> np.ndarray:
        return np.array([[d.cats[l] >= 0.5 for l in self.labels] for d in self.nlp.pipe(texts)], dtype=int)


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

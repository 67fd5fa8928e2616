"""Train a model from a corpus folder and record what it was trained on."""
from __future__ import annotations

from pathlib import Path

from . import corpus as corpus_mod
from . import metrics, model_io
from .classifier import ChallengeClassifier
from .taxonomy import cue_patterns, read_taxonomy


def label_order(corpus_dir: Path | None, taxonomy: Path | None, found: list[str]) -> tuple[list[str], Path | None]:
    """Labels in taxonomy order when a taxonomy is known, else sorted as found in the corpus."""
    tax = taxonomy or (corpus_dir / corpus_mod.TAXONOMY_FILE if corpus_dir else None)
    if tax is not None and Path(tax).is_file():
        return [l.id for l in read_taxonomy(tax)], Path(tax)
    return found, None


def train(corpus_path: str | Path, out_dir: str | Path, taxonomy: str | Path | None = None,
          **params) -> dict:
    """Fit on the corpus's train split, score its test split (if any), save model + manifest."""
    corpus_path = Path(corpus_path)
    corpus_dir = corpus_path if corpus_path.is_dir() else None
    train_file = corpus_mod.resolve(corpus_path, "train")
    data = corpus_mod.read_jsonl(train_file)
    labels, tax = label_order(corpus_dir, Path(taxonomy) if taxonomy else None, data.label_set())
    cues = cue_patterns(labels, tax if tax else None)
    clf = ChallengeClassifier(labels, cues=cues, **params)
    clf.fit(data.texts, data.matrix(labels), groups=data.groups)
    files = corpus_mod.corpus_files(corpus_dir) if corpus_dir else [train_file]
    extra: dict = {
        "corpus": {
            "path": str(corpus_path),
            "files": [f.name for f in files],
            "sha256": corpus_mod.checksum(files),
            "n_train": len(data.texts),
            "train_label_counts": dict(zip(labels, data.matrix(labels).sum(axis=0).tolist())),
        },
        "taxonomy": tax.name if tax else None,
    }
    if getattr(clf, "cv_scores_", None) is not None:
        Y = data.matrix(labels)
        extra["cv_metrics"] = metrics.report(Y, clf.cv_scores_ >= clf.thresholds_, labels)
    test_file = corpus_dir / corpus_mod.TEST_FILE if corpus_dir else None
    if test_file is not None and test_file.is_file():
        test = corpus_mod.read_jsonl(test_file)
        extra["test_metrics"] = metrics.report(test.matrix(labels), clf.predict(test.texts), labels)
        extra["corpus"]["n_test"] = len(test.texts)
    return model_io.save(clf, out_dir, extra)


def evaluate(clf: ChallengeClassifier, corpus_path: str | Path) -> dict:
    """Per-label and averaged scores of `clf` on a corpus file (a folder means its test split)."""
    data = corpus_mod.read_jsonl(corpus_mod.resolve(corpus_path, "test"))
    unknown = sorted(set(data.label_set()) - set(clf.labels))
    result = metrics.report(data.matrix(clf.labels), clf.predict(data.texts), clf.labels)
    if unknown:
        result["unknown_labels"] = unknown
    return result

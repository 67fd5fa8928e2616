"""Shared fixtures: a tiny model trained in seconds from a slice of the corpus (not the shipped one)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = sorted((ROOT / "corpus" / "samples").glob("*.txt"))


@pytest.fixture(scope="session")
def tiny_corpus(tmp_path_factory) -> Path:
    """A corpus folder with 500 training passages, 100 test passages and the taxonomy."""
    d = tmp_path_factory.mktemp("corpus")
    rows = (ROOT / "corpus" / "train.jsonl").read_text(encoding="utf-8").splitlines()
    (d / "train.jsonl").write_text("\n".join(rows[:500]) + "\n", encoding="utf-8")
    test_rows = (ROOT / "corpus" / "test.jsonl").read_text(encoding="utf-8").splitlines()
    (d / "test.jsonl").write_text("\n".join(test_rows[:100]) + "\n", encoding="utf-8")
    (d / "taxonomy.md").write_text((ROOT / "corpus" / "taxonomy.md").read_text(encoding="utf-8"), encoding="utf-8")
    return d


@pytest.fixture(scope="session")
def tiny_model(tiny_corpus, tmp_path_factory) -> Path:
    from nlp_pipeline.train import train

    out = tmp_path_factory.mktemp("model") / "tiny"
    train(tiny_corpus, out, cv_folds=0, char_ngrams=None)
    return out


@pytest.fixture(scope="session")
def tiny_pipeline(tiny_model):
    from nlp_pipeline import Pipeline

    return Pipeline.load(tiny_model)


@pytest.fixture(scope="session")
def shipped():
    from nlp_pipeline import Pipeline

    return Pipeline.load()


def read_json(text: str):
    return json.loads(text)

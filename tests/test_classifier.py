import json
import warnings

import numpy as np
import pytest

from nlp_pipeline import Pipeline
from nlp_pipeline import corpus as corpus_mod
from nlp_pipeline.classifier import ChallengeClassifier
from nlp_pipeline.config import default_model_dir
from nlp_pipeline.errors import CorpusError, ModelError
from nlp_pipeline.model_io import load, save

from .conftest import ROOT

LABELS = ["attribution", "trust", "legal", "geopolitics", "capacity", "technology", "culture", "response"]


def test_fit_predict_shapes_and_thresholds():
    texts = ["hackers hide behind proxies", "states will not share intelligence", "extradition treaties are missing",
             "the weather is nice", "proxies and false flags hide the culprit", "mistrust blocks intelligence sharing"] * 3
    Y = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [0, 0, 0], [1, 0, 0], [0, 1, 0]] * 3)
    clf = ChallengeClassifier(["attribution", "trust", "legal"], cv_folds=0, char_ngrams=None, min_df=1).fit(texts, Y)
    P = clf.predict_proba(["false flags hide who did it", "nothing here"])
    assert P.shape == (2, 3) and ((P >= 0) & (P <= 1)).all()
    assert clf.predict(["proxies hide the culprit"]).tolist() == [[1, 0, 0]]


def test_second_stage_lets_one_label_move_another():
    # "share" alone is weak evidence of trust; the first stage cannot see that it is trust only when
    # legal is also present. The second stage reads both labels' scores and their product.
    a, b, both, none = "warrant jurisdiction", "share share share", "warrant jurisdiction share share share", "weather"
    texts = ([a] * 30 + [b] * 30 + [both] * 30 + [none] * 30)
    Y = np.array([[1, 0]] * 30 + [[0, 0]] * 30 + [[1, 1]] * 30 + [[0, 0]] * 30)
    groups = [f"d{i}" for i in range(len(texts))]
    clf = ChallengeClassifier(["legal", "trust"], cv_folds=3, min_df=1, C=1.0, class_weight=None).fit(texts, Y, groups)
    assert clf.stack_coef_.shape == (2, 3)  # two log-odds and one product
    assert clf.predict([both, b, a]).tolist() == [[1, 1], [0, 0], [1, 0]]
    flat = ChallengeClassifier(["legal", "trust"], cv_folds=3, min_df=1, C=1.0, class_weight=None,
                               stacking=False).fit(texts, Y, groups)
    assert flat.stack_coef_ is None
    # Without the second stage, "share" keeps half the evidence of trust on its own.
    assert flat.predict_proba([b])[0, 1] > clf.predict_proba([b])[0, 1]


def test_second_stage_survives_save_and_load(tiny_corpus, tmp_path):
    from nlp_pipeline.train import train

    train(tiny_corpus, tmp_path / "m", cv_folds=3, char_ngrams=None)
    clf, _ = load(tmp_path / "m")
    assert clf.stacking and clf.stack_coef_.shape == (8, 8 + 28)
    save(clf, tmp_path / "copy", {"corpus": {}})
    clf2, _ = load(tmp_path / "copy")
    texts = ["Extradition is rare.", "Proxies hide attackers."]
    assert np.allclose(clf.predict_proba(texts), clf2.predict_proba(texts))
    first_stage = clf.predict_proba(texts)
    clf.stack_coef_ = None  # the first stage alone gives other probabilities
    assert not np.allclose(first_stage, clf.predict_proba(texts))


def test_roundtrip_gives_identical_scores(tiny_model, tmp_path):
    clf, manifest = load(tiny_model)
    save(clf, tmp_path / "copy", {"corpus": manifest["corpus"]})
    clf2, _ = load(tmp_path / "copy")
    texts = ["Extradition is rare.", "Proxies hide attackers."]
    assert np.allclose(clf.predict_proba(texts), clf2.predict_proba(texts))


def test_manifest_records_training(tiny_model):
    m = json.loads((tiny_model / "manifest.json").read_text())
    assert m["labels"] == LABELS
    assert set(m["thresholds"]) == set(LABELS)
    assert m["corpus"]["n_train"] == 500 and len(m["corpus"]["sha256"]) == 64
    assert {"scikit-learn", "spacy", "numpy", "python"} <= set(m["versions"])
    assert 0 <= m["test_metrics"]["macro_f1"] <= 1


def test_tampered_model_is_refused(tiny_model, tmp_path):
    import shutil

    d = tmp_path / "m"
    shutil.copytree(tiny_model, d)
    with (d / "weights.npz").open("ab") as fh:
        fh.write(b"\x00")
    with pytest.raises(ModelError, match="checksum does not match"):
        load(d)


def test_missing_model_folder_is_a_clear_error(tmp_path):
    with pytest.raises(ModelError, match="not a model folder"):
        Pipeline.load(tmp_path)


def test_other_sklearn_version_warns(tiny_model, tmp_path):
    import shutil

    d = tmp_path / "m"
    shutil.copytree(tiny_model, d)
    m = json.loads((d / "manifest.json").read_text())
    m["versions"]["scikit-learn"] = "0.0.1"
    (d / "manifest.json").write_text(json.dumps(m))
    with pytest.warns(UserWarning, match="scikit-learn 0.0.1"):
        load(d)


def test_bad_corpus_lines_name_the_line(tmp_path):
    p = tmp_path / "c.jsonl"
    p.write_text('{"text": "ok", "labels": []}\n{"text": "x", "labels": "legal"}\n')
    with pytest.raises(CorpusError, match=r"c.jsonl:2: \"labels\" must be a list"):
        corpus_mod.read_jsonl(p)
    p.write_text("not json\n")
    with pytest.raises(CorpusError, match="c.jsonl:1: not valid JSON"):
        corpus_mod.read_jsonl(p)


def test_shipped_model_was_trained_on_this_corpus():
    m = json.loads((default_model_dir() / "manifest.json").read_text())
    files = corpus_mod.corpus_files(ROOT / "corpus")
    assert m["corpus"]["sha256"] == corpus_mod.checksum(files), "corpus/ changed: run nlp-pipeline train corpus/ --out models/default"


def test_shipped_model_on_clear_cases(shipped):
    got = shipped.classify([
        "Investigators rarely know who is behind an intrusion, because attackers hide behind proxy servers and false flags.",
        "Extradition requests and mutual legal assistance treaties move far too slowly to prosecute cybercriminals abroad.",
        "Many developing countries lack the skilled personnel and resources to run a national CERT.",
        "In conclusion, this essay has covered several topics.",
    ])
    assert got[0] == ["attribution"]
    assert "legal" in got[1]
    assert "capacity" in got[2]
    assert got[3] == []


def test_scores_cover_every_label(shipped):
    s = shipped.scores(["States distrust each other."])
    assert list(s[0]) == shipped.labels and all(0 <= v <= 1 for v in s[0].values())
    with pytest.raises(TypeError, match="list of passages"):
        shipped.classify("a single string")


def test_phrase_cues_at_token_starts_equal_a_full_scan():
    # Multi-word cues are only tried where a token can start one; the counts must equal a
    # regex scan of every passage (including "cannot", which spaCy cuts into two tokens).
    from nlp_pipeline.splitter import split

    pipe = Pipeline.load()
    feat = pipe.classifier.featurizer_
    texts = [p.text for path in sorted((ROOT / "corpus" / "samples").glob("*.txt"))
             for p in split(path.read_text(encoding="utf-8"))]
    texts += ["Small states cannot keep a full-time incident team.", "They were naming and shaming, then hold them to account."]
    fast = feat.transform(texts).toarray()[:, -len(feat.cues):]
    feat._scan_all = True
    try:
        full = feat.transform(texts).toarray()[:, -len(feat.cues):]
    finally:
        feat._scan_all = False
    assert np.array_equal(fast, full)
    assert fast[-2].sum() > 0 and fast[-1].sum() > 0


def test_tokens_of_texts_point_into_the_joined_text():
    from nlp_pipeline.features import Tokens

    t = Tokens.of_texts(["Attribution is hard.", "", "Trust, too!"])
    assert t.text == "Attribution is hard.\n\nTrust, too!"
    assert [t.text[s:e] for s, e in zip(t.start.tolist(), t.end.tolist())] == ["Attribution", "is", "hard", ".", "Trust", ",", "too", "!"]
    assert t.row.tolist() == [0, 0, 0, 0, 2, 2, 2, 2]
    assert [t.text[a:b] for a, b in zip(t.row_start.tolist(), t.row_end.tolist())] == ["Attribution is hard.", "", "Trust, too!"]


def test_types_by_cache_key_equal_types_by_hash_even_when_the_memo_restarts(shipped, monkeypatch):
    """Features from a document's cached token keys equal those of its passages tokenised afresh,
    also when the type memo fills up and starts afresh in the middle of a call."""
    import numpy as np

    from nlp_pipeline import Pipeline, features
    from nlp_pipeline.classifier import ChallengeClassifier
    from nlp_pipeline.features import Tokens
    from nlp_pipeline.splitter import split_spans

    from .conftest import SAMPLES

    text = "\n\n".join(p.read_text(encoding="utf-8") for p in SAMPLES)
    _first, spans, tokens = next(split_spans(text))
    assert tokens.key is not None and (tokens.key >= 0).all()
    fresh = ChallengeClassifier.from_state(*shipped.classifier.get_state())
    want_X, want_cue = fresh.featurizer_.transform_parts(Tokens.of_texts([text[s:e] for _p, s, e in spans.tolist()]))
    monkeypatch.setattr(features, "MAX_TYPES", 300)  # fewer than the samples' types: restarts during the call
    pipe = Pipeline(ChallengeClassifier.from_state(*shipped.classifier.get_state()))
    one = SAMPLES[0].read_text(encoding="utf-8")
    _f, one_spans, one_tokens = next(split_spans(one))
    pipe._features(one, one_tokens, one_spans[:, 1], one_spans[:, 2])  # some types known by key, then a restart
    for _ in range(2):  # the second time, every type is read by key
        X, cue = pipe._features(text, tokens, spans[:, 1], spans[:, 2])
        assert (X != want_X).nnz == 0 and np.array_equal(cue, want_cue)

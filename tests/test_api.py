import pytest
from hypothesis import given, settings, strategies as st

from .conftest import SAMPLES


def test_analyze_offsets_and_digest_rules(shipped):
    for path in SAMPLES:
        text = path.read_text(encoding="utf-8")
        a = shipped.analyze(text, source=str(path), sentences=2)
        d = a.to_dict()
        assert set(d) >= {"source", "labels", "passages", "digests"}
        for p in d["passages"]:
            assert text[p["start"]:p["end"]] == p["text"]
        present = {l for p in d["passages"] for l in p["labels"]}
        assert set(d["digests"]) <= present
        passage_texts = {p["index"]: p["text"] for p in d["passages"]}
        for label, sents in d["digests"].items():
            assert 1 <= len(sents) <= 2
            assert [s["start"] for s in sents] == sorted(s["start"] for s in sents)
            for s in sents:
                assert text[s["start"]:s["end"]] == s["text"] == passage_texts[s["passage"]]
                assert label in d["passages"][s["passage"]]["labels"]


def test_digest_word_budget(shipped):
    text = SAMPLES[0].read_text(encoding="utf-8")
    a = shipped.analyze(text, sentences=5, words=40)
    for sents in a.digests.values():
        assert len(sents) == 1 or sum(len(s.text.split()) for s in sents) <= 40


def test_no_digest_for_a_text_without_challenges(shipped):
    a = shipped.analyze("The weather was fine. We had lunch by the river.")
    assert a.digests == {} and all(p.labels == [] for p in a.passages)


def test_analyze_files_records_errors_and_goes_on(shipped, tmp_path):
    good = tmp_path / "good.txt"
    good.write_text("Attribution is hard because attackers route traffic through proxies in third countries.")
    results = list(shipped.analyze_files([tmp_path / "missing.txt", good]))
    assert [r.status for r in results] == ["error", "ok"]
    assert "no such file" in results[0].error


def test_digest_folder_cites_sources_and_drops_duplicates(shipped, tmp_path):
    text = SAMPLES[1].read_text(encoding="utf-8")
    analyses = [shipped.analyze(text, source="a.txt"), shipped.analyze(text, source="b.txt")]
    digests = shipped.digest_folder(analyses, sentences=3)
    assert digests
    for sents in digests.values():
        texts = [s.text for s in sents]
        assert len(texts) == len(set(texts))
        assert all(s.source == "a.txt" for s in sents)


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=400))
def test_analyze_never_raises_and_offsets_hold(tiny_pipeline, text):
    a = tiny_pipeline.analyze(text)
    for p in a.passages:
        assert text[p.start:p.end] == p.text
    for sents in a.digests.values():
        for s in sents:
            assert text[s.start:s.end] == s.text


def test_analyze_scores_equal_scores_of_the_passages(shipped):
    # analyze builds features from the splitter's tokens; scores() tokenises each passage alone.
    text = SAMPLES[2].read_text(encoding="utf-8")
    a = shipped.analyze(text)
    again = shipped.scores([p.text for p in a.passages])
    assert [p.scores for p in a.passages] == again


def test_long_document_digest_same_without_dense_matrix(shipped):
    import numpy as np

    from nlp_pipeline.digest import Budget, LabelRankSummarizer, SentenceGraph, digest_relevance

    text = "\n\n".join(p.read_text(encoding="utf-8") for p in SAMPLES)
    clf = shipped.classifier
    passages = shipped.split(text)
    X = clf.featurizer_.transform([p.text for p in passages])
    P = clf.proba_from_features(X)
    R = np.where(P >= clf.thresholds_, digest_relevance(P), 0.0)
    floors = np.array([shipped.digest_floor(j) for j in range(len(shipped.labels))])
    lengths = [len(p.text.split()) for p in passages]
    Xw = X[:, : len(clf.featurizer_.vocabulary_)]
    dense = SentenceGraph.from_rows(Xw)
    sparse = SentenceGraph.from_rows(Xw, dense_max=0)
    assert dense.S is not None and sparse.S is None
    run = LabelRankSummarizer()
    a, b = run(dense, R, floors, Budget(3), lengths), run(sparse, R, floors, Budget(3), lengths)
    assert [[i for i, _ in picks] for picks in a] == [[i for i, _ in picks] for picks in b]
    assert sum(map(len, a)) >= 10


def test_windowed_analysis_equals_one_window(shipped):
    """Long texts go through in windows of paragraphs; the result must not depend on the window size."""
    from nlp_pipeline import Pipeline
    from nlp_pipeline.config import Config

    text = "\n\n".join(p.read_text(encoding="utf-8") for p in SAMPLES)
    small = Config()
    small.split.window_chars = 500
    windowed = Pipeline(shipped.classifier, shipped.manifest, small).analyze(text)
    whole = shipped.analyze(text)
    assert len(whole.passages) > 60
    assert [p.to_dict() for p in windowed.passages] == [p.to_dict() for p in whole.passages]
    assert [p.paragraph for p in windowed.passages] == [p.paragraph for p in whole.passages]
    assert windowed.to_dict()["digests"] == whole.to_dict()["digests"]
    assert sum(map(len, whole.digests.values())) >= 10


def test_passage_table_behaves_like_a_list_of_tagged_passages(shipped):
    from nlp_pipeline.api import Analysis
    from nlp_pipeline.tagged import PassageTable, TaggedPassage

    text = SAMPLES[0].read_text(encoding="utf-8")
    a = shipped.analyze(text)
    table = a.passages
    assert isinstance(table, PassageTable)
    listed = list(table)
    assert len(listed) == len(table) > 20 and all(isinstance(p, TaggedPassage) for p in listed)
    assert [p.index for p in listed] == list(range(len(table)))
    assert table[-1] == listed[-1] and table[3] == listed[3] and table[2:5] == listed[2:5]
    assert table[[4, 0, -1]] == [listed[4], listed[0], listed[-1]]
    assert all(text[p.start:p.end] == p.text for p in listed)
    with pytest.raises(IndexError):
        table[len(table)]
    # the array fast paths agree with the objects
    as_list = Analysis(a.source, a.labels, passages=listed)
    assert a.label_counts() == as_list.label_counts()
    assert table.score_matrix().tolist() == [[p.scores[l] for l in a.labels] for p in listed]
    folder_a = shipped.digest_folder([a], sentences=3)
    folder_b = shipped.digest_folder([as_list], sentences=3)
    assert {l: [s.to_dict() for s in v] for l, v in folder_a.items()} == \
        {l: [s.to_dict() for s in v] for l, v in folder_b.items()}

from hypothesis import given, settings, strategies as st

from nlp_pipeline.config import SplitConfig
from nlp_pipeline.splitter import paragraph_spans, split

from .conftest import SAMPLES


def check_invariants(text, passages):
    prev_end = 0
    for i, p in enumerate(passages):
        assert p.index == i
        assert text[p.start:p.end] == p.text
        assert p.start >= prev_end, "passages overlap or are out of order"
        assert p.text == p.text.strip() and p.text
        assert text[prev_end:p.start].strip() == "", "non-whitespace text lost between passages"
        prev_end = p.end
    assert text[prev_end:].strip() == ""


def test_samples_offsets_exact_and_complete():
    for path in SAMPLES:
        text = path.read_text(encoding="utf-8")
        passages = split(text)
        assert len(passages) > 10
        check_invariants(text, passages)


def test_numbered_list_item_keeps_marker_with_its_sentence():
    text = "The main challenges include:\n1. Attribution: It is hard to know who attacked. This hampers cooperation.\n2. Trust: States hesitate to share data."
    got = [p.text for p in split(text)]
    assert got == ["The main challenges include:",
                   "1. Attribution: It is hard to know who attacked.",
                   "This hampers cooperation.",
                   "2. Trust: States hesitate to share data."]


def test_qa_header_is_its_own_passage_and_paragraphs_are_numbered():
    text = "What are the challenges?\n\nCybersecurity And International Relations Questions Long\n\nStates distrust each other. They rarely share."
    ps = split(text)
    assert [p.text for p in ps] == ["What are the challenges?", "Cybersecurity And International Relations Questions Long",
                                    "States distrust each other.", "They rarely share."]
    assert [p.paragraph for p in ps] == [0, 1, 2, 2]
    assert (ps[2].start, ps[2].end) == (84, 111)


def test_soft_wrapped_lines_join_into_one_sentence():
    text = ("Countries have different legal frameworks and this makes cooperation\n"
            "between police forces in different jurisdictions slow and uncertain.\n")
    ps = split(text)
    assert len(ps) == 1 and ps[0].text.endswith("uncertain.")


def test_old_mac_and_windows_line_endings():
    text = "First paragraph here.\r\rSecond one.\r\nThird line is here."
    ps = split(text)
    assert [p.text for p in ps] == ["First paragraph here.", "Second one.", "Third line is here."]
    check_invariants(text, ps)


def test_run_on_sentence_is_cut_below_the_limit():
    text = "word " * 30000
    ps = split(text, SplitConfig(max_sentence_chars=1500))
    assert all(len(p.text) <= 1500 for p in ps)
    check_invariants(text, ps)


def test_paragraph_unit():
    text = "One. Two.\n\nThree."
    assert [p.text for p in split(text, SplitConfig(unit="paragraph"))] == ["One. Two.", "Three."]


def test_paragraph_spans_skip_blank_lines():
    text = "\n\n  A line.\n\n\n\nB line.  \n"
    assert [text[s:e] for s, e in paragraph_spans(text)] == ["A line.", "B line."]


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_unicode_text_keeps_offsets(text):
    check_invariants(text, split(text))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(["Attribution is hard.", "1.", "\n", "\n\n", " ", "e.g.", "U.S.", "—", "•",
                                 "\r", "\u2029", "Q:", "a", "?!", "\t", "Ü", "😀"]), max_size=60))
def test_structured_fragments_keep_offsets(parts):
    text = "".join(parts)
    check_invariants(text, split(text))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(list("ab .!?。…\"')(;:\n-") + ["Dr.", "U.S.", "...", "?!", " The", "é"]), max_size=60)
       | st.text(max_size=80))
def test_array_sentencizer_matches_spacy_sentencizer(parts):
    text = "".join(parts)
    import spacy

    reference = spacy.blank("en")
    reference.add_pipe("sentencizer")
    ours = spacy.blank("en")
    ours.add_pipe("array_sentencizer")
    assert [t.is_sent_start for t in ours(text)] == [t.is_sent_start for t in reference(text)]


def test_split_hands_on_every_token_with_exact_spans():
    from nlp_pipeline.splitter import split_with_tokens

    text = "States distrust each other.  They rarely share data!\n\nAttribution is hard."
    passages, tokens = split_with_tokens(text)
    words = [text[s:e] for s, e in zip(tokens.start.tolist(), tokens.end.tolist()) if text[s:e].strip()]
    assert words == ["States", "distrust", "each", "other", ".", "They", "rarely", "share", "data", "!",
                     "Attribution", "is", "hard", "."]
    assert [p.text for p in passages] == ["States distrust each other.", "They rarely share data!", "Attribution is hard."]
    assert split_with_tokens(text, SplitConfig(unit="paragraph"))[1] is None


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["Attribution is hard.", "\n\n", "\n", " ", "U.S.", "don't", "1.", "Trust erodes"]),
                max_size=40))
def test_chunk_size_never_changes_passages_or_tokens(parts):
    """spaCy sees paragraphs in chunks; where the chunks fall must not show in the output."""
    import nlp_pipeline.splitter as splitter

    text = "".join(parts)
    old = splitter.CHUNK_CHARS
    try:
        splitter.CHUNK_CHARS = 10**9
        one_passages, one_tokens = splitter.split_with_tokens(text)
        splitter.CHUNK_CHARS = 1
        many_passages, many_tokens = splitter.split_with_tokens(text)
    finally:
        splitter.CHUNK_CHARS = old
    assert many_passages == one_passages

    def words(tokens):  # whitespace between paragraphs is a token only inside a chunk
        return [(s, e, h) for s, e, h in zip(tokens.start.tolist(), tokens.end.tolist(), tokens.lower.tolist())
                if text[s:e].strip()]

    assert words(many_tokens) == words(one_tokens)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["Trust erodes.", " ", "\n", "U.S.", "?!", "don't", "“Quoted.”", "1.", "é", "\u2029"]),
                max_size=40) | st.text(max_size=60))
def test_token_arrays_shortcut_equals_the_spacy_pipeline(parts):
    """The blank pipeline's sentence starts are computed from token arrays; the result must equal nlp.pipe's."""
    import numpy as np
    from spacy.attrs import IDX, IS_SPACE, LENGTH, LOWER, SENT_START

    from nlp_pipeline.splitter import _token_arrays, load_nlp

    nlp = load_nlp()
    texts = ["".join(parts), "Second text. It has two sentences."]
    fast = list(_token_arrays(nlp, texts))
    assert nlp.pipe_names == ["array_sentencizer"]
    for (sent, lower, _keys, _space), doc in zip(fast, nlp.pipe(texts)):
        arr = doc.to_array([SENT_START, IDX, LENGTH, IS_SPACE, LOWER])
        assert np.array_equal(sent, arr[:, :4].astype(np.int64))
        assert np.array_equal(lower, arr[:, 4])


def test_token_keys_belong_to_the_cache_numbering_they_name(monkeypatch):
    """When the word cache starts afresh in the middle of a window, the window's tokens carry no
    keys (rows of the old numbering would be read as rows of the new one)."""
    import numpy as np

    from nlp_pipeline import splitter

    nlp = splitter.load_nlp("blank")  # the pipeline split_spans uses (load_nlp() is another cache entry)
    cache = splitter._word_cache(nlp)
    monkeypatch.setattr(splitter, "CHUNK_CHARS", 300)  # several chunks per window
    monkeypatch.setattr(cache, "max_runs", cache._runs.n + 60)  # and a restart within the text
    words = [f"w{i}x" for i in range(400)]
    text = "\n\n".join(" ".join(words[k:k + 20]) + "." for k in range(0, 400, 20))
    keyed = restarted = 0
    for _first, _spans, tokens in splitter.split_spans(text, window_chars=2000):
        if tokens.key is None:
            restarted += 1
            continue
        keyed += 1
        assert tokens.key_space == cache.key_space
        rows = cache._rows["row"][tokens.key[tokens.key >= 0]]
        assert np.array_equal(rows[:, 4], tokens.lower[tokens.key >= 0])  # each key's row is the token's word
    assert restarted and keyed

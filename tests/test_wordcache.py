"""The word cache must give exactly the tokens spaCy's own tokenizer gives."""
import numpy as np
import spacy
from hypothesis import given, settings
from hypothesis import strategies as st

from nlp_pipeline.wordcache import ATTRS, WordCache

NLP = spacy.blank("en")
# Words, punctuation, special cases and every kind of whitespace, so that runs repeat across examples.
PIECES = st.sampled_from(["U.S.", "don't", "e.g.", "(see", "p.m.)", "Hello.", ":)", "'s", "a", "--", "\u00a0",
                          " ", "  ", "\n", "\n\n", "\t", "\r\n", "\x1c", "é", "😀", "...", "\"Quote\"", "1,000"])
TEXTS = st.one_of(st.text(), st.lists(st.one_of(PIECES, st.text(max_size=3)), max_size=30).map("".join))


def same(cache: WordCache, text: str) -> bool:
    want = NLP.tokenizer(text).to_array(ATTRS).reshape(-1, len(ATTRS))
    got = cache.to_array(text)
    return want.shape == got.shape and bool((want == got).all())


def test_known_shapes():
    cache = WordCache(NLP.tokenizer)
    for text in ["", " ", "  a", "\n\nHello.  World\u00a0x", " U.S. don't", "\x1c\x1dz\x1e", "e.g. 3 p.m.", "a  b "]:
        assert same(cache, text), repr(text)
    # Offsets are those of the text: "World" starts at 10 in the fourth example.
    arr = cache.to_array("\n\nHello.  World")
    assert arr[:, 2].tolist() == [0, 2, 7, 9, 10]


@settings(max_examples=300, deadline=None)
@given(st.lists(TEXTS, min_size=1, max_size=4))
def test_same_tokens_as_spacy(texts):
    cache = WordCache(NLP.tokenizer)  # shared by the texts of one example, so cached runs are reused
    for text in texts:
        assert same(cache, text)


def test_cache_restarts_past_its_bound():
    cache = WordCache(NLP.tokenizer, max_runs=5)
    text = "one two three four five six seven eight"
    assert same(cache, text) and same(cache, "nine ten. one")
    assert len(cache._ids) == 4  # restarted: only the runs of the last text ("nine", " ", "ten.", "one")

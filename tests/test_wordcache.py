"""The word cache gives spaCy's tokens: each whitespace-free run tokenised by itself, offsets exact."""
import glob
import re

import spacy
from hypothesis import given, settings
from hypothesis import strategies as st

from nlp_pipeline.wordcache import ATTRS, WordCache

NLP = spacy.blank("en")  # used by the caches under test
REF = spacy.blank("en")  # the reference, its cache flushed before every call
# Words, punctuation, special cases and every kind of whitespace, so that runs repeat across examples.
PIECES = st.sampled_from(["U.S.", "don't", "e.g.", "(see", "p.m.)", "Hello.", ":)", "'s", "a", "--", "\u00a0",
                          " ", "  ", "\n", "\n\n", "\t", "\r\n", "\x1c", "é", "😀", "...", "\"Quote\"", "1,000"])
TEXTS = st.one_of(st.text(), st.lists(st.one_of(PIECES, st.text(max_size=3)), max_size=30).map("".join))


def reference(text: str) -> list[tuple[int, int, int, int, int]]:
    """spaCy's tokens of `text`, each run tokenised alone by a tokenizer with an empty cache."""
    out = []
    for m in re.finditer(r"\S+|\s+", text):
        run, at = m.group(), m.start()
        if run[0] == " " and at > 0:  # the first space after a word belongs to that word
            run, at = run[1:], at + 1
        if not run:
            continue
        REF.tokenizer._flush_cache()
        for row in REF.tokenizer(run).to_array(ATTRS).reshape(-1, len(ATTRS)).tolist():
            row[2] += at
            out.append(tuple(row))
    return out


def test_same_tokens_as_spacy_on_real_text():
    cache = WordCache(NLP.tokenizer)
    texts = [open(f, encoding="utf-8").read() for f in sorted(glob.glob("corpus/samples/*.txt"))]
    texts += ["\n\nHello.  World\u00a0x", " U.S. don't", "\x1c\x1dz\x1e", "e.g. 3 p.m.", "a  b ", "  a", ""]
    for text in texts:
        want = spacy.blank("en").tokenizer(text).to_array(ATTRS).reshape(-1, len(ATTRS))
        assert cache.to_array(text).tolist() == want.tolist(), repr(text[:40])
    # Offsets are those of the text: "World" starts at 10.
    assert cache.to_array("\n\nHello.  World")[:, 2].tolist() == [0, 2, 7, 9, 10]


@settings(max_examples=300, deadline=None)
@given(st.lists(TEXTS, min_size=1, max_size=4))
def test_each_run_tokenised_by_itself(texts):
    cache = WordCache(NLP.tokenizer)  # shared by the texts of one example, so cached runs are reused
    for text in texts:
        assert [tuple(r) for r in cache.to_array(text).tolist()] == reference(text)


def test_cache_restarts_past_its_bound():
    cache = WordCache(NLP.tokenizer, max_runs=5)
    cache.to_array("one two three four five six seven eight")
    assert cache.to_array("nine ten. one")[:, 2].tolist() == [0, 5, 8, 10]  # nine, ten, ".", one
    assert cache._runs.n == 3  # restarted: only the units of the last text ("nine ", "ten. ", "one")


def test_space_table_is_str_isspace():
    from nlp_pipeline.wordcache import SPACE_CODES

    assert list(SPACE_CODES) == [c for c in range(0x110000) if chr(c).isspace()]


def test_units_differing_by_a_nul_or_a_weight_draw_are_told_apart():
    """A NUL adds to a unit's hash (a plain sum of code points times weights would ignore it), and
    each cache draws its own weights, so no text can be crafted against a known hash."""
    import numpy as np

    texts = ["a b", "x \x00a b", "It is fine. Then \x00fine. Next one is here.", "b a\n\nb", "a  a"]
    cache = WordCache(NLP.tokenizer)
    for text in texts:
        assert [tuple(r) for r in cache.to_array(text).tolist()] == reference(text), repr(text)
    starts, ends = np.array([0]), np.array([4])
    code = np.frombuffer("word".encode("utf-32-le"), dtype=np.uint32)
    other = WordCache(NLP.tokenizer)
    assert cache._hashes(code, starts, ends)[0] != other._hashes(code, starts, ends)[0]

"""Cut a document into paragraphs and sentences, keeping exact character offsets.

Every passage satisfies ``text[p.start:p.end] == p.text``; passages are in order,
never overlap, and together cover every non-whitespace character of the text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterator

import numpy as np
import spacy
from spacy.attrs import IDX, IS_SPACE, LENGTH, LOWER, SENT_START
from spacy.language import Language

from .sentencizer import sentence_starts  # (importing it registers the "array_sentencizer" factory)
from .config import SplitConfig
from .arrays import ragged
from .wordcache import WordCache

# A line that is only a list marker ("1.", "b)", "iv.", "-", "•").
_MARKER_ONLY = re.compile(r"^\s*(?:\(?\d{1,3}[.)]|\(?[a-zA-Z][.)]|\(?[ivxlcIVXLC]{1,5}[.)]|[-*•▪●◦–—])\s*$")
_BLANK_LINE = re.compile(r"\n[ \t\f\v\r\u00a0\u2000-\u200b\u3000]*\n|\r\s*\r|\u2029")
_LIST_START = re.compile(r"^\s*(?:\(?\d{1,3}[.)]\s|\(?[a-zA-Z][.)]\s|[-*•▪●◦–—]\s|#)")
# Paragraphs are tokenised in chunks of about this many characters (one call per chunk, not per paragraph).
CHUNK_CHARS = 50_000
_TERMINAL = re.compile(r"[.!?:;\"'”’)\]]\s*$")


@dataclass(frozen=True, slots=True)
class Passage:
    """A span of the source text: a sentence (or paragraph) with its offsets."""

    index: int
    start: int
    end: int
    text: str
    paragraph: int


@lru_cache(maxsize=4)
def load_nlp(model: str = "blank") -> Language:
    """spaCy pipeline used for tokens and sentences: blank English + sentencizer by default.

    The blank pipeline gets the array version of spaCy's sentencizer (same rule, same output).
    """
    if model == "blank":
        nlp = spacy.blank("en")
    else:
        nlp = spacy.load(model, exclude=["ner", "textcat", "textcat_multilabel"])
    if not any(nlp.has_pipe(p) for p in ("array_sentencizer", "sentencizer", "parser", "senter")):
        nlp.add_pipe("array_sentencizer")
    nlp.max_length = 10**9  # we feed paragraphs, never a whole huge file at once
    return nlp


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def paragraph_spans(text: str) -> Iterator[tuple[int, int]]:
    """Yield (start, end) of paragraphs: blank-line blocks, cut further at hard line breaks.

    A single newline is a hard break when the line ends a sentence, is short (a header)
    or the next line starts a list item; otherwise it is a soft wrap inside a paragraph.
    """
    pos = 0
    for m in _BLANK_LINE.finditer(text):
        yield from _lines_to_paragraphs(text, pos, m.start())
        pos = m.end()
    yield from _lines_to_paragraphs(text, pos, len(text))


def _lines_to_paragraphs(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    start, end = _strip_span(text, start, end)
    if start >= end:
        return
    block = text[start:end]
    breaks = [m.start() for m in re.finditer(r"\r\n|\n|\r", block)]
    if not breaks:
        yield start, end
        return
    para_start = 0
    line_start = 0
    for b in breaks:
        line = block[line_start:b]
        nl_len = 2 if block.startswith("\r\n", b) else 1
        next_start = b + nl_len
        nxt_end = block.find("\n", next_start)
        nxt = block[next_start: nxt_end if nxt_end >= 0 else len(block)]
        hard = (
            _TERMINAL.search(line) is not None
            or len(line.strip()) < 60
            or _LIST_START.match(nxt) is not None
            or (nxt.strip()[:1].isupper() and len(line.strip()) < 75)
        )
        if hard:
            s, e = _strip_span(text, start + para_start, start + b)
            if s < e:
                yield s, e
            para_start = next_start
        line_start = next_start
    s, e = _strip_span(text, start + para_start, end)
    if s < e:
        yield s, e


def _cut_long(text: str, start: int, end: int, limit: int) -> Iterator[tuple[int, int]]:
    """Cut a run-on span longer than `limit` characters at whitespace (or hard, if none)."""
    while end - start > limit:
        cut = text.rfind(" ", start + limit // 2, start + limit)
        if cut <= start:
            cut = start + limit
        s, e = _strip_span(text, start, cut)
        if s < e:
            yield s, e
        start = cut
    s, e = _strip_span(text, start, end)
    if s < e:
        yield s, e


def _sentences_from_array(arr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sentence spans (start, end arrays, relative to the chunk) from its (SENT_START, IDX, LENGTH,
    IS_SPACE) token rows, without leading or trailing whitespace; all-whitespace sentences dropped.

    Reads sentence starts and token offsets as arrays: iterating `doc.sents` would build a
    Python object per token and cost more than tokenising. A sentence's text runs from its first
    non-space token to the end of its last one: other tokens hold no whitespace character.
    """
    n = len(arr)
    if n == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    first = np.flatnonzero(arr[:, 0] == 1)
    if first.size == 0 or first[0] != 0:
        first = np.concatenate(([0], first))
    last = np.append(first[1:], n) - 1
    solid = np.flatnonzero(arr[:, 3] == 0)
    # The first non-space token at or after each sentence start, the last one at or before its end.
    lo = np.searchsorted(solid, first)
    hi = np.searchsorted(solid, last, side="right") - 1
    keep = (lo < len(solid)) & (hi >= lo)
    a, b = solid[lo[keep]], solid[hi[keep]]
    return arr[a, 1], arr[b, 1] + arr[b, 2]


def _token_arrays(nlp: Language, texts: list[str]) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray | None, int | None]]:
    """Per text: (SENT_START, IDX, LENGTH, IS_SPACE) as int64 rows, the LOWER hashes of its tokens,
    their rows in the word cache (None without one) and the numbering those rows belong to.

    With the blank pipeline, sentence starts come straight from the token arrays (the array
    sentencizer's rule), sparing spaCy a pass that writes them into the Doc for us to read back.
    """
    if nlp.pipe_names == ["array_sentencizer"]:
        final = nlp.get_pipe("array_sentencizer").final
        cache = _word_cache(nlp)
        for text in texts:
            arr, keys = cache.to_arrays(text)
            starts = sentence_starts(arr[:, 0], arr[:, 1], final)
            yield np.column_stack([starts, arr[:, [2, 3, 5]].astype(np.int64)]), arr[:, 4], keys, cache.key_space
        return
    for doc in nlp.pipe(texts, batch_size=4):
        arr = doc.to_array([SENT_START, IDX, LENGTH, IS_SPACE, LOWER])
        yield arr[:, :4].astype(np.int64), arr[:, 4], None, None


@lru_cache(maxsize=4)
def _word_cache(nlp: Language) -> WordCache:
    return WordCache(nlp.tokenizer)


def _merge_markers(text: str, spans: np.ndarray) -> np.ndarray:
    """Join a bare list marker ("1.", "b)", "•") to the sentence after it in the same paragraph.

    `spans` holds (paragraph, start, end) rows; only short spans followed by one in the same
    paragraph are tried against the marker pattern.
    """
    short = np.flatnonzero((spans[:-1, 2] - spans[:-1, 1] <= 8) & (spans[:-1, 0] == spans[1:, 0]))
    if not short.size:
        return spans
    drop: list[int] = []
    joined = -1
    for i in short.tolist():
        if i == joined:  # already joined to the marker before it
            continue
        if _MARKER_ONLY.match(text[spans[i, 1]:spans[i, 2]]):
            spans[i, 2] = spans[i + 1, 2]
            drop.append(i + 1)
            joined = i + 1
    return np.delete(spans, drop, axis=0) if drop else spans


@dataclass(frozen=True)
class TokenArrays:
    """Every token of a document: LOWER hash and absolute character span (what features are built from),
    and, from the word cache, each token's cache row (`key`) within a numbering (`key_space`)."""

    lower: np.ndarray
    start: np.ndarray
    end: np.ndarray
    key: np.ndarray | None = None
    key_space: int | None = None


def split(text: str, config: SplitConfig | None = None) -> list[Passage]:
    """Split `text` into passages (sentences by default) with exact character offsets."""
    return split_with_tokens(text, config)[0]


def split_with_tokens(text: str, config: SplitConfig | None = None) -> tuple[list[Passage], TokenArrays | None]:
    """Passages, plus the tokens spaCy produced on the way (None when cutting by paragraph only).

    Handing the tokens on lets the featurizer skip a second tokenisation of the same text.
    """
    return next(split_windows(text, config, window_chars=None))


def split_windows(text: str, config: SplitConfig | None = None,
                  window_chars: int | None = 1_000_000) -> Iterator[tuple[list[Passage], TokenArrays | None]]:
    """`split_with_tokens` over consecutive runs of whole paragraphs of about `window_chars` characters.

    Passage indexes, paragraph numbers and offsets stay those of the whole text, so a caller
    can keep what it needs from each window and hold only one window's tokens at a time.
    """
    for first, spans, tokens in split_spans(text, config, window_chars):
        yield [Passage(first + i, s, e, text[s:e], p) for i, (p, s, e) in enumerate(spans.tolist())], tokens


def split_spans(text: str, config: SplitConfig | None = None,
                window_chars: int | None = 1_000_000) -> Iterator[tuple[int, np.ndarray, TokenArrays | None]]:
    """What `split_windows` yields, as arrays: (index of the window's first passage, (n, 3) int64
    rows of paragraph, start, end, tokens). No Passage object is made: `analyze` keeps arrays."""
    config = config or SplitConfig()
    if config.unit not in ("sentence", "paragraph"):
        raise ValueError(f"unknown passage unit {config.unit!r}: use 'sentence' or 'paragraph'")
    paras = list(enumerate(paragraph_spans(text)))
    first_index = 0
    for lo, hi in _window_bounds(paras, window_chars):
        box = [_split_paragraphs(text, paras[lo:hi], config)]
        first = first_index
        first_index += len(box[0][0])
        yield (first, *box.pop())  # hold no reference while the caller works: its window's tokens can be freed


def _window_bounds(paras: list[tuple[int, tuple[int, int]]], window_chars: int | None) -> list[tuple[int, int]]:
    if window_chars is None or not paras:
        return [(0, len(paras))]
    bounds, lo = [], 0
    for hi in range(1, len(paras) + 1):
        if hi == len(paras) or paras[hi][1][1] - paras[lo][1][0] > window_chars:
            bounds.append((lo, hi))
            lo = hi
    return bounds


def _split_paragraphs(text: str, paras: list[tuple[int, tuple[int, int]]],
                      config: SplitConfig) -> tuple[np.ndarray, TokenArrays | None]:
    """(paragraph, start, end) rows of the sentences (or paragraphs) of the given numbered paragraphs."""
    if config.unit == "paragraph":
        return _span_array([(p, s, e) for p, (s, e) in paras]), None
    nlp = load_nlp(config.spacy_model)
    limit = config.max_sentence_chars
    # Pieces: paragraphs, with run-on paragraphs pre-cut so spaCy never sees megabytes at once.
    pieces = [(p, cs, ce) for p, (s, e) in paras for cs, ce in _cut_long(text, s, e, limit * 20)]
    # Tokenise consecutive pieces together in chunks (one spaCy call per chunk, not per paragraph),
    # then cut the sentences spaCy finds at piece boundaries.
    chunks: list[tuple[int, int]] = []  # (first piece, last piece + 1)
    first = 0
    for k in range(1, len(pieces) + 1):
        if k == len(pieces) or pieces[k][2] - pieces[first][1] > CHUNK_CHARS:
            chunks.append((first, k))
            first = k
    chunk_texts = [text[pieces[a][1]:pieces[b - 1][2]] for a, b in chunks]
    token_parts: list[np.ndarray] = []
    piece = np.array(pieces, dtype=np.int64).reshape(-1, 3)
    parts: list[np.ndarray] = []
    key_parts: list[np.ndarray] = []
    key_spaces = set()
    for (a, b), (sent, lower, keys, key_space) in zip(chunks, _token_arrays(nlp, chunk_texts)):
        base = pieces[a][1]
        key_spaces.add(key_space)
        if keys is not None:
            key_parts.append(keys)
        token_parts.append(np.stack([lower, (sent[:, 1] + base).astype(np.uint64),
                                     (sent[:, 1] + sent[:, 2] + base).astype(np.uint64)], axis=1))
        ss, se = _sentences_from_array(sent)
        ss += base
        se += base
        # A sentence that runs over a paragraph break is cut there: one span per (sentence, piece)
        # that overlap. Pieces are stripped and so are sentences, so every cut is stripped too.
        p, ps, pe = piece[a:b, 0], piece[a:b, 1], piece[a:b, 2]
        lo = np.searchsorted(pe, ss, side="right")
        count = np.maximum(np.searchsorted(ps, se) - lo, 0)
        owner, j = ragged(lo, count)
        cut = np.stack([p[j], np.maximum(ss[owner], ps[j]), np.minimum(se[owner], pe[j])], axis=1)
        parts.append(cut[cut[:, 1] < cut[:, 2]])
    spans = np.concatenate(parts) if parts else np.zeros((0, 3), np.int64)
    if (spans[:, 2] - spans[:, 1] > limit).any():
        spans = _span_array([(p, xs, xe) for p, s, e in spans.tolist() for xs, xe in _cut_long(text, s, e, limit)])
    tok = np.concatenate(token_parts) if token_parts else np.zeros((0, 3), dtype=np.uint64)
    # Keys only when every chunk's rows belong to one numbering (the cache may start afresh mid-window).
    keyed = key_parts and len(key_parts) == len(token_parts) and len(key_spaces) == 1
    tokens = TokenArrays(tok[:, 0], tok[:, 1].astype(np.int64), tok[:, 2].astype(np.int64),
                         np.concatenate(key_parts) if keyed else None, key_spaces.pop() if keyed else None)
    return _merge_markers(text, spans), tokens


def _span_array(spans: list[tuple[int, int, int]]) -> np.ndarray:
    return np.array(spans, dtype=np.int64).reshape(-1, 3)

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
from spacy.attrs import IDX, LENGTH, SENT_START
from spacy.language import Language
from spacy.tokens import Doc

from .config import SplitConfig

# A line that is only a list marker ("1.", "b)", "iv.", "-", "•").
_MARKER_ONLY = re.compile(r"^\s*(?:\(?\d{1,3}[.)]|\(?[a-zA-Z][.)]|\(?[ivxlcIVXLC]{1,5}[.)]|[-*•▪●◦–—])\s*$")
_BLANK_LINE = re.compile(r"\n[ \t\f\v\r\u00a0\u2000-\u200b\u3000]*\n|\r\s*\r|\u2029")
_LIST_START = re.compile(r"^\s*(?:\(?\d{1,3}[.)]\s|\(?[a-zA-Z][.)]\s|[-*•▪●◦–—]\s|#)")
_TERMINAL = re.compile(r"[.!?:;\"'”’)\]]\s*$")


@dataclass(frozen=True)
class Passage:
    """A span of the source text: a sentence (or paragraph) with its offsets."""

    index: int
    start: int
    end: int
    text: str
    paragraph: int


@lru_cache(maxsize=4)
def load_nlp(model: str = "blank") -> Language:
    """spaCy pipeline used for tokens and sentences: blank English + sentencizer by default."""
    if model == "blank":
        nlp = spacy.blank("en")
    else:
        nlp = spacy.load(model, exclude=["ner", "textcat", "textcat_multilabel"])
    if not nlp.has_pipe("sentencizer") and not nlp.has_pipe("parser") and not nlp.has_pipe("senter"):
        nlp.add_pipe("sentencizer")
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


def sentence_spans(doc: Doc, offset: int) -> list[tuple[int, int]]:
    """Sentences of a paragraph doc as absolute (start, end), list markers merged into what follows.

    Reads sentence starts and token offsets as arrays: iterating `doc.sents` would build a
    Python object per token and cost more than tokenising.
    """
    n = len(doc)
    if n == 0:
        return []
    arr = doc.to_array([SENT_START, IDX, LENGTH]).astype(np.int64)
    starts = np.flatnonzero(arr[:, 0] == 1)
    if starts.size == 0 or starts[0] != 0:
        starts = np.concatenate(([0], starts))
    ends = np.append(starts[1:], n) - 1
    char_start = arr[starts, 1]
    char_end = arr[ends, 1] + arr[ends, 2]
    text = doc.text
    spans: list[tuple[int, int]] = []
    pending: int | None = None
    for cs, ce in zip(char_start.tolist(), char_end.tolist()):
        s, e = _strip_span(text, cs, ce)
        if s >= e:
            continue
        if pending is not None:
            s, pending = pending, None
        if e - s <= 8 and _MARKER_ONLY.match(text[s:e]):
            pending = s
            continue
        spans.append((offset + s, offset + e))
    if pending is not None:
        s, e = _strip_span(text, pending, len(text))
        if spans and s >= spans[-1][1] - offset:
            spans[-1] = (spans[-1][0], offset + e)
        else:
            spans.append((offset + s, offset + e))
    return spans


def split(text: str, config: SplitConfig | None = None) -> list[Passage]:
    """Split `text` into passages (sentences by default) with exact character offsets."""
    config = config or SplitConfig()
    if config.unit not in ("sentence", "paragraph"):
        raise ValueError(f"unknown passage unit {config.unit!r}: use 'sentence' or 'paragraph'")
    paras = list(paragraph_spans(text))
    passages: list[Passage] = []
    if config.unit == "paragraph":
        for p, (s, e) in enumerate(paras):
            passages.append(Passage(len(passages), s, e, text[s:e], p))
        return passages
    nlp = load_nlp(config.spacy_model)
    limit = config.max_sentence_chars
    # Tokenise paragraph by paragraph; very long paragraphs are pre-cut so spaCy never sees megabytes.
    chunks: list[tuple[int, int, int]] = []
    for p, (s, e) in enumerate(paras):
        for cs, ce in _cut_long(text, s, e, limit * 20):
            chunks.append((p, cs, ce))
    docs = nlp.pipe(text[s:e] for _, s, e in chunks)
    for (p, s, _e), doc in zip(chunks, docs):
        for ss, se in sentence_spans(doc, s):
            for cs, ce in _cut_long(text, ss, se, limit):
                passages.append(Passage(len(passages), cs, ce, text[cs:ce], p))
    return passages

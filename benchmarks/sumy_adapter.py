"""Run sumy's LexRank, TextRank and LSA without NLTK data: our own tokenizer object."""
from __future__ import annotations

import re

from nlp_pipeline.splitter import split


class Tokenizer:
    """sumy accepts any object with to_sentences and to_words; ours uses the project's splitter."""

    language = "english"

    def to_sentences(self, paragraph: str):
        return tuple(p.text for p in split(paragraph))

    def to_words(self, sentence: str):
        return tuple(re.findall(r"\w+", sentence))


def summarizers():
    from sumy.summarizers.lex_rank import LexRankSummarizer
    from sumy.summarizers.lsa import LsaSummarizer
    from sumy.summarizers.text_rank import TextRankSummarizer

    return {"LexRank": LexRankSummarizer, "TextRank": TextRankSummarizer, "LSA": LsaSummarizer}


def summarize(name: str, text: str, n: int) -> list[str]:
    """The n sentences sumy's algorithm `name` picks from `text`, as strings."""
    from sumy.parsers.plaintext import PlaintextParser

    parser = PlaintextParser.from_string(text, Tokenizer())
    summarizer = summarizers()[name]()
    return [str(s) for s in summarizer(parser.document, n)]

"""Extractive digests per label. One small module per algorithm, all with the same call:

    summarizer(graph, relevance, thresholds, budget, lengths) -> [[(row, score), ...] per label]

where `graph` is the SentenceGraph of the sentences (l2-normalised rows, and their cosine
matrix when small), `relevance` the (sentences x labels) digest relevance, `thresholds`
each label's least relevance for a digest sentence and `lengths` the sentences' word
counts. Each label's rows come back in input (document) order.
"""
from .base import Budget, SentenceGraph, Summarizer, digest_relevance
from .lead import LeadSummarizer
from .lexrank import LabelRankSummarizer

ALGORITHMS: dict[str, type[Summarizer]] = {"labelrank": LabelRankSummarizer, "lead": LeadSummarizer}

__all__ = ["ALGORITHMS", "Budget", "digest_relevance", "LabelRankSummarizer", "LeadSummarizer", "SentenceGraph", "Summarizer"]

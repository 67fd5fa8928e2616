"""Extractive digests per label. One small module per algorithm, all with the same call:

    summarizer(X, relevance, threshold, budget) -> list[(row, score)]

where `X` holds one l2-normalised sparse row per candidate sentence, `relevance` the
classifier's probability of the label for each row and `threshold` the label's
decision threshold. Rows come back in input (document) order.
"""
from .base import Budget, Summarizer, digest_relevance
from .lead import LeadSummarizer
from .lexrank import LabelRankSummarizer

ALGORITHMS: dict[str, type[Summarizer]] = {"labelrank": LabelRankSummarizer, "lead": LeadSummarizer}

__all__ = ["ALGORITHMS", "Budget", "digest_relevance", "LabelRankSummarizer", "LeadSummarizer", "Summarizer"]

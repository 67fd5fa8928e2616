"""Settings in one place: every default the pipeline uses lives here."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
DEFAULT_TAXONOMY = PACKAGE_DIR / "data" / "taxonomy.md"
#: The shipped model: `models/default` in a source checkout; pyproject maps `models/` to
#: `nlp_pipeline/models` in an installed wheel.
DEFAULT_MODEL_NAME = "default"
MODEL_SEARCH_PATH = (PACKAGE_DIR / "models", PACKAGE_DIR.parent / "models")


def default_model_dir() -> Path:
    """Where the shipped model is, installed or in a checkout."""
    for base in MODEL_SEARCH_PATH:
        if (base / DEFAULT_MODEL_NAME / "manifest.json").is_file():
            return base / DEFAULT_MODEL_NAME
    return MODEL_SEARCH_PATH[-1] / DEFAULT_MODEL_NAME
SUPPORTED_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".pdf")


@dataclass
class SplitConfig:
    """How documents are cut into passages."""

    spacy_model: str = "blank"  # "blank" = spacy.blank("en") + sentencizer; or an installed pipeline name
    max_sentence_chars: int = 1500  # longer "sentences" are cut at whitespace
    unit: str = "sentence"  # "sentence" or "paragraph"
    window_chars: int = 1_000_000  # long texts are analysed this many characters (whole paragraphs) at a time


@dataclass
class DigestConfig:
    """Budget and weights of the extractive digest."""

    sentences: int = 3
    words: int | None = None
    min_relevance: float = 0.6  # floor on digest relevance: weaker sentences are left out, even if tagged
    dominance_power: float = 0.5  # how much a sentence mainly about another label is demoted
    centrality_weight: float = 0.35
    redundancy: float = 0.6  # cosine similarity above which two sentences are near-duplicates
    mmr_lambda: float = 0.7


@dataclass
class Config:
    split: SplitConfig = field(default_factory=SplitConfig)
    digest: DigestConfig = field(default_factory=DigestConfig)

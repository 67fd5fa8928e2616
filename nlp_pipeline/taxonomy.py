"""The label set: ids, descriptions and signal words, read from a taxonomy Markdown table."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from .config import DEFAULT_TAXONOMY, PACKAGE_DIR
from .errors import CorpusError

DEFAULT_LEXICON = PACKAGE_DIR / "data" / "lexicon.json"
_ROW = re.compile(r"^\|\s*`([\w-]+)`\s*\|(.*?)\|(.*?)\|\s*$")


@dataclass(frozen=True)
class Label:
    id: str
    description: str
    signals: tuple[str, ...]


def read_taxonomy(path: str | Path = DEFAULT_TAXONOMY) -> list[Label]:
    """Parse the `| `id` | what it covers | typical signals |` rows of a taxonomy file."""
    labels = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        m = _ROW.match(line.strip())
        if m:
            signals = tuple(s.strip() for s in m.group(3).split(",") if s.strip())
            labels.append(Label(m.group(1), m.group(2).strip(), signals))
    if not labels:
        raise CorpusError(f"{path}: no label rows found (expected a Markdown table with `id` cells)")
    return labels


def cue_patterns(labels: list[str], taxonomy: str | Path | None = DEFAULT_TAXONOMY) -> dict[str, list[str]]:
    """Regex cues per label: the taxonomy's signal words plus the shipped lexicon for default labels."""
    cues: dict[str, list[str]] = {label: [] for label in labels}
    if taxonomy is not None and Path(taxonomy).is_file():
        for label in read_taxonomy(taxonomy):
            if label.id in cues:
                cues[label.id].extend(re.escape(s.lower()) for s in label.signals)
    extra = json.loads(DEFAULT_LEXICON.read_text(encoding="utf-8"))
    for label in labels:
        cues[label].extend(extra.get(label, []))
        cues[label] = sorted(set(cues[label]))
    return cues

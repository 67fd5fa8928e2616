"""Assemble corpus/raw/*.jsonl into train.jsonl and test.jsonl, split by document.

Checks every record and that no two passages share more than half of their word types (no
templates: the shared types are more than half of each passage's types). A training passage
that shares more than 60% of the smaller passage's types with a test passage (two accounts of
the same event, say) is left out of training, so the test split never has a near-twin in
training. Run: python corpus/build.py
"""
from __future__ import annotations

import hashlib
import json
import re
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import scipy.sparse as sp

HERE = Path(__file__).parent
LABELS = ["attribution", "trust", "legal", "geopolitics", "capacity", "technology", "culture", "response"]
TEST_SHARE = 0.2
MAX_OVERLAP = 0.5
TWIN_OVERLAP = 0.6


def words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+(?:'[a-z]+)?", text.lower()))


def _pair_ratios(texts: list[str], min_types: int, block: int = 2000):
    """Yield (i, j, shared / smaller, shared / larger) for i < j over pairs sharing any word type,
    a block of rows at a time (the full matrix of a 20,000-passage corpus would take gigabytes)."""
    sets = [words(t) for t in texts]
    vocab = {w: i for i, w in enumerate(sorted(set().union(*sets)) if sets else [])}
    rows = [i for i, s in enumerate(sets) for _ in s]
    cols = [vocab[w] for s in sets for w in s]
    B = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(sets), len(vocab)))
    size = np.array([len(s) for s in sets], dtype=float)
    for lo in range(0, len(sets), block):
        inter = (B[lo:lo + block] @ B.T).toarray()
        i, j = np.nonzero(inter)
        i = i + lo
        keep = (j > i) & (size[i] >= min_types) & (size[j] >= min_types)
        i, j = i[keep], j[keep]
        shared = inter[i - lo, j]
        yield i, j, shared / np.minimum(size[i], size[j]), shared / np.maximum(size[i], size[j])


def overlaps(texts: list[str], min_types: int = 8) -> list[tuple[int, int, float]]:
    """Template pairs: the shared word types exceed MAX_OVERLAP of both passages' types."""
    out = []
    for i, j, _small, large in _pair_ratios(texts, min_types):
        hit = large > MAX_OVERLAP
        out += zip(i[hit].tolist(), j[hit].tolist(), large[hit].tolist())
    return out


def near_twins(texts: list[str], test: list[bool], min_types: int = 8) -> set[int]:
    """Training passages sharing more than TWIN_OVERLAP of the smaller passage's types with a test passage."""
    test = np.asarray(test)
    out: set[int] = set()
    for i, j, small, _large in _pair_ratios(texts, min_types):
        hit = (small > TWIN_OVERLAP) & (test[i] != test[j])
        out.update(np.where(test[i[hit]], j[hit], i[hit]).tolist())
    return out


def is_test(doc: str) -> bool:
    return int(hashlib.sha256(doc.encode()).hexdigest(), 16) % 1000 < TEST_SHARE * 1000


def main() -> int:
    records = []
    # Later writing rounds live in subfolders (raw/round3/) and are read after the earlier files,
    # so that a new passage too close to an old one is the one dropped.
    for f in sorted((HERE / "raw").glob("*.jsonl")) + sorted((HERE / "raw").glob("*/*.jsonl")):
        for n, line in enumerate(f.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            r = json.loads(line)
            bad = [l for l in r["labels"] if l not in LABELS]
            if bad or not r["text"].strip() or not r.get("doc"):
                print(f"{f.name}:{n}: bad record {bad or r['text'][:40]!r}", file=sys.stderr)
                return 1
            records.append({"doc": r["doc"], "register": r.get("register", ""), "text": r["text"].strip(),
                             "labels": sorted(set(r["labels"]))})
    dup = overlaps([r["text"] for r in records])
    # Writers checked overlap within their own files; pairs across files are resolved by
    # dropping the later passage of each pair.
    drop = {b for _a, b, _r in dup}
    for a, b, ratio in dup:
        print(f"drop (overlap {ratio:.2f}): {records[b]['doc']} {records[b]['text'][:60]!r} ~ {records[a]['doc']}", file=sys.stderr)
    records = [r for i, r in enumerate(records) if i not in drop]
    assert not overlaps([r["text"] for r in records])
    counts = Counter(l for r in records for l in r["labels"])
    empty = sum(not r["labels"] for r in records)
    print(f"{len(records)} passages, {len({r['doc'] for r in records})} documents, "
          f"no-label {empty / len(records):.1%}, dropped {len(drop)} for overlap")
    print("per label:", dict(sorted(counts.items())))
    print("registers:", dict(Counter(r["register"] for r in records)))
    twins = near_twins([r["text"] for r in records], [is_test(r["doc"]) for r in records])
    print(f"left out of training: {len(twins)} near-twins of test passages")
    train = [r for k, r in enumerate(records) if not is_test(r["doc"]) and k not in twins]
    test = [r for r in records if is_test(r["doc"])]
    for name, rows in (("train.jsonl", train), ("test.jsonl", test)):
        with (HERE / name).open("w", encoding="utf-8") as fh:
            for r in rows:
                fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    tc = Counter(l for r in test for l in r["labels"])
    print(f"train {len(train)}, test {len(test)} ({len(test) / len(records):.1%}); test per label: {dict(sorted(tc.items()))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Assemble corpus/raw/*.jsonl into train.jsonl and test.jsonl, split by document.

Checks every record, the per-label and no-label quotas, and that no two passages share
more than half of their word types (no templates). Run: python corpus/build.py
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


def words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+(?:'[a-z]+)?", text.lower()))


def overlaps(texts: list[str], min_types: int = 8) -> list[tuple[int, int, float]]:
    """Pairs whose shared word types exceed MAX_OVERLAP of the smaller passage's types."""
    sets = [words(t) for t in texts]
    vocab = {w: i for i, w in enumerate(sorted(set().union(*sets)))}
    rows = [i for i, s in enumerate(sets) for _ in s]
    cols = [vocab[w] for s in sets for w in s]
    B = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(sets), len(vocab)))
    inter = (B @ B.T).toarray()
    size = np.array([len(s) for s in sets], dtype=float)
    ratio = inter / np.maximum(np.minimum.outer(size, size), 1)
    np.fill_diagonal(ratio, 0)
    ok = (size >= min_types)
    ratio[~ok, :] = 0
    ratio[:, ~ok] = 0
    i, j = np.nonzero(np.triu(ratio > MAX_OVERLAP))
    return [(a, b, ratio[a, b]) for a, b in zip(i.tolist(), j.tolist())]


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
    train = [r for r in records if not is_test(r["doc"])]
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

"""Render analyses as text, JSON, JSONL, Markdown or CSV. One function per format."""
from __future__ import annotations

import csv
import io
import json
from typing import Iterable

from typing import Iterator

import click

from .api import Analysis, DigestSentence

FORMATS = ("text", "json", "jsonl", "markdown", "csv")


def render(analyses: Iterable[Analysis], fmt: str, labels: list[str], many: bool) -> Iterator[str]:
    """The output in `fmt`, as chunks made one analysis (and, in JSON and CSV, one passage) at a time.

    Nothing waits for the last document, and a huge document is never held twice (as records
    and as one big string). `many`: several documents, so JSON is an array of records.
    """
    if fmt == "json":
        yield "[\n" if many else ""
        for i, a in enumerate(analyses):
            yield ",\n" if i else ""
            yield from record_chunks(a, indent=2)
        yield "\n]\n" if many else "\n"
    elif fmt == "jsonl":
        for a in analyses:
            yield from record_chunks(a, indent=None)
            yield "\n"
    elif fmt == "csv":
        yield from csv_chunks(analyses, labels)
    else:
        one = to_markdown if fmt == "markdown" else to_text
        for i, a in enumerate(analyses):
            yield ("\n" if i else "") + one(a)


def record_chunks(a: Analysis, indent: int | None = 2, extra: dict | None = None) -> Iterator[str]:
    """`a.to_dict()` (plus `extra` keys) as JSON text, one passage per chunk; json.loads gives the dict back."""
    d = {**a.to_dict(with_passages=False), **(extra or {})}
    if not a.ok:
        yield json.dumps(d, ensure_ascii=False, indent=indent)
        return
    digests = d.pop("digests")
    nl, pad = ("\n", " " * indent) if indent else ("", "")
    sep = ", " if indent is None else ","
    yield json.dumps(d, ensure_ascii=False, indent=indent)[:-len(nl + "}")] + f'{sep}{nl}{pad}"passages": ['
    for i, p in enumerate(a.passages):
        yield ("," if i else "") + nl + pad * 2 + json.dumps(p.to_dict(), ensure_ascii=False)
    body = json.dumps(digests, ensure_ascii=False, indent=indent)
    yield f"{nl}{pad}]{sep}{nl}{pad}\"digests\": " + (body.replace("\n", "\n" + pad) if indent else body) + nl + "}"


def to_json(analyses: list[Analysis]) -> str:
    """One document: its record; several: a JSON array of records."""
    return "".join(render(analyses, "json", [], many=len(analyses) != 1))


def to_jsonl_line(record: dict) -> str:
    return json.dumps(record, ensure_ascii=False) + "\n"


def to_text(a: Analysis) -> str:
    """Terminal view: per label, its digest then how many passages carry it."""
    out = [click.style(a.source, bold=True)]
    if not a.ok:
        out.append(click.style(f"  error: {a.error}", fg="red"))
        return "\n".join(out) + "\n"
    counts = a.label_counts()
    found = [l for l in a.labels if counts[l]]
    out.append(f"  {len(a.passages)} passages; labels found: {', '.join(found) if found else 'none'}")
    for label in found:
        out.append("")
        out.append(click.style(f"  {label}", fg="cyan", bold=True) + f"  ({counts[label]} passage{'s' if counts[label] != 1 else ''})")
        for s in a.digests.get(label, []):
            out.append(f"    - {s.text}  " + click.style(f"[{s.start}:{s.end}, {s.score:.2f}]", dim=True))
        if label not in a.digests:
            out.append(click.style("    (no sentence confident enough for a digest)", dim=True))
    return "\n".join(out) + "\n"


def to_markdown(a: Analysis) -> str:
    out = [f"# {a.source}", ""]
    if not a.ok:
        return "\n".join(out + [f"**Error:** {a.error}", ""])
    counts = a.label_counts()
    for label in [l for l in a.labels if counts[l]]:
        out.append(f"## {label} ({counts[label]} passages)")
        out.append("")
        for s in a.digests.get(label, []):
            out.append(f"- {s.text} *(chars {s.start}–{s.end}, score {s.score:.2f})*")
        out.append("")
    return "\n".join(out)


CSV_FIELDS = ["source", "index", "start", "end", "text", "labels"]


def csv_chunks(analyses: Iterable[Analysis], labels: list[str], rows_per_chunk: int = 1000) -> Iterator[str]:
    """One row per passage: offsets, text, labels (';'-joined) and one score column per label."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(CSV_FIELDS + [f"score_{l}" for l in labels] + ["status", "error"])
    n = 0
    for a in analyses:
        if not a.ok:
            w.writerow([a.source, "", "", "", "", ""] + [""] * len(labels) + [a.status, a.error])
            continue
        for p in a.passages:
            w.writerow([a.source, p.index, p.start, p.end, p.text, ";".join(p.labels)]
                       + [p.scores[l] for l in labels] + ["ok", ""])
            n += 1
            if n % rows_per_chunk == 0:
                yield buf.getvalue()
                buf.seek(0)
                buf.truncate()
    yield buf.getvalue()


def to_csv(analyses: Iterable[Analysis], labels: list[str]) -> str:
    return "".join(csv_chunks(analyses, labels))


def folder_digest_text(digests: dict[str, list[DigestSentence]], n_docs: int) -> str:
    out = [click.style(f"Folder digest ({n_docs} documents)", bold=True)]
    if not digests:
        out.append("  no label found in any document")
    for label, sents in digests.items():
        out.append("")
        out.append(click.style(f"  {label}", fg="cyan", bold=True))
        for s in sents:
            out.append(f"    - {s.text}  " + click.style(f"[{s.source} {s.start}:{s.end}]", dim=True))
    return "\n".join(out) + "\n"


def folder_digest_dict(digests: dict[str, list[DigestSentence]]) -> dict:
    return {label: [s.to_dict() for s in sents] for label, sents in digests.items()}

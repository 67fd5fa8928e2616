"""Batch over a folder: stream files, append one flushed JSON record per file, resume after a kill."""
from __future__ import annotations

import fnmatch
import hashlib
import json
import os
import signal
import stat
import sys
import time
from pathlib import Path
from typing import Iterator

import click

from . import output
from .api import Analysis, Pipeline
from .config import SUPPORTED_SUFFIXES
from .errors import InputError, PipelineError
from .folder import FolderDigest
from .loader import DEFAULT_MAX_BYTES, display_name, document_from_bytes, read_bytes


def iter_files(root: str | Path, pattern: str | None = None) -> Iterator[Path]:
    """Supported files under `root`, sorted, depth-first without recursion; directory symlinks are
    not followed (no loops), unreadable directories are skipped."""
    root = Path(root)
    stack = [root]
    while stack:
        d = stack.pop()
        try:
            with os.scandir(d) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError:
            continue
        subdirs = []
        for e in entries:
            try:
                if e.is_dir(follow_symlinks=False):
                    subdirs.append(Path(e.path))
                    continue
            except OSError:
                continue
            p = Path(e.path)
            if p.suffix.lower() not in SUPPORTED_SUFFIXES:
                continue
            if pattern and not (fnmatch.fnmatch(os.fsdecode(p.relative_to(root)), pattern) or fnmatch.fnmatch(e.name, pattern)):
                continue
            yield p
        stack.extend(reversed(subdirs))


def analyze_one(pipe: Pipeline, path: Path, max_bytes: int | None, **kwargs) -> tuple[Analysis, str | None]:
    """The Analysis of one file and the SHA-256 of its bytes (None if unreadable); never raises for a bad file."""
    source = display_name(path)
    digest = None
    try:
        data = read_bytes(path, max_bytes)
        digest = hashlib.sha256(data).hexdigest()
        if max_bytes is not None and len(data) > max_bytes:
            raise InputError(f"{source}: file grew past the limit of {max_bytes:,} bytes while being read")
        doc = document_from_bytes(data, source, path.suffix.lower())
        return pipe.analyze_document(doc, **kwargs), digest
    except PipelineError as e:
        error = str(e)
    except (MemoryError, RecursionError) as e:
        error = f"{source}: too large or deep to process ({type(e).__name__})"
    return Analysis(source, pipe.labels, status="error", error=error), digest


def analyze_path(pipe: Pipeline, path: Path, max_bytes: int | None, **kwargs) -> dict:
    """The JSON record of one file, with its content hash; never raises for a bad file."""
    analysis, digest = analyze_one(pipe, path, max_bytes, **kwargs)
    return {**analysis.to_dict(), "sha256": digest}


def word_count(text: str, piece: int = 1 << 20) -> int:
    """Whitespace-separated words, counted a slice at a time (no list of every word of a huge file)."""
    n = 0
    for lo in range(0, len(text), piece):
        n += len(text[lo:lo + piece].split())
        if lo and not text[lo - 1].isspace() and not text[lo].isspace():
            n -= 1  # a word across the cut was counted on both sides
    return n


def record_line(analysis: Analysis, digest: str | None) -> bytearray:
    """One JSONL line as UTF-8, encoded passage by passage: a big file is never held as records or as a str."""
    line = bytearray()
    for chunk in output.record_chunks(analysis, indent=None, extra={"sha256": digest}):
        line += chunk.encode("utf-8")
    line += b"\n"
    return line


def _write_all(fdesc: int, data: bytearray) -> None:
    """os.write may write less than asked (a signal, a huge buffer); go on until the line is whole."""
    view = memoryview(data)
    while view:
        view = view[os.write(fdesc, view):]


def _recorded(out: Path) -> dict[str, dict[str | None, str]]:
    """source -> {content hash: status} of complete records in `out`; cuts off a torn last line left by a kill."""
    done: dict[str, dict[str | None, str]] = {}
    if not out.exists():
        return done
    with out.open("rb+") as fh:
        good_end = 0
        for line in fh:
            if not line.endswith(b"\n"):
                break
            try:
                rec = json.loads(line)
                done.setdefault(rec["source"], {})[rec.get("sha256")] = rec.get("status", "ok")
            except (ValueError, KeyError, TypeError):
                pass
            good_end += len(line)
        fh.truncate(good_end)
    return done


class _Stop(Exception):
    pass


def _raise_stop(signum, frame):
    raise _Stop(signal.Signals(signum).name)


def run_batch(pipe: Pipeline, directory: str, out: str | None, pattern: str | None = None, digest: bool = False,
              resume: bool = False, fmt: str = "text", sentences: int | None = None, words: int | None = None,
              max_bytes: int | None = DEFAULT_MAX_BYTES, progress: bool | None = None) -> int:
    """Process a folder; returns the exit code (0 all ok, 1 some failed, 130 interrupted)."""
    root = Path(directory)
    if not root.exists():
        raise InputError(f"{display_name(root)}: no such directory")
    if not root.is_dir():
        raise InputError(f"{display_name(root)}: is a file, expected a directory (use 'nlp-pipeline classify' for files)")
    out_path = Path(out) if out else None
    if out_path is not None:
        if out_path.is_dir():
            raise InputError(f"{display_name(out_path)}: is a directory, expected a file for --out")
        if out_path.resolve().is_relative_to(root.resolve()):
            raise InputError(f"{display_name(out_path)}: refusing to write inside the input folder")
        if out_path.exists() and out_path.stat().st_size and not resume:
            raise InputError(f"{display_name(out_path)}: exists; use --resume to continue it or choose a new file")
    elif resume:
        raise InputError("--resume needs --out")
    done = _recorded(out_path) if (out_path is not None and resume) else {}
    files = list(iter_files(root, pattern))
    fd = FolderDigest(pipe) if digest else None
    fdesc = os.open(out_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644) if out_path is not None else None
    show = sys.stderr.isatty() if progress is None else progress
    n_ok = n_err = n_skip = n_err_before = n_words = 0
    start = time.perf_counter()
    old_term = signal.signal(signal.SIGTERM, _raise_stop)
    bar = None
    if show:
        from tqdm import tqdm

        bar = tqdm(total=len(files), unit="file", file=sys.stderr, dynamic_ncols=True)
    try:
        for path in files:
            source = display_name(path)
            if source in done:
                try:
                    h = hashlib.sha256(path.read_bytes()).hexdigest()
                except OSError:
                    h = None
                if h in done[source]:
                    n_skip += 1
                    n_err_before += done[source][h] != "ok"
                    if bar:
                        bar.update(1)
                    continue
            analysis, content_hash = analyze_one(pipe, path, max_bytes, sentences=sentences, words=words)
            line = record_line(analysis, content_hash)
            if fdesc is not None:
                _write_all(fdesc, line)  # a kill can tear only this last line; --resume cuts it off
            elif not digest:
                sys.stdout.buffer.write(line)
                sys.stdout.buffer.flush()
            if analysis.ok:
                n_ok += 1
                n_words += word_count(analysis.text or "")
                if fd is not None and out_path is None:
                    fd.add(analysis)
            else:
                n_err += 1
            if bar:
                bar.update(1)
                bar.set_postfix_str(f"{n_words / max(time.perf_counter() - start, 1e-9):,.0f} words/s, {n_err} failed")
    except (KeyboardInterrupt, _Stop):
        if bar:
            bar.close()
        processed = n_ok + n_err + n_skip
        hint = f"nlp-pipeline batch {directory} --out {out} --resume" if out else "(use --out FILE to be able to resume)"
        click.echo(f"\ninterrupted after {processed} of {len(files)} files; to go on: {hint}", err=True)
        return 130
    finally:
        signal.signal(signal.SIGTERM, old_term)
        if fdesc is not None:
            os.close(fdesc)
    if bar:
        bar.close()
    elapsed = time.perf_counter() - start
    earlier = f", {n_err_before} of them failed" if n_err_before else ""
    click.echo(f"{len(files)} files: {n_ok} ok, {n_err} failed, {n_skip} skipped (already recorded{earlier}); "
               f"{n_words:,} words in {elapsed:.1f}s ({n_words / max(elapsed, 1e-9):,.0f} words/s)", err=True)
    if fd is not None:
        if out_path is not None:
            with out_path.open(encoding="utf-8") as fh:
                for line in fh:
                    fd.add_record(json.loads(line))
        digests = fd.digests(pipe._budget(sentences, words))
        if fmt == "json":
            click.echo(json.dumps(output.folder_digest_dict(digests), ensure_ascii=False, indent=2))
        else:
            click.echo(output.folder_digest_text(digests, fd.n_documents), nl=False)
    return 1 if (n_err or n_err_before) else 0

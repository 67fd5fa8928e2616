"""Folders nobody curated: every bad input gets a clear one-line error and the batch goes on."""
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from nlp_pipeline.batch import analyze_path, iter_files
from nlp_pipeline.cli import main

from .conftest import SAMPLES
from .test_loader import minimal_pdf


def test_symlink_loop_and_deep_tree_are_walked_once(tmp_path):
    deep = tmp_path
    for i in range(200):
        deep = deep / f"d{i}"
    deep.mkdir(parents=True)
    (deep / "bottom.txt").write_text("Deep file.")
    (tmp_path / "d0" / "loop").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / "top.md").write_text("Top file.")
    found = list(iter_files(tmp_path))
    assert sorted(p.name for p in found) == ["bottom.txt", "top.md"]


def test_glob_filter(tmp_path):
    (tmp_path / "a.txt").write_text("x")
    (tmp_path / "b.md").write_text("y")
    assert [p.name for p in iter_files(tmp_path, "*.md")] == ["b.md"]


def test_file_that_disappears_or_is_unreadable(shipped, tmp_path, monkeypatch):
    gone = tmp_path / "gone.txt"
    gone.symlink_to(tmp_path / "never-existed.txt")  # listed by the walk, gone when read
    rec = analyze_path(shipped, gone, 1000)
    assert rec["status"] == "error" and "no such file" in rec["error"]
    locked = tmp_path / "locked.txt"
    locked.write_text("Secret.")
    real_open = Path.open

    def deny(self, *a, **k):
        if self.name == "locked.txt":
            raise PermissionError(13, "Permission denied")
        return real_open(self, *a, **k)

    monkeypatch.setattr(Path, "open", deny)
    rec = analyze_path(shipped, locked, 1000)
    assert rec["status"] == "error" and rec["error"].endswith("permission denied")


def test_huge_single_sentence_and_file_over_the_limit(shipped, tmp_path):
    text = "a" * 100_000 + " b" * 10
    a = shipped.analyze(text)
    assert "".join(p.text for p in a.passages).replace(" ", "") == text.replace(" ", "")
    big = tmp_path / "big.txt"
    with big.open("wb") as fh:
        fh.write(b"word " * (50 * 1024 * 1024 // 5))  # 50 MB, no newline
    rec = analyze_path(shipped, big, 20 * 1024 * 1024)
    assert rec["status"] == "error" and "over the limit of 20,971,520" in rec["error"]


def test_non_utf8_file_name(shipped, tmp_path):
    raw = os.fsencode(tmp_path) + b"/caf\xe9.txt"
    with open(raw, "wb") as fh:
        fh.write(b"States distrust each other and refuse to share intelligence.")
    (path,) = list(iter_files(tmp_path))
    rec = analyze_path(shipped, path, 1000)
    assert rec["status"] == "ok" and rec["source"].endswith("caf\\xe9.txt")
    json.dumps(rec)  # the record stays valid JSON


def bad_folder(root: Path) -> int:
    files = {
        "ok.txt": "Extradition requests between these states take years.".encode(),
        "utf16.txt": "\ufeffMistrust blocks intelligence sharing.".encode("utf-16"),
        "cp1252.md": "Privacy values “differ” across states – café.".encode("cp1252"),
        "mac.txt": b"Old Mac line one.\rLine two about jurisdiction.\r",
        "empty.txt": b"",
        "blank.md": b" \n\t\n",
        "image.txt": b"\x89PNG\r\n\x1a\n" + bytes(300),
        "ctrl.txt": b"Law\x00 and \x01order.",
        "scripts.html": b"<script>var a=1</script><style>p{}</style>",
        "page.html": b"<nav>menu</nav><p>States should build capacity in developing countries.</p>",
        "corrupt.pdf": b"%PDF-1.7 garbage",
        "scan.pdf": minimal_pdf(None),
        "text.pdf": minimal_pdf("Attribution remains hard."),
    }
    for name, data in files.items():
        (root / name).write_bytes(data)
    return len(files)


def test_batch_over_mixed_folder_records_every_file(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    n = bad_folder(src)
    out = tmp_path / "out.jsonl"
    r = CliRunner().invoke(main, ["batch", str(src), "--out", str(out), "--no-progress"])
    assert r.exit_code == 1
    recs = {Path(x["source"]).name: x for x in map(json.loads, out.read_text().splitlines())}
    assert len(recs) == n
    assert recs["utf16.txt"]["encoding"] == "utf-16" and recs["cp1252.md"]["encoding"] == "cp1252"
    assert recs["page.html"]["status"] == "ok" and recs["page.html"]["text"].startswith("States should")
    assert recs["text.pdf"]["status"] == "ok"
    expected_errors = {"empty.txt": "empty", "blank.md": "whitespace", "image.txt": "binary",
                       "scripts.html": "no visible text", "corrupt.pdf": "PDF", "scan.pdf": "no text layer"}
    for name, words in expected_errors.items():
        assert recs[name]["status"] == "error" and words in recs[name]["error"] and "\n" not in recs[name]["error"]
    assert {k for k, v in recs.items() if v["status"] == "error"} == set(expected_errors)
    for rec in recs.values():
        for p in rec.get("passages", []):
            assert p["text"] == (rec.get("text") or p["text"])[p["start"]:p["end"]] or "text" not in rec


def test_debug_flag_shows_traceback(tmp_path):
    r = CliRunner().invoke(main, ["--debug", "classify", str(tmp_path / "nope.txt")])
    assert r.exit_code == 2 and "Traceback" in r.output
    r = CliRunner().invoke(main, ["classify", str(tmp_path / "nope.txt")])
    assert "Traceback" not in r.output


def test_corrupt_manifest_is_a_clear_error(tiny_model, tmp_path):
    import shutil

    d = tmp_path / "m"
    shutil.copytree(tiny_model, d)
    (d / "manifest.json").write_text("{not json")
    r = CliRunner().invoke(main, ["classify", "--model", str(d), "-"], input="text")
    assert r.exit_code == 2 and "manifest is corrupt" in r.output


def test_batch_line_is_the_record_and_survives_short_writes(shipped, tmp_path, monkeypatch):
    """A record line is built passage by passage; os.write taking only a few bytes at a time still writes it whole."""
    import os

    from nlp_pipeline import batch

    analysis, digest = batch.analyze_one(shipped, SAMPLES[1], 10**6)
    line = batch.record_line(analysis, digest)
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    assert json.loads(line) == {**analysis.to_dict(), "sha256": digest} == batch.analyze_path(shipped, SAMPLES[1], 10**6)
    real_write = os.write
    monkeypatch.setattr(batch.os, "write", lambda fd, data: real_write(fd, bytes(data[:7])))
    fd = os.open(tmp_path / "out.jsonl", os.O_WRONLY | os.O_CREAT)
    batch._write_all(fd, line)
    os.close(fd)
    assert (tmp_path / "out.jsonl").read_bytes() == bytes(line)

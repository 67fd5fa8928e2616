import csv
import io
import json

from click.testing import CliRunner

from nlp_pipeline.cli import main

from .conftest import SAMPLES


def run(*args, input=None):
    return CliRunner().invoke(main, [str(a) for a in args], input=input, catch_exceptions=False)


def test_classify_json_exact_offsets_on_samples():
    for path in SAMPLES:
        r = run("classify", path, "--format", "json")
        assert r.exit_code == 0, r.output
        d = json.loads(r.output)
        text = path.read_text(encoding="utf-8")
        assert d["source"] == str(path) and d["status"] == "ok"
        assert d["labels"] == ["attribution", "trust", "legal", "geopolitics", "capacity", "technology", "culture", "response"]
        for p in d["passages"]:
            assert text[p["start"]:p["end"]] == p["text"]
            assert set(p["scores"]) == set(d["labels"])
        for label, sents in d["digests"].items():
            assert len(sents) <= 3
            for s in sents:
                assert text[s["start"]:s["end"]] == s["text"]
                assert {"passage", "start", "end", "text", "score"} <= set(s)


def test_classify_sample_001_first_list_item_is_attribution():
    d = json.loads(run("classify", SAMPLES[1], "-f", "json").output)
    first_item = next(p for p in d["passages"] if p["text"].startswith("1. Attribution"))
    assert first_item["start"] == 129 and "attribution" in first_item["labels"]
    assert "attribution" in d["digests"]


def test_classify_stdin_text_and_formats():
    text = "Attribution is hard because attackers hide behind proxies and false flags.\n"
    r = run("classify", "-", input=text)
    assert r.exit_code == 0 and "attribution" in r.output
    r = run("classify", "--format", "jsonl", input=text)
    assert json.loads(r.output.splitlines()[0])["source"] == "-"
    r = run("classify", "--format", "csv", input=text)
    rows = list(csv.DictReader(io.StringIO(r.output)))
    assert rows[0]["start"] == "0" and rows[0]["labels"] == "attribution"
    r = run("classify", "--format", "markdown", input=text)
    assert r.output.startswith("# -") and "## attribution" in r.output


def test_classify_bad_input_is_one_line_error(tmp_path):
    r = CliRunner().invoke(main, ["classify", str(tmp_path / "nope.txt")])
    assert r.exit_code == 2
    assert r.output.strip().splitlines() == [f"error: {tmp_path / 'nope.txt'}: no such file"]
    (tmp_path / "empty.txt").write_text("")
    r = CliRunner().invoke(main, ["classify", str(tmp_path / "empty.txt")])
    assert r.exit_code == 2 and "file is empty" in r.output and "Traceback" not in r.output
    r = CliRunner().invoke(main, ["classify", str(tmp_path)])
    assert r.exit_code == 2 and "is a directory" in r.output


def test_batch_records_bad_files_and_goes_on(tmp_path):
    src = tmp_path / "in"
    (src / "sub").mkdir(parents=True)
    for i, p in enumerate(SAMPLES):
        (src / "sub" / f"doc{i}.txt").write_text(p.read_text(encoding="utf-8"), encoding="utf-8")
    (src / "empty.md").write_text("")
    (src / "bin.txt").write_bytes(b"\x00\x01\x02\x03" * 100)
    (src / "ignored.png").write_bytes(b"\x89PNG")
    out = tmp_path / "out.jsonl"
    r = CliRunner().invoke(main, ["batch", str(src), "--out", str(out), "--digest", "--no-progress"])
    assert r.exit_code == 1, r.output
    recs = [json.loads(l) for l in out.read_text().splitlines()]
    assert len(recs) == 5
    by_name = {rec["source"].rsplit("/", 1)[-1]: rec for rec in recs}
    assert by_name["empty.md"]["status"] == "error" and "empty" in by_name["empty.md"]["error"]
    assert by_name["bin.txt"]["status"] == "error" and "binary" in by_name["bin.txt"]["error"]
    assert all(by_name[f"doc{i}.txt"]["status"] == "ok" for i in range(3))
    assert "3 ok, 2 failed" in r.output
    assert "Folder digest (3 documents)" in r.output


def test_batch_resume_skips_recorded_files(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    for i, p in enumerate(SAMPLES):
        (src / f"d{i}.txt").write_text(p.read_text(encoding="utf-8"), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    full = run("batch", src, "--out", out, "--no-progress")
    assert full.exit_code == 0
    lines = out.read_text().splitlines()
    out.write_text(lines[0] + "\n" + lines[1][:50])  # as if killed while writing the second record
    r = run("batch", src, "--out", out, "--resume", "--no-progress")
    assert r.exit_code == 0 and "1 skipped" in r.output
    recs = [json.loads(l) for l in out.read_text().splitlines()]
    assert sorted(rec["source"] for rec in recs) == sorted(str(src / f"d{i}.txt") for i in range(3))


def test_batch_refuses_bad_arguments(tmp_path):
    f = tmp_path / "a.txt"
    f.write_text("x")
    r = CliRunner().invoke(main, ["batch", str(f)])
    assert r.exit_code == 2 and "is a file, expected a directory" in r.output
    r = CliRunner().invoke(main, ["batch", str(tmp_path), "--out", str(tmp_path / "o.jsonl")])
    assert r.exit_code == 2 and "inside the input folder" in r.output
    r = CliRunner().invoke(main, ["batch", str(tmp_path / "missing")])
    assert r.exit_code == 2 and "no such directory" in r.output


def test_train_evaluate_info(tiny_corpus, tmp_path):
    out = tmp_path / "m"
    r = run("train", tiny_corpus, "--out", out)
    assert r.exit_code == 0 and "trained on 500 passages, 8 labels" in r.output
    r = run("evaluate", tiny_corpus, "--model", out, "--format", "json")
    d = json.loads(r.output)
    assert d["n_passages"] == 100 and set(d["labels"]) == {"attribution", "trust", "legal", "geopolitics",
                                                            "capacity", "technology", "culture", "response"}
    assert 0 < d["macro_f1"] <= 1
    r = run("evaluate", tiny_corpus, "--model", out)
    assert "macro-F1" in r.output and "support" in r.output
    r = run("info", "--model", out)
    assert "threshold" in r.output and "500 train" in r.output


def test_every_command_has_help_with_example():
    for cmd in ("classify", "batch", "train", "evaluate", "info"):
        r = run(cmd, "--help")
        assert r.exit_code == 0 and "Example:" in r.output and "nlp-pipeline " + cmd in r.output


def test_streamed_json_parses_to_the_records(shipped, tmp_path):
    """JSON, JSONL and CSV are written passage by passage; what a reader gets back equals to_dict()."""
    from nlp_pipeline import output

    page = tmp_path / "page.html"
    page.write_text("<html><body><p>Attribution of cyberattacks is slow and contested.</p></body></html>", encoding="utf-8")
    good = shipped.analyze_file(SAMPLES[0])
    html = shipped.analyze_file(page)
    bad = shipped.analyze_file(tmp_path / "missing.txt")
    empty = shipped.analyze("")
    records = [a.to_dict() for a in (good, html, bad, empty)]
    assert "text" in records[1] and records[2]["status"] == "error" and records[3]["passages"] == []
    for a, rec in zip((good, html, bad, empty), records):
        assert json.loads("".join(output.record_chunks(a, indent=2))) == rec
        assert json.loads("".join(output.record_chunks(a, indent=None))) == rec
    assert json.loads(output.to_json([good, html, bad, empty])) == records
    lines = "".join(output.render([good, bad], "jsonl", shipped.labels, many=True)).splitlines()
    assert [json.loads(l) for l in lines] == records[::2][:2]
    rows = list(csv.DictReader(io.StringIO(output.to_csv([good, bad], shipped.labels))))
    assert len(rows) == len(good.passages) + 1 and rows[-1]["status"] == "error"


def test_classify_several_files_is_a_json_array_and_exit_1_on_a_failure(tmp_path):
    r = run("classify", SAMPLES[0], tmp_path / "missing.txt", "--format", "json")
    assert r.exit_code == 1
    body = r.output[: r.output.rindex("]") + 1]
    records = json.loads(body)
    assert [d["status"] for d in records] == ["ok", "error"]
    assert records[1]["error"].endswith("no such file")


def test_classify_bad_stdin_among_files_is_an_error_record():
    r = run("classify", SAMPLES[0], "-", "--format", "jsonl", input=b"\x00\x01\x02\x03" * 50)
    assert r.exit_code == 1
    lines = [l for l in r.output.splitlines() if l.startswith("{")]
    records = [json.loads(l) for l in lines]
    assert [d["status"] for d in records] == ["ok", "error"]
    assert records[1]["source"] == "-" and "binary" in records[1]["error"]
    r = run("classify", "-", input=b"\x00\x01\x02\x03" * 50)
    assert r.exit_code != 0 and r.output.strip().splitlines() == ["error: -: " + records[1]["error"].split(": ", 1)[1]]

"""Benchmarks: this project against the tools a user would otherwise pick, same inputs, same run.

    pip install '.[bench]'
    python benchmarks/run.py            # full run: writes benchmarks/results.md, *.png, README block
    python benchmarks/run.py --quick    # smoke run, under a minute, small sizes, no spaCy training

Ratios are quoted against anchors measured in the same run; absolute seconds vary on shared machines.
"""
from __future__ import annotations

import argparse
import json
import platform
import random
import re
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

from baselines import KeywordMatcher, SpacyTextcat, TfidfLogReg, timed_fit_predict  # noqa: E402
from nlp_pipeline import Pipeline, corpus as corpus_mod, metrics  # noqa: E402
from nlp_pipeline.classifier import ChallengeClassifier  # noqa: E402
from nlp_pipeline.taxonomy import cue_patterns, read_taxonomy  # noqa: E402

TAXONOMY = ROOT / "corpus" / "taxonomy.md"
LABELS = [l.id for l in read_taxonomy(TAXONOMY)]


# --- quality: classification -------------------------------------------------------------
def classification(quick: bool, ensemble_epochs: int = 8) -> list[dict]:
    train = corpus_mod.read_jsonl(ROOT / "corpus" / "train.jsonl")
    test = corpus_mod.read_jsonl(ROOT / "corpus" / "test.jsonl")
    real = corpus_mod.read_jsonl(ROOT / "corpus" / "samples_gold.jsonl")
    Y = train.matrix(LABELS)
    systems = {
        "nlp_pipeline": ChallengeClassifier(LABELS, cues=cue_patterns(LABELS, TAXONOMY)),
        "keywords (taxonomy signals)": KeywordMatcher(TAXONOMY),
        "TF-IDF + LogisticRegression": TfidfLogReg(),
    }
    if not quick:
        systems["spaCy textcat_multilabel (bow, 15 epochs)"] = SpacyTextcat(LABELS, "bow", epochs=15)
        if ensemble_epochs:  # 0 leaves it out (it takes about 7 minutes an epoch per 10,000 passages here)
            systems[f"spaCy textcat_multilabel (ensemble, {ensemble_epochs} epochs)"] = SpacyTextcat(
                LABELS, "ensemble", epochs=ensemble_epochs)
    rows = []
    for name, model in systems.items():
        t0 = time.perf_counter()
        if isinstance(model, ChallengeClassifier):
            model.fit(train.texts, Y, groups=train.groups)
            fit_s = time.perf_counter() - t0
            t1 = time.perf_counter()
            pred = model.predict(test.texts)
            speed = len(test.texts) / (time.perf_counter() - t1)
        else:
            pred, fit_s, speed = timed_fit_predict(model, train.texts, Y, test.texts, train.groups)
        rep = metrics.report(test.matrix(LABELS), pred, LABELS)
        rep_real = metrics.report(real.matrix(LABELS), model.predict(real.texts), LABELS)
        rows.append({"system": name, "macro_f1": rep["macro_f1"], "micro_f1": rep["micro_f1"],
                     "per_label": {l: v["f1"] for l, v in rep["labels"].items()},
                     "samples_macro_f1": rep_real["macro_f1"], "train_s": fit_s, "passages_per_s": speed})
        print(f"  {name}: macro-F1 {rep['macro_f1']:.3f} (samples {rep_real['macro_f1']:.3f}), "
              f"train {fit_s:.1f}s, {speed:,.0f} passages/s", file=sys.stderr)
    return rows


# --- quality: digests --------------------------------------------------------------------
def _sample_labels() -> "callable":
    """Labels of a sentence of a sample document, from the hand-labelled sample sentences."""
    by_text = {}
    for l in (ROOT / "corpus" / "samples_gold.jsonl").read_text(encoding="utf-8").splitlines():
        r = json.loads(l)
        by_text[r["text"]] = set(r["labels"])
    return lambda source, text, sentence: by_text.get(sentence, set())


def _test_doc_labels() -> "callable":
    """Labels of a sentence of a test document: those of the corpus passage it lies in."""
    spans = {}
    for l in (HERE / "gold_docs" / "labels.jsonl").read_text(encoding="utf-8").splitlines():
        r = json.loads(l)
        spans[r["source"]] = r["passages"]

    def labels(source: str, text: str, sentence: str) -> set[str]:
        at = text.find(sentence)
        return next((set(p["labels"]) for p in spans[source] if p["start"] <= at < p["end"]), set()) if at >= 0 else set()
    return labels


def digests(pipe: Pipeline, gold_file: str = "gold_digests.jsonl", labels_of=None, n: int = 3) -> list[dict]:
    """ROUGE and label precision of each system's digests against the gold digests in `gold_file`."""
    from rouge_score import rouge_scorer
    from sumy_adapter import summarize

    gold = [json.loads(l) for l in (HERE / gold_file).read_text(encoding="utf-8").splitlines()]
    labels_of = labels_of or _sample_labels()
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    docs = {g["source"]: (ROOT / g["source"]).read_text(encoding="utf-8") for g in gold}
    analyses = {s: pipe.analyze(t, s, sentences=n) for s, t in docs.items()}

    def systems(source: str, label: str) -> dict[str, list[str]]:
        text, a = docs[source], analyses[source]
        tagged = "\n".join(p.text for p in a.passages if label in p.labels)
        out = {"nlp_pipeline": [s.text for s in a.digests.get(label, [])],
               "lead-N": [p.text for p in a.passages[:n]]}
        for algo in ("LexRank", "TextRank", "LSA"):
            out[f"sumy {algo} (whole doc)"] = summarize(algo, text, n)
            out[f"sumy {algo} (tagged sentences)"] = summarize(algo, tagged, n) if tagged else []
        return out

    acc: dict[str, dict[str, list[float]]] = {}
    for g in gold:
        ref = " ".join(s["text"] for s in g["sentences"])
        for name, sents in systems(g["source"], g["label"]).items():
            a = acc.setdefault(name, {"rouge1": [], "rouge2": [], "rougeL": [], "precision": [], "covered": []})
            a["covered"].append(1.0 if sents else 0.0)
            sc = scorer.score(ref, " ".join(sents)) if sents else None
            for k in ("rouge1", "rouge2", "rougeL"):
                a[k].append(sc[k].fmeasure if sc else 0.0)
            a["precision"].extend(1.0 if g["label"] in labels_of(g["source"], docs[g["source"]], s) else 0.0 for s in sents)
    # Digests for labels the document does not discuss are errors too: count them against precision.
    present = {(g["source"], g["label"]) for g in gold}
    extra = sum(1 for s, a in analyses.items() for l in a.digests if (s, l) not in present)
    rows = []
    for name, a in acc.items():
        rows.append({"system": name, **{k: float(np.mean(a[k])) for k in ("rouge1", "rouge2", "rougeL")},
                     "label_precision": float(np.mean(a["precision"])) if a["precision"] else 0.0,
                     "coverage": float(np.mean(a["covered"])), "n_pairs": len(a["covered"])})
    rows[0]["spurious_digests"] = extra
    return rows


# --- speed -------------------------------------------------------------------------------
def synthetic_docs(total_bytes: int, doc_bytes: int = 8000, seed: int = 0) -> list[str]:
    texts = [json.loads(l)["text"] for f in ("train.jsonl", "test.jsonl")
             for l in (ROOT / "corpus" / f).read_text(encoding="utf-8").splitlines()]
    rng = random.Random(seed)
    docs, size = [], 0
    while size < total_bytes:
        paras, n = [], 0
        while n < doc_bytes:
            para = " ".join(rng.choice(texts) for _ in range(rng.randint(1, 4)))
            paras.append(para)
            n += len(para) + 2
        doc = "\n\n".join(paras)
        docs.append(doc)
        size += len(doc.encode("utf-8"))
    return docs


def throughput(pipe: Pipeline, mb: float) -> dict:
    """Words per second end to end, next to spaCy blank('en') + its own sentencizer over the same text.

    Each side first runs once over a tenth of the corpus, so both are timed with warm caches.
    """
    import spacy

    docs = synthetic_docs(int(mb * 1024 * 1024))
    words = sum(len(d.split()) for d in docs)
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    warm = docs[: max(1, len(docs) // 10)]
    sum(1 for doc in nlp.pipe(warm) for _ in doc.sents)
    for d in warm:
        pipe.analyze(d)
    t0 = time.perf_counter()
    n_sents = sum(1 for doc in nlp.pipe(docs) for _ in doc.sents)
    ceiling = time.perf_counter() - t0
    t0 = time.perf_counter()
    n_pass = sum(len(pipe.analyze(d).passages) for d in docs)
    ours = time.perf_counter() - t0
    return {"mb": round(sum(len(d.encode()) for d in docs) / 2**20, 1), "words": words,
            "ceiling_wps": words / ceiling, "ours_wps": words / ours, "ratio": ceiling / ours,
            "sentences": n_sents, "passages": n_pass}


def scaling(pipe: Pipeline, sizes: list[int], limit_s: float = 60.0) -> list[dict]:
    from sumy_adapter import summarize

    base = "\n\n".join(synthetic_docs(12 * max(sizes)))
    pipe.analyze("Warm up the pipeline once. spaCy loads on first use.")  # not part of any size's time
    words = base.split(" ")
    rows, stopped = [], set()
    for n in sizes:
        text = " ".join(words[:n])
        row = {"words": n}
        t0 = time.perf_counter()
        pipe.analyze(text)
        row["nlp_pipeline"] = time.perf_counter() - t0
        again = []
        for _ in range(3):  # the same text again: spaCy's vocabulary and tokenizer cache are warm
            t0 = time.perf_counter()
            pipe.analyze(text)
            again.append(time.perf_counter() - t0)
        row["nlp_pipeline_again"] = float(np.median(again))
        for algo in ("LexRank", "TextRank"):
            if algo in stopped:
                row[algo] = None
                continue
            t0 = time.perf_counter()
            summarize(algo, text, 3)
            row[algo] = time.perf_counter() - t0
            if row[algo] > limit_s:
                stopped.add(algo)
        rows.append(row)
        print(f"  {n:>9,} words: ours {row['nlp_pipeline']:.2f}s, LexRank {row['LexRank']}, TextRank {row['TextRank']}",
              file=sys.stderr)
    return rows


def cold_start(repeats: int = 3) -> dict:
    sample = ROOT / "corpus" / "samples" / "001_7a31edbef3b77ced.txt"
    exe = [sys.executable, "-m", "nlp_pipeline"]

    def wall(cmd):
        best = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
            best.append(time.perf_counter() - t0)
        return float(np.median(best))

    total = wall(exe + ["classify", str(sample)])
    python = wall([sys.executable, "-c", "pass"])
    # Import time of the same command, from Python's own import profiler: the cumulative time
    # of every top-level import (nested imports are inside their parent's figure).
    shares = []
    for _ in range(repeats):
        err = subprocess.run([sys.executable, "-X", "importtime", "-m", "nlp_pipeline", "classify", str(sample)],
                             check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=ROOT).stderr
        us = [int(m.group(1)) for m in re.finditer(r"^import time:\s+\d+ \|\s+(\d+) \| (?! )", err, re.M)]
        shares.append(sum(us) / 1e6)
    imports = float(np.median(shares))
    return {"classify_s": total, "imports_s": imports, "python_s": python, "import_share": imports / total}


def batch_memory(counts: list[int]) -> list[dict]:
    import psutil

    texts = synthetic_docs(max(counts) * 1200, doc_bytes=1000, seed=1)
    rows = []
    for n in counts:
        with tempfile.TemporaryDirectory() as d:
            src = Path(d) / "in"
            src.mkdir()
            for i in range(n):
                sub = src / f"{i // 500:03d}"
                sub.mkdir(exist_ok=True)
                (sub / f"f{i:05d}.txt").write_text(texts[i % len(texts)], encoding="utf-8")
            out = Path(d) / "out.jsonl"
            t0 = time.perf_counter()
            proc = psutil.Popen([sys.executable, "-m", "nlp_pipeline", "batch", str(src), "--out", str(out), "--no-progress"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
            peak = 0
            while proc.poll() is None:
                try:
                    peak = max(peak, proc.memory_info().rss)
                except psutil.Error:
                    pass
                time.sleep(0.05)
            elapsed = time.perf_counter() - t0
            records = sum(1 for _ in out.open())
        rows.append({"files": n, "files_per_s": n / elapsed, "peak_mb": peak / 2**20, "records": records})
        print(f"  batch {n} files: {n / elapsed:.0f} files/s, peak {peak / 2**20:.0f} MB", file=sys.stderr)
    return rows


# --- report ------------------------------------------------------------------------------
def plots(res: dict) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    made = []
    rows = res["scaling"]
    fig, ax = plt.subplots(figsize=(6, 4))
    for key, style in (("nlp_pipeline", "o-"), ("LexRank", "s--"), ("TextRank", "^--")):
        pts = [(r["words"], r[key]) for r in rows if r.get(key)]
        if pts:
            ax.loglog(*zip(*pts), style, label=key if key == "nlp_pipeline" else f"sumy {key}")
    ax.set_xlabel("document length (words)")
    ax.set_ylabel("seconds (analyse / summarise)")
    ax.set_title("Digest time against document length")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(HERE / "scaling.png", dpi=110)
    made.append("scaling.png")
    cls = res["classification"]
    fig, ax = plt.subplots(figsize=(7, 4))
    x = np.arange(len(LABELS) + 1)
    w = 0.8 / len(cls)
    for i, r in enumerate(cls):
        ax.bar(x + i * w, [r["per_label"][l] for l in LABELS] + [r["macro_f1"]], w, label=r["system"])
    ax.set_xticks(x + 0.4 - w / 2, LABELS + ["macro"], rotation=30, ha="right")
    ax.set_ylabel("F1 on the test split")
    ax.set_ylim(0, 1)
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(HERE / "classification.png", dpi=110)
    made.append("classification.png")
    plt.close("all")
    return made


def markdown(res: dict, cmd: str) -> str:
    import scipy
    import sklearn
    import spacy
    import sumy

    m = res["meta"]
    out = [f"Run {m['date']} on {m['machine']} with `{cmd}`; Python {platform.python_version()}, spaCy {spacy.__version__}, "
           f"scikit-learn {sklearn.__version__}, SciPy {scipy.__version__}, sumy {sumy.__version__}.", ""]
    out += ["**Classification** (corpus test split, passages; 'samples' = the three sample documents, sentence by sentence)", "",
            "| system | macro-F1 | micro-F1 | samples macro-F1 | " + " | ".join(LABELS) + " | train s | passages/s |",
            "|---|---|---|---|" + "---|" * len(LABELS) + "---|---|"]
    for r in res["classification"]:
        out.append(f"| {r['system']} | {r['macro_f1']:.3f} | {r['micro_f1']:.3f} | {r['samples_macro_f1']:.3f} | "
                   + " | ".join(f"{r['per_label'][l]:.2f}" for l in LABELS)
                   + f" | {r['train_s']:.1f} | {r['passages_per_s']:,.0f} |")
    for key, title in (("digests", "the three sample documents"), ("digests_test", "six test-split documents, six registers")):
        if key not in res:
            continue
        pairs = res[key][0]["n_pairs"]
        out += ["", f"**Digests** (gold digests of {title}: {pairs} document-label pairs, 3 sentences per label)", "",
                "| system | ROUGE-1 | ROUGE-2 | ROUGE-L | label precision | coverage |", "|---|---|---|---|---|---|"]
        for r in res[key]:
            out.append(f"| {r['system']} | {r['rouge1']:.3f} | {r['rouge2']:.3f} | {r['rougeL']:.3f} | "
                       f"{r['label_precision']:.3f} | {r['coverage']:.2f} |")
    t = res["throughput"]
    out += ["", "**Speed and scale**", "",
            f"- End-to-end (load, split, classify, digest), one process, {t['mb']} MB synthetic corpus ({t['words']:,} words): "
            f"{t['ours_wps']:,.0f} words/s; spaCy blank('en') + sentencizer alone: {t['ceiling_wps']:,.0f} words/s; "
            f"ratio **{t['ours_wps'] / t['ceiling_wps']:.2f}** of the ceiling."]
    sc = res["scaling"]
    for r in sc:
        parts = [f"ours {r['nlp_pipeline']:.3f}s first call" + (f" ({r['nlp_pipeline_again']:.3f}s again)"
                                                                 if r.get("nlp_pipeline_again") else "")]
        for k in ("LexRank", "TextRank"):
            if r.get(k):
                parts.append(f"sumy {k} {r[k]:.2f}s ({r[k] / r['nlp_pipeline']:.0f}x ours)")
            else:
                parts.append(f"sumy {k} not run (passed 60 s at a smaller size)")
        out.append(f"- {r['words']:,} words: " + ", ".join(parts))
    c = res["cold_start"]
    out.append(f"- `nlp-pipeline classify` on one short file, cold: {c['classify_s']:.2f}s wall "
               f"(imports {c['imports_s']:.2f}s = {c['import_share']:.0%}; bare Python start {c['python_s']:.2f}s).")
    for b in res["batch"]:
        out.append(f"- `nlp-pipeline batch` over {b['files']:,} small files: {b['files_per_s']:.0f} files/s, "
                   f"peak RSS {b['peak_mb']:.0f} MB, {b['records']:,} records.")
    out += ["", "![classification](benchmarks/classification.png) ![scaling](benchmarks/scaling.png)", ""]
    return "\n".join(out)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="smoke run: small sizes, no spaCy training, no README update")
    ap.add_argument("--only", default="", help="comma-separated sections to re-run into the existing results.json "
                    "(classification, digests, throughput, scaling, cold_start, batch)")
    ap.add_argument("--ensemble-epochs", type=int, default=8,
                    help="epochs for spaCy's ensemble textcat (about 7 minutes each on 10,000 passages here; 0 leaves it out)")
    args = ap.parse_args()
    q = args.quick
    pipe = Pipeline.load()
    out_dir = HERE / ("out" if q else "")
    only = {x for x in args.only.split(",") if x}
    res: dict = json.loads((out_dir / "results.json").read_text()) if only else {}
    res["meta"] = {"date": date.today().isoformat(),
                   "machine": f"{platform.machine()}, {__import__('os').cpu_count()} cores, {platform.system()}"}
    sections = {
        "classification": lambda: classification(q, args.ensemble_epochs),
        "digests": lambda: digests(pipe),
        "digests_test": lambda: digests(pipe, "gold_digests_test.jsonl", _test_doc_labels()),
        "throughput": lambda: throughput(pipe, 1 if q else 20),
        "scaling": lambda: scaling(pipe, [1000, 10000] if q else [1000, 10000, 20000, 100000, 1000000]),
        "cold_start": lambda: cold_start(1 if q else 3),
        "batch": lambda: batch_memory([100, 300] if q else [1000, 10000]),
    }
    for name, run in sections.items():
        if only and name not in only and not (name == "digests_test" and "digests" in only):
            continue
        if name == "digests_test" and not (HERE / "gold_digests_test.jsonl").exists():
            continue
        print(name, file=sys.stderr)
        res[name] = run()
    cmd = "python benchmarks/run.py" + (" --quick" if q else "") + (f" --ensemble-epochs {args.ensemble_epochs}"
                                                                   if args.ensemble_epochs != 8 else "")
    out_dir.mkdir(exist_ok=True)
    (out_dir / "results.json").write_text(json.dumps(res, indent=2))
    md = markdown(res, cmd)
    (out_dir / "results.md").write_text(md + "\n")
    if not q:
        plots(res)
        readme = ROOT / "README.md"
        text = readme.read_text(encoding="utf-8")
        new = re.sub(r"(<!-- bench:start -->\n).*?(<!-- bench:end -->)", lambda m: m.group(1) + md + "\n" + m.group(2),
                     text, flags=re.S)
        readme.write_text(new, encoding="utf-8")
    print(md)
    return 0


if __name__ == "__main__":
    sys.exit(main())

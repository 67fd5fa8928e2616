"""Kill a running batch at random moments, resume it each time, then check nothing was lost or repeated.

    python benchmarks/kill_resume.py --kills 20

Each round starts `nlp-pipeline batch DIR --out OUT --resume`, waits a random time, and sends
SIGKILL, SIGTERM or SIGINT. At the end one last resume runs to completion. Passes when every
line of OUT parses as JSON and every input file has exactly one record.
"""
from __future__ import annotations

import argparse
import json
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def make_folder(d: Path, n: int, seed: int) -> list[Path]:
    rng = random.Random(seed)
    texts = [json.loads(l)["text"] for l in (ROOT / "corpus" / "train.jsonl").read_text(encoding="utf-8").splitlines()]
    paths = []
    for i in range(n):
        p = d / f"sub{i % 7}" / f"doc{i:04d}.txt"
        p.parent.mkdir(parents=True, exist_ok=True)
        if i % 23 == 5:
            p.write_bytes(b"")  # a bad file: must be recorded once as an error
        else:
            p.write_text("\n\n".join(rng.choice(texts) for _ in range(rng.randint(3, 40))), encoding="utf-8")
        paths.append(p)
    return paths


def run(kills: int, files: int, seed: int = 0) -> dict:
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        src = tmp / "in"
        paths = make_folder(src, files, seed)
        out = tmp / "out.jsonl"
        cmd = [sys.executable, "-m", "nlp_pipeline", "batch", str(src), "--out", str(out), "--resume", "--no-progress"]
        signals = [signal.SIGKILL, signal.SIGTERM, signal.SIGINT]
        sent = Counter()
        for _ in range(kills):
            proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)
            time.sleep(rng.uniform(0.8, 2.5))
            sig = rng.choice(signals)
            proc.send_signal(sig)
            proc.wait()
            sent[sig.name] += 1
        final = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT, text=True)
        lines = out.read_text(encoding="utf-8").splitlines()
        records = [json.loads(l) for l in lines]  # raises if any line is torn
        per_source = Counter(r["source"] for r in records)
        expected = {str(p) for p in paths}
        return {"kills": kills, "signals": dict(sent), "files": files, "records": len(records),
                "missing": sorted(expected - set(per_source)), "duplicated": sorted(s for s, c in per_source.items() if c > 1),
                "errors_recorded": sum(r["status"] == "error" for r in records), "final_exit": final.returncode}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kills", type=int, default=20)
    ap.add_argument("--files", type=int, default=400)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    res = run(a.kills, a.files, a.seed)
    print(json.dumps(res, indent=2))
    ok = not res["missing"] and not res["duplicated"] and res["records"] == res["files"]
    print("PASS: every file recorded exactly once, every line parses" if ok else "FAIL", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

"""A batch killed (SIGKILL, SIGTERM, SIGINT) and resumed records each file exactly once."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from kill_resume import run  # noqa: E402


def test_kill_and_resume_gives_each_file_exactly_once():
    res = run(kills=4, files=120, seed=3)
    assert res["missing"] == [] and res["duplicated"] == []
    assert res["records"] == 120
    assert res["errors_recorded"] == sum(1 for i in range(120) if i % 23 == 5)
    assert res["final_exit"] == 1  # some files are bad, so the finished batch reports failure

"""Save and load a trained classifier as arrays (.npz) plus JSON: no pickle, so no code runs on load.

A manifest records labels, thresholds, library versions, the corpus checksum, test
metrics and sha256 checksums of the two data files, which `load` verifies.
"""
from __future__ import annotations

import hashlib
import json
import platform
import warnings
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from . import __version__
from .classifier import ChallengeClassifier
from .errors import ModelError

MANIFEST, ARRAYS, STATE = "manifest.json", "weights.npz", "state.json"
FORMAT = 1


def library_versions() -> dict[str, str]:
    import scipy
    import sklearn
    import spacy

    return {"nlp_pipeline": __version__, "scikit-learn": sklearn.__version__, "numpy": np.__version__,
            "scipy": scipy.__version__, "spacy": spacy.__version__, "python": platform.python_version()}


def _installed(dist: str) -> str | None:
    """Version of an installed distribution, without importing it (importing sklearn costs a second)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return None


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def save(clf: ChallengeClassifier, out_dir: str | Path, extra: dict | None = None) -> dict:
    """Write weights.npz, state.json and manifest.json into `out_dir`; return the manifest."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    meta, arrays = clf.get_state()
    np.savez_compressed(out / ARRAYS, **arrays)
    (out / STATE).write_text(json.dumps(meta, ensure_ascii=False, sort_keys=True), encoding="utf-8")
    manifest = {
        "format": FORMAT,
        "labels": clf.labels,
        "thresholds": meta["thresholds"],
        "params": meta["params"],
        "versions": library_versions(),
        "trained_at": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "files": {ARRAYS: _sha256(out / ARRAYS), STATE: _sha256(out / STATE)},
        **(extra or {}),
    }
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return manifest


def read_manifest(model_dir: str | Path) -> dict:
    path = Path(model_dir)
    if path.is_file() and path.name == MANIFEST:
        path = path.parent
    mf = path / MANIFEST
    if not mf.is_file():
        raise ModelError(f"{path}: not a model folder (no {MANIFEST}); train one with 'nlp-pipeline train'")
    try:
        manifest = json.loads(mf.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ModelError(f"{mf}: manifest is corrupt ({e})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ModelError(f"{mf}: unsupported model format {manifest.get('format') if isinstance(manifest, dict) else '?'}")
    return manifest


def load(model_dir: str | Path) -> tuple[ChallengeClassifier, dict]:
    """Load a model folder after checking every data file against the manifest's sha256."""
    path = Path(model_dir)
    if path.is_file():
        path = path.parent
    manifest = read_manifest(path)
    for name, digest in manifest.get("files", {}).items():
        f = path / name
        if not f.is_file():
            raise ModelError(f"{f}: model file missing")
        if _sha256(f) != digest:
            raise ModelError(f"{f}: checksum does not match the manifest (file corrupted or modified)")
    trained = manifest.get("versions", {}).get("scikit-learn")
    installed = _installed("scikit-learn")
    if trained and trained != installed:
        warnings.warn(f"model was trained with scikit-learn {trained}, this is {installed}; "
                      "scores may differ slightly", stacklevel=2)
    try:
        meta = json.loads((path / STATE).read_text(encoding="utf-8"))
        with np.load(path / ARRAYS, allow_pickle=False) as npz:
            arrays = {k: npz[k] for k in npz.files}
        clf = ChallengeClassifier.from_state(meta, arrays)
    except (ValueError, KeyError, TypeError, OSError) as e:
        raise ModelError(f"{path}: model files are inconsistent ({e})") from None
    return clf, manifest

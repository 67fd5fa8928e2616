"""Multi-label precision, recall and F1 per label, micro and macro."""
from __future__ import annotations

import numpy as np


def report(Y_true: np.ndarray, Y_pred: np.ndarray, labels: list[str]) -> dict:
    """Per-label P/R/F1 and support, plus micro and macro F1 (labels with no support still count)."""
    Y_true, Y_pred = np.asarray(Y_true, bool), np.asarray(Y_pred, bool)
    per = {}
    for j, l in enumerate(labels):
        tp = int((Y_true[:, j] & Y_pred[:, j]).sum())
        fp = int((~Y_true[:, j] & Y_pred[:, j]).sum())
        fn = int((Y_true[:, j] & ~Y_pred[:, j]).sum())
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        per[l] = {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4), "support": int(Y_true[:, j].sum())}
    tp = int((Y_true & Y_pred).sum())
    fp = int((~Y_true & Y_pred).sum())
    fn = int((Y_true & ~Y_pred).sum())
    micro = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    macro = float(np.mean([v["f1"] for v in per.values()])) if per else 0.0
    exact = float((Y_true == Y_pred).all(axis=1).mean()) if len(Y_true) else 0.0
    return {"labels": per, "micro_f1": round(micro, 4), "macro_f1": round(macro, 4),
            "exact_match": round(exact, 4), "n_passages": int(len(Y_true))}

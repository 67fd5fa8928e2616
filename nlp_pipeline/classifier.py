"""Multi-label challenge classifier: featurizer + one logistic regression per label.

Each label's regression sees the features scaled by how strongly each one separates that
label's passages from the rest in training (a naive-Bayes log-count ratio, softened by
`nb_weight`; NBSVM after Wang and Manning, 2012). The scale folds into the weights, so
prediction costs nothing extra. A second stage (stacking) reads every label's first-stage probability
and their pairwise products, so one label's evidence can move another's: trust and response often
travel together, and a passage plainly about one label is less often another. It is fitted on
out-of-fold first-stage scores, never on scores of rows the first stage was trained on. Decision
thresholds are tuned per label on out-of-fold predictions (cross-validation grouped by document), so
the shipped thresholds were never fitted on the rows they judge.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import scipy.sparse as sp

from .features import Featurizer


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -35, 35)))


def _constant_intercept(y: np.ndarray) -> float | None:
    """For a label with no (or only) positives, the intercept of a constant score; None otherwise."""
    return None if y.min() < y.max() else (10.0 if y.max() else -10.0)


def stack_features(P: np.ndarray) -> np.ndarray:
    """Second-stage inputs: each label's first-stage log-odds, then the products of every pair of probabilities."""
    P = np.clip(np.asarray(P, dtype=np.float64), 1e-6, 1 - 1e-6)
    n = P.shape[1]
    return np.hstack([np.log(P / (1 - P))] + [P[:, [i]] * P[:, i + 1:] for i in range(n - 1)])


class ChallengeClassifier:
    """Estimator with sklearn's shape: `fit(texts, Y)`, `predict_proba`, `predict`.

    `Y` is a binary matrix (n_texts x n_labels) in the order of `labels`.
    """

    def __init__(self, labels: Sequence[str], C: float = 16.0, min_df: int = 2,
                 char_ngrams: tuple[int, int] | None = None, cue_weight: float = 0.3,
                 cues: dict[str, list[str]] | None = None, cv_folds: int = 5,
                 threshold_shrink: float = 0.3, class_weight: str | None = "balanced", nb_weight: float = 0.25,
                 stacking: bool = True, stack_C: float = 1.0, random_state: int = 0):
        self.labels = list(labels)
        self.C = C
        self.min_df = min_df
        self.char_ngrams = char_ngrams
        self.cue_weight = cue_weight
        self.cues = cues
        self.cv_folds = cv_folds
        self.threshold_shrink = threshold_shrink
        self.class_weight = class_weight
        self.nb_weight = nb_weight
        self.stacking = stacking
        self.stack_C = stack_C
        self.random_state = random_state

    def _fit_core(self, texts: Sequence[str], Y: np.ndarray) -> tuple[Featurizer, np.ndarray, np.ndarray]:
        from sklearn.linear_model import LogisticRegression  # imported here: prediction never needs sklearn

        feat = Featurizer(self.min_df, self.char_ngrams, self.cue_weight,
                          {l: (self.cues or {}).get(l, []) for l in self.labels})
        X = feat.fit(texts).transform(texts)
        coef = np.zeros((len(self.labels), X.shape[1]))
        intercept = np.zeros(len(self.labels))
        scales = self._nb_scales(X, Y)
        for j in range(len(self.labels)):
            y = Y[:, j]
            if (const := _constant_intercept(y)) is not None:
                intercept[j] = const
                continue
            lr = LogisticRegression(C=self.C, class_weight=self.class_weight, solver="liblinear",
                                    random_state=self.random_state)
            lr.fit(X @ sp.diags(scales[j]) if self.nb_weight else X, y)
            coef[j], intercept[j] = lr.coef_[0] * scales[j], lr.intercept_[0]
        return feat, coef, intercept

    def _nb_scales(self, X, Y: np.ndarray, alpha: float = 1.0) -> np.ndarray:
        """Per label and feature: 1 + nb_weight * (|log-count ratio| - 1), the ratio of how often the
        feature occurs in the label's passages against the others' (smoothed by `alpha`)."""
        present = (X != 0).astype(np.float64)
        pos = alpha + np.asarray((present.T @ Y).T)
        neg = alpha + np.asarray((present.T @ (1 - Y)).T)
        ratio = np.log((pos / pos.sum(axis=1, keepdims=True)) / (neg / neg.sum(axis=1, keepdims=True)))
        return 1.0 + self.nb_weight * (np.abs(ratio) - 1.0)

    def fit(self, texts: Sequence[str], Y: np.ndarray, groups: Sequence[str] | None = None) -> "ChallengeClassifier":
        """Learn features and weights from all rows; tune thresholds on grouped out-of-fold scores."""
        Y = np.asarray(Y, dtype=int)
        texts = list(texts)
        self.thresholds_ = np.full(len(self.labels), 0.5)
        self.stack_coef_ = self.stack_intercept_ = None
        if self.cv_folds and self.cv_folds > 1 and len(texts) >= 2 * self.cv_folds:
            oof = self._oof_scores(texts, Y, groups)
            if self.stacking:
                F = stack_features(oof)
                oof = self._stack_oof(F, Y, groups)
                self.stack_coef_, self.stack_intercept_ = self._fit_stack(F, Y)
            self.thresholds_ = np.array([self._best_threshold(oof[:, j], Y[:, j]) for j in range(len(self.labels))])
            self.cv_scores_ = oof
        self.featurizer_, self.coef_, self.intercept_ = self._fit_core(texts, Y)
        return self

    def _fit_stack(self, F: np.ndarray, Y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """One small logistic regression per label on the second-stage inputs."""
        from sklearn.linear_model import LogisticRegression

        coef, intercept = np.zeros((Y.shape[1], F.shape[1])), np.zeros(Y.shape[1])
        for j in range(Y.shape[1]):
            y = Y[:, j]
            if (const := _constant_intercept(y)) is not None:
                intercept[j] = const
                continue
            lr = LogisticRegression(C=self.stack_C, max_iter=2000).fit(F, y)
            coef[j], intercept[j] = lr.coef_[0], lr.intercept_[0]
        return coef, intercept

    def _stack_oof(self, F: np.ndarray, Y: np.ndarray, groups: Sequence[str] | None) -> np.ndarray:
        """Out-of-fold second-stage probabilities (the same document folds), for tuning thresholds."""
        out = np.zeros(Y.shape)
        for tr, te in self._folds(len(F), groups):
            coef, b = self._fit_stack(F[tr], Y[tr])
            out[te] = _sigmoid(F[te] @ coef.T + b)
        return out

    def _stack(self, P: np.ndarray) -> np.ndarray:
        """Second-stage probabilities from first-stage ones (unchanged when the model has no second stage)."""
        if self.stack_coef_ is None:
            return P
        return _sigmoid(stack_features(P) @ self.stack_coef_.T + self.stack_intercept_)

    def _folds(self, n: int, groups: Sequence[str] | None):
        """(train, held-out) row indexes of the cross-validation, grouped by document (each row its own group
        without `groups`); deterministic, so both stages see the same folds."""
        from sklearn.model_selection import GroupKFold

        groups = np.asarray(groups if groups is not None else np.arange(n))
        return GroupKFold(n_splits=min(self.cv_folds, len(set(groups.tolist())))).split(np.zeros(n), groups=groups)

    def _oof_scores(self, texts: list[str], Y: np.ndarray, groups: Sequence[str] | None) -> np.ndarray:
        oof = np.zeros(Y.shape)
        for tr, te in self._folds(len(texts), groups):
            feat, coef, b = self._fit_core([texts[i] for i in tr], Y[tr])
            X = feat.transform([texts[i] for i in te])
            oof[te] = _sigmoid(X @ coef.T + b)
        return oof

    def _best_threshold(self, scores: np.ndarray, y: np.ndarray) -> float:
        grid = np.arange(0.15, 0.86, 0.01)
        best_t, best_f = 0.5, -1.0
        for t in grid:
            pred = scores >= t
            tp = float((pred & (y == 1)).sum())
            f = 2 * tp / max(pred.sum() + y.sum(), 1)
            if f > best_f + 1e-9:
                best_t, best_f = t, f
        # Pull towards 0.5: real text differs from our corpus, so do not trust an extreme optimum fully.
        return float(round((1 - self.threshold_shrink) * best_t + self.threshold_shrink * 0.5, 3))

    def decision_function(self, texts: Sequence[str]) -> np.ndarray:
        """First-stage log-odds per label (before the second stage)."""
        X = self.featurizer_.transform(texts)
        return np.asarray(X @ self._weights_t()) + self.intercept_

    def _weights_t(self) -> np.ndarray:
        """coef_ transposed, C-contiguous: SciPy copies a strided right operand on every product,
        which for a large vocabulary costs more than the product itself on a short document."""
        cached = getattr(self, "_coef_t", None)
        if cached is None or cached[0] is not self.coef_:
            cached = self._coef_t = (self.coef_, np.ascontiguousarray(self.coef_.T))
        return cached[1]

    def proba_from_features(self, X, cue: np.ndarray | None = None) -> np.ndarray:
        """Per-label probabilities for rows already featurized (callers that reuse X, like the digest).

        `X` is the full feature matrix, or only its TF-IDF block when `cue` holds the cue block.
        """
        W = self._weights_t()
        if cue is None:
            return self._stack(_sigmoid(np.asarray(X @ W) + self.intercept_))
        v = X.shape[1]
        return self._stack(_sigmoid(np.asarray(X @ W[:v]) + cue @ W[v:] + self.intercept_))

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Per-label probabilities, shape (n_texts, n_labels)."""
        return self._stack(_sigmoid(self.decision_function(texts)))

    def predict(self, texts: Sequence[str]) -> np.ndarray:
        """Binary label matrix using the tuned per-label thresholds."""
        return (self.predict_proba(texts) >= self.thresholds_).astype(int)

    # -- persistence as plain data ------------------------------------------------
    def get_state(self) -> tuple[dict, dict[str, np.ndarray]]:
        meta, arrays = self.featurizer_.get_state()
        params = {k: getattr(self, k) for k in ("C", "min_df", "cue_weight", "cv_folds", "threshold_shrink", "class_weight",
                                                "nb_weight", "stacking", "stack_C", "random_state")}
        params["char_ngrams"] = list(self.char_ngrams) if self.char_ngrams else None
        return ({"labels": self.labels, "params": params, "featurizer": meta,
                 "thresholds": dict(zip(self.labels, self.thresholds_.tolist()))},
                {**arrays, "coef": self.coef_, "intercept": self.intercept_,
                 **({} if self.stack_coef_ is None else {"stack_coef": self.stack_coef_,
                                                         "stack_intercept": self.stack_intercept_})})

    @classmethod
    def from_state(cls, meta: dict, arrays: dict[str, np.ndarray]) -> "ChallengeClassifier":
        p = dict(meta["params"])
        p.setdefault("nb_weight", 0.0)  # models saved before the NB scaling existed
        p.setdefault("stacking", False)  # ... or before the second stage
        p["char_ngrams"] = tuple(p["char_ngrams"]) if p.get("char_ngrams") else None
        clf = cls(meta["labels"], cues=dict(meta["featurizer"]["cues"]), **p)
        clf.featurizer_ = Featurizer.from_state(meta["featurizer"], arrays)
        clf.coef_ = np.asarray(arrays["coef"], dtype=np.float64)
        clf.intercept_ = np.asarray(arrays["intercept"], dtype=np.float64)
        clf.thresholds_ = np.array([meta["thresholds"][l] for l in clf.labels])
        clf.stack_coef_ = clf.stack_intercept_ = None
        if "stack_coef" in arrays:
            clf.stack_coef_ = np.asarray(arrays["stack_coef"], dtype=np.float64)
            clf.stack_intercept_ = np.asarray(arrays["stack_intercept"], dtype=np.float64)
            n = len(clf.labels)
            if clf.stack_coef_.shape != (n, n + n * (n - 1) // 2):
                raise ValueError(f"second-stage weights of shape {clf.stack_coef_.shape} do not fit {n} labels")
        if clf.coef_.shape != (len(clf.labels), clf.featurizer_.n_features):
            raise ValueError(f"weight matrix shape {clf.coef_.shape} does not fit "
                             f"{len(clf.labels)} labels x {clf.featurizer_.n_features} features")
        return clf

"""Greedy ensemble selection over the best trials' out-of-fold predictions.

Caruana et al. (2004): start from nothing, repeatedly add (with replacement) the trial
whose predictions most improve the averaged out-of-fold score, and weight each trial by
how often it was picked. The result is one estimator, so the artifact stays a single
pipeline object.

The greedy search is scored on the same out-of-fold rows it picks on, so its gain over
the best single trial is optimistic, the more so on small tables: on diabetes (331
training rows) blends that gained 0.02 R2 out of fold lost 0.02 on the hold-out.
``cross_validated_gain`` measures the selection itself on rows it did not see: pick on
K - 1 folds' rows, score on the left-out fold, against picking the best single trial
the same way. The ensemble is used only when that gain is positive.
"""

from __future__ import annotations

import time

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, clone


def greedy_selection(predictions: dict[int, np.ndarray], y: np.ndarray, metric, rounds: int = 25,
                     max_members: int = 5, deadline: float | None = None) -> dict[int, int] | None:
    """How many times each trial was picked (at most ``max_members`` distinct trials, each
    refit on all rows at the end); empty when there is nothing to choose from, None when
    ``time.monotonic()`` passed ``deadline`` before the selection ended."""
    candidates = {k: p for k, p in predictions.items() if p is not None and not np.isnan(p).any()}
    counts: dict[int, int] = {}
    current, current_score = None, None
    for r in range(rounds):
        if deadline is not None and time.monotonic() > deadline:
            return None
        best_key, best_score, best_blend = None, None, None
        for key, pred in candidates.items():
            if len(counts) >= max_members and key not in counts:
                continue
            blend = pred if current is None else (current * r + pred) / (r + 1)
            score = _score(metric, y, blend)
            if best_score is None or metric.is_better(score, best_score):
                best_key, best_score, best_blend = key, score, blend
        if best_key is None or (current_score is not None and not metric.is_better(best_score, current_score)):
            break  # no addition improves the blend: later rounds would only repeat this search
        counts[best_key] = counts.get(best_key, 0) + 1
        current, current_score = best_blend, best_score
    return counts


def cross_validated_gain(predictions: dict[int, np.ndarray], y: np.ndarray, metric,
                         validation: list[np.ndarray], deadline: float | None = None) -> float | None:
    """Mean, over the ``validation`` row sets (a partition of the rows: the CV folds), of
    how much better the greedy blend picked on the other rows scores on these rows than
    the single trial that is best on the other rows (positive = the blend helps); None
    when ``deadline`` passed first."""
    sign = 1.0 if metric.direction == "maximize" else -1.0
    gains = []
    for rows in validation:
        rest = np.setdiff1d(np.arange(len(y)), rows)
        seen = {k: p[rest] for k, p in predictions.items()}
        counts = greedy_selection(seen, y[rest], metric, deadline=deadline)
        if counts is None:
            return None
        if not counts:
            continue
        single = max(seen, key=lambda k: sign * _score(metric, y[rest], seen[k]))
        held = {k: p[rows] for k, p in predictions.items()}
        try:
            gain = sign * (blended_score(held, counts, y[rows], metric) - _score(metric, y[rows], held[single]))
        except ValueError:  # a metric undefined on this fold (one class only): no verdict here
            continue
        if np.isfinite(gain):  # ROC AUC of a one-class fold is NaN rather than an error
            gains.append(gain)
    return float(np.mean(gains)) if gains else 0.0


def blended_score(predictions: dict[int, np.ndarray], counts: dict[int, int], y: np.ndarray, metric) -> float:
    total = sum(counts.values())
    blend = sum(predictions[k] * c for k, c in counts.items()) / total
    return _score(metric, y, blend)


def _score(metric, y, pred) -> float:
    if metric.task == "regression":
        return metric.score_predictions(y, y_pred=pred)
    return metric.score_predictions(y, proba=pred)


class _Weighted(BaseEstimator):
    """A weighted average of fitted pipelines (probabilities, or values)."""

    def __init__(self, estimators: list, weights: list[float]):
        self.estimators = estimators
        self.weights = weights

    def fit(self, X, y):
        return self.fit_reusing(X, y, {})

    def fit_reusing(self, X, y, fitted: dict):
        """Fit the members, except those given in ``fitted`` (position -> a member already
        fitted on the same X and y), which are used as they are."""
        self.estimators_ = [fitted[i] if fitted.get(i) is not None else clone(e).fit(X, y)
                            for i, e in enumerate(self.estimators)]
        if hasattr(self.estimators_[0], "classes_"):
            self.classes_ = self.estimators_[0].classes_
        return self

    def _average(self, outputs: list[np.ndarray]) -> np.ndarray:
        w = np.asarray(self.weights, dtype=float)
        return np.tensordot(w / w.sum(), np.stack(outputs), axes=1)


class WeightedEnsembleClassifier(ClassifierMixin, _Weighted):
    def predict_proba(self, X):
        return self._average([e.predict_proba(X) for e in self.estimators_])

    def predict(self, X):
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]


class WeightedEnsembleRegressor(RegressorMixin, _Weighted):
    def predict(self, X):
        return self._average([np.asarray(e.predict(X), dtype=float) for e in self.estimators_])

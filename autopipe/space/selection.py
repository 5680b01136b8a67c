"""Feature-subset choices searched between preprocessing and the model.

Both selectors always keep at least one column, so a bad draw never hands an empty
matrix to the model; they work on the encoded columns, and ``selected_features`` maps
the kept columns back to source columns.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.ensemble import ExtraTreesClassifier, ExtraTreesRegressor
from sklearn.feature_selection import SelectorMixin, f_classif, f_regression

SELECTIONS = ("none", "univariate", "model")
FRACTION_RANGE = (0.1, 1.0)
THRESHOLD_RANGE = (0.25, 1.5)


class FractionSelector(SelectorMixin, BaseEstimator):
    """Keep the top ``fraction`` of columns by an F-test (at least one column)."""

    def __init__(self, fraction: float = 0.5, task: str = "binary"):
        self.fraction = fraction
        self.task = task

    def fit(self, X, y):
        X = np.asarray(X, dtype=float)
        score_func = f_regression if self.task == "regression" else f_classif
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            scores = np.asarray(score_func(X, y)[0], dtype=float)
        self.scores_ = np.where(np.isfinite(scores), scores, -np.inf)
        self.n_features_in_ = X.shape[1]
        k = min(X.shape[1], max(1, math.ceil(self.fraction * X.shape[1])))
        keep = np.argsort(-self.scores_, kind="stable")[:k]
        self.support_ = np.zeros(X.shape[1], dtype=bool)
        self.support_[keep] = True
        return self

    def _get_support_mask(self):
        return self.support_


class ImportanceSelector(SelectorMixin, BaseEstimator):
    """Keep columns whose extra-trees importance is >= ``scale`` times the mean."""

    def __init__(self, scale: float = 1.0, task: str = "binary", random_state=0, n_jobs=1):
        self.scale = scale
        self.task = task
        self.random_state = random_state
        self.n_jobs = n_jobs

    def fit(self, X, y):
        X = np.asarray(X, dtype=float)
        cls = ExtraTreesRegressor if self.task == "regression" else ExtraTreesClassifier
        forest = cls(n_estimators=50, min_samples_leaf=2, random_state=self.random_state,
                     n_jobs=self.n_jobs)
        forest.fit(X, y)
        importances = forest.feature_importances_
        self.importances_ = importances
        self.n_features_in_ = X.shape[1]
        self.support_ = importances >= self.scale * importances.mean()
        if not self.support_.any():  # e.g. all importances zero
            self.support_[np.argmax(importances)] = True
        return self

    def _get_support_mask(self):
        return self.support_


def suggest_selector(trial, task: str, *, random_state=0, n_jobs=1):
    """Ask the trial for a selection choice; returns a selector or "passthrough"."""
    choice = trial.suggest_categorical("selection", list(SELECTIONS))
    if choice == "univariate":
        fraction = trial.suggest_float("selection.fraction", *FRACTION_RANGE)
        return FractionSelector(fraction=fraction, task=task)
    if choice == "model":
        scale = trial.suggest_float("selection.threshold", *THRESHOLD_RANGE)
        return ImportanceSelector(scale=scale, task=task, random_state=random_state,
                                  n_jobs=n_jobs)
    return "passthrough"

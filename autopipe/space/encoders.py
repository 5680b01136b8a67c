"""Encoders for high-cardinality categorical columns: no one-hot, bounded width.

Each input column becomes its cross-fitted target encoding (one column, or one per
class for multiclass) plus its frequency (the share of training rows holding the
level). ``fit_transform`` uses scikit-learn's ``TargetEncoder`` cross-fitting, so the
rows a model is trained on never see their own target through the encoding; at
predict time the encoding learnt on all training rows is used, and an unseen level
gets the target mean and a frequency of 0.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.preprocessing import TargetEncoder

MAX_INNER_FOLDS = 5
_TARGET_TYPES = {"regression": "continuous", "binary": "binary", "multiclass": "multiclass"}


class HighCardinalityEncoder(TransformerMixin, BaseEstimator):
    """Target encoding with cross-fitting plus frequency encoding, for string columns."""

    def __init__(self, task: str = "binary", random_state: int = 0):
        self.task = task
        self.random_state = random_state

    def fit(self, X, y):
        self.fit_transform(X, y)
        return self

    def fit_transform(self, X, y=None, **fit_params):
        X = _strings(X)
        y = np.asarray(y)
        self.n_features_in_ = X.shape[1]
        self._fit_frequencies(X)
        folds = _inner_folds(y, self.task)
        self.encoder_ = TargetEncoder(target_type=self._target_type(y), cv=max(folds, 2), shuffle=True,
                                      random_state=self.random_state)
        if folds >= 2:
            encoded = self.encoder_.fit_transform(X, y)
        else:  # too few rows to cross-fit: plain (smoothed) encoding
            encoded = self.encoder_.fit(X, y).transform(X)
        return np.hstack([encoded, self._frequencies(X)])

    def transform(self, X):
        X = _strings(X)
        return np.hstack([self.encoder_.transform(X), self._frequencies(X)])

    def get_feature_names_out(self, input_features=None):
        names = [f"x{i}" for i in range(self.n_features_in_)] if input_features is None else list(input_features)
        per_class = len(self.encoder_.classes_) if self.encoder_.target_type_ == "multiclass" else 1
        encoded = [f"{n}_target{k}" if per_class > 1 else f"{n}_target" for n in names for k in range(per_class)]
        return np.asarray(encoded + [f"{n}_frequency" for n in names], dtype=object)

    def _target_type(self, y: np.ndarray) -> str:
        if self.task == "multiclass" and len(np.unique(y)) <= 2:
            return "binary"
        return _TARGET_TYPES.get(self.task, "continuous")

    def _fit_frequencies(self, X: np.ndarray) -> None:
        self.frequencies_ = []
        for j in range(X.shape[1]):
            levels, counts = np.unique(X[:, j], return_counts=True)
            self.frequencies_.append(dict(zip(levels.tolist(), (counts / len(X)).tolist())))

    def _frequencies(self, X: np.ndarray) -> np.ndarray:
        cols = [[table.get(v, 0.0) for v in X[:, j]] for j, table in enumerate(self.frequencies_)]
        return np.asarray(cols, dtype=float).T.reshape(len(X), len(cols))


def _strings(X) -> np.ndarray:
    arr = np.asarray(X, dtype=object)
    return arr.reshape(-1, 1) if arr.ndim == 1 else arr


def _inner_folds(y: np.ndarray, task: str) -> int:
    """As many folds as possible up to 5: every fold needs rows, and for classes, every
    class needs a row in at least one fold's training part."""
    if task == "regression":
        return min(MAX_INNER_FOLDS, len(y))
    _, counts = np.unique(y, return_counts=True)
    if len(counts) < 2:
        return 0
    return min(MAX_INNER_FOLDS, int(counts.max()))

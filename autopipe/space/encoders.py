"""Encoders for high-cardinality categorical columns: no one-hot, bounded width.

Each input column becomes, in this order:

- its frequency: the share of training rows holding the level (0 for an unseen level);
- with ``codes=True`` (tree models): the level's rank by training frequency among the
  levels seen at least ``min_frequency`` times (-1 for rarer and unseen levels), so a
  tree can split frequent levels apart without a column per level;
- with ``target=True``: its target encoding (one column, or one per class for
  multiclass). ``fit_transform`` uses scikit-learn's ``TargetEncoder`` cross-fitting,
  so the rows a model is trained on never see their own target through the encoding;
  an unseen level gets the target mean. This needs ``y`` at ``fit_transform``.

Output width is at most (2 + n_classes) per column, whatever the number of levels.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.preprocessing import TargetEncoder

from autopipe.exceptions import ParameterError

MAX_INNER_FOLDS = 5
_TARGET_TYPES = {"regression": "continuous", "binary": "binary", "multiclass": "multiclass"}


class HighCardinalityEncoder(TransformerMixin, BaseEstimator):
    """Frequency encoding, optional frequency-rank codes and cross-fitted target encoding."""

    def __init__(self, task: str = "binary", codes: bool = True, target: bool = False,
                 min_frequency: int = 5, random_state: int = 0):
        self.task = task
        self.codes = codes
        self.target = target
        self.min_frequency = min_frequency
        self.random_state = random_state

    def fit(self, X, y=None):
        self.fit_transform(X, y)
        return self

    def fit_transform(self, X, y=None, **fit_params):
        X = _strings(X)
        self.n_features_in_ = X.shape[1]
        self._fit_levels(X)
        parts = [self._unsupervised(X)]
        # without a target (a preprocessor fitted on features alone) the encoding is unsupervised
        self.use_target_ = bool(self.target) and y is not None
        if self.use_target_:
            parts.append(self._fit_target(X, y))
        return np.hstack(parts)

    def transform(self, X):
        X = _strings(X)
        parts = [self._unsupervised(X)]
        if getattr(self, "use_target_", self.target):
            parts.append(self.encoder_.transform(X))
        return np.hstack(parts)

    def get_feature_names_out(self, input_features=None):
        names = [f"x{i}" for i in range(self.n_features_in_)] if input_features is None else list(input_features)
        out = [f"{n}_frequency" for n in names]
        if self.codes:
            out += [f"{n}_rank" for n in names]
        if getattr(self, "use_target_", self.target):
            per_class = len(self.encoder_.classes_) if self.encoder_.target_type_ == "multiclass" else 1
            out += [f"{n}_target{k}" if per_class > 1 else f"{n}_target" for n in names for k in range(per_class)]
        return np.asarray(out, dtype=object)

    # -- unsupervised part --------------------------------------------------------------------
    def _fit_levels(self, X: np.ndarray) -> None:
        self.frequencies_, self.ranks_ = [], []
        for j in range(X.shape[1]):
            levels, counts = np.unique(X[:, j], return_counts=True)
            self.frequencies_.append(dict(zip(levels.tolist(), (counts / len(X)).tolist())))
            order = np.argsort(-counts, kind="stable")
            kept = [levels[i] for i in order if counts[i] >= self.min_frequency]
            self.ranks_.append({level: float(r) for r, level in enumerate(kept)})

    def _unsupervised(self, X: np.ndarray) -> np.ndarray:
        cols = [[table.get(v, 0.0) for v in X[:, j]] for j, table in enumerate(self.frequencies_)]
        if self.codes:
            cols += [[table.get(v, -1.0) for v in X[:, j]] for j, table in enumerate(self.ranks_)]
        return np.asarray(cols, dtype=float).T.reshape(len(X), len(cols))

    # -- target encoding ---------------------------------------------------------------------
    def _fit_target(self, X: np.ndarray, y) -> np.ndarray:
        if y is None:
            raise ParameterError("HighCardinalityEncoder(target=True) needs y in fit_transform.")
        y = np.asarray(y)
        folds = _inner_folds(y, self.task)
        splitter = (KFold if self.task == "regression" else StratifiedKFold)(
            n_splits=max(folds, 2), shuffle=True, random_state=self.random_state)
        self.encoder_ = TargetEncoder(target_type=self._target_type(y), cv=splitter)
        if folds >= 2:
            return self.encoder_.fit_transform(X, y)
        return self.encoder_.fit(X, y).transform(X)  # too few rows to cross-fit

    def _target_type(self, y: np.ndarray) -> str:
        if self.task == "multiclass" and len(np.unique(y)) <= 2:
            return "binary"
        return _TARGET_TYPES.get(self.task, "continuous")


def _strings(X) -> np.ndarray:
    arr = np.asarray(X, dtype=object)
    return arr.reshape(-1, 1) if arr.ndim == 1 else arr


def _inner_folds(y: np.ndarray, task: str) -> int:
    """As many cross-fitting folds as the rows allow, up to 5."""
    if task == "regression":
        return min(MAX_INNER_FOLDS, len(y))
    _, counts = np.unique(y, return_counts=True)
    return 0 if len(counts) < 2 or counts.max() < 2 else min(MAX_INNER_FOLDS, max(2, int(counts.min())))

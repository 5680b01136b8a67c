"""Metric names -> a scorer with a direction, and the default metric per task.

Scores are kept in natural units (log_loss and rmse positive, to be minimised) so the
leaderboard and the report read naturally; the study gets the direction instead of a
sign flip. Classification labels are integer-encoded 0..K-1 by the caller and a Metric
knows K, so proba-based metrics work on a fold that lacks a class.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import Callable

import numpy as np
from sklearn import metrics as skm

from autopipe.exceptions import ParameterError

CLASSIFICATION = ("binary", "multiclass")
TASKS = (*CLASSIFICATION, "regression")
DEFAULTS = {"binary": "roc_auc", "multiclass": "log_loss", "regression": "rmse"}


@dataclass(frozen=True)
class Metric:
    """A named score with its direction; ``needs`` is "label", "proba" or "value"."""

    name: str
    direction: str
    task: str
    needs: str
    fn: Callable = field(repr=False, compare=False)
    n_classes: int | None = None

    @property
    def labels(self) -> list[int] | None:
        return None if self.n_classes is None else list(range(self.n_classes))

    def score(self, estimator, X, y) -> float:
        """Score a fitted estimator on (X, y) in the metric's natural units."""
        if self.needs == "proba":
            return self.score_predictions(y, proba=predict_full_proba(estimator, X, self.n_classes))
        return self.score_predictions(y, y_pred=estimator.predict(X))

    def score_predictions(self, y_true, y_pred=None, proba=None) -> float:
        """Score predictions (labels/values in ``y_pred`` or class probabilities)."""
        y_true = np.asarray(y_true)
        if self.needs == "proba":
            if proba is None:
                raise ParameterError(f"Metric {self.name!r} needs proba. Got None instead.")
            return float(self.fn(y_true, np.asarray(proba, dtype=float), self.n_classes))
        if y_pred is None:
            if proba is None:
                raise ParameterError(f"Metric {self.name!r} needs y_pred or proba.")
            y_pred = np.argmax(np.asarray(proba), axis=1)
        return float(self.fn(y_true, np.asarray(y_pred)))

    def is_better(self, a: float, b: float) -> bool:
        """True when score ``a`` beats score ``b``."""
        return a > b if self.direction == "maximize" else a < b


def predict_full_proba(estimator, X, n_classes: int | None) -> np.ndarray:
    """predict_proba widened to all K classes, in case a training fold lacked one."""
    from autopipe.frames import full_proba

    proba = estimator.predict_proba(X)
    return full_proba(proba, estimator, np.shape(proba)[1] if n_classes is None else n_classes)


def _log_loss(y, proba, k):
    return skm.log_loss(y, proba, labels=list(range(k)))


def _roc_auc(y, proba, k):
    """Binary AUC, or one-vs-rest macro AUC over classes present in ``y``."""
    if k == 2:
        if len(np.unique(y)) < 2:
            return float("nan")
        return skm.roc_auc_score(y, proba[:, 1])
    scores = [
        skm.roc_auc_score(y == c, proba[:, c])
        for c in range(k)
        if 0 < np.sum(y == c) < len(y)
    ]
    return float(np.mean(scores)) if scores else float("nan")


def _brier(y, proba, k):
    onehot = np.eye(k)[y.astype(int)]
    value = np.mean(np.sum((proba - onehot) ** 2, axis=1))
    return value / 2 if k == 2 else value  # binary: sklearn's positive-class convention


def _rmse(y, p):
    return float(np.sqrt(skm.mean_squared_error(y, p)))


_PROBA = {"roc_auc": _roc_auc, "log_loss": _log_loss, "brier_score": _brier}
_REGRESSION = {
    "rmse": (_rmse, "minimize"),
    "mse": (skm.mean_squared_error, "minimize"),
    "mae": (skm.mean_absolute_error, "minimize"),
    "r2": (skm.r2_score, "maximize"),
}
_ALIASES = {
    "neg_log_loss": "log_loss",
    "neg_brier_score": "brier_score",
    "neg_root_mean_squared_error": "rmse",
    "neg_mean_squared_error": "mse",
    "neg_mean_absolute_error": "mae",
}
_BINARY_ONLY = {"f1", "precision", "recall", "jaccard", "average_precision",
                "positive_likelihood_ratio", "neg_negative_likelihood_ratio"}


def valid_names(task: str) -> list[str]:
    """Names accepted by ``resolve_metric`` for this task."""
    short = list(_REGRESSION) if task == "regression" else [*_PROBA, "accuracy"]
    sk = [n for n in skm.get_scorer_names() if _fits(n, task)]
    return sorted(set(short + sk))


def _sklearn_task(name: str) -> str:
    module = skm.get_scorer(name)._score_func.__module__
    if "_regression" in module:
        return "regression"
    if name.endswith("_samples"):
        return "multilabel"
    return "binary" if name in _BINARY_ONLY else "classification"


def _fits(name: str, task: str) -> bool:
    sk = _sklearn_task(name)
    if task == "regression":
        return sk == "regression"
    if task == "binary":
        return sk in ("binary", "classification")
    return sk == "classification"


def _from_sklearn(name: str, task: str, n_classes: int | None) -> Metric:
    scorer = skm.get_scorer(name)
    func = partial(scorer._score_func, **scorer._kwargs)
    display = name[4:] if name.startswith("neg_") else name
    direction = "minimize" if scorer._sign < 0 else "maximize"
    response = scorer._response_method
    if response == "predict" or task == "regression":
        return Metric(display, direction, task, "label" if task != "regression" else "value",
                      func, n_classes)
    return Metric(display, direction, task, "proba", partial(_sk_proba, func), n_classes)


def _sk_proba(func, y, proba, k):
    if k == 2:
        return func(y, proba[:, 1])
    return func(y, proba, labels=list(range(k)))


def _raise_unknown(name: str, task: str) -> None:
    raise ParameterError(
        f"Metric {name!r} does not fit task {task!r}. "
        f"Choose one of: {', '.join(valid_names(task))}."
    )


def resolve_metric(name: str | None, task: str, n_classes: int | None = None) -> Metric:
    """Turn a metric name (ours or a scikit-learn scorer name) into a Metric."""
    if task not in TASKS:
        raise ParameterError(f"task must be one of {list(TASKS)}. Got {task!r} instead.")
    if task in CLASSIFICATION and n_classes is None:
        n_classes = 2 if task == "binary" else None
        if n_classes is None:
            raise ParameterError("resolve_metric needs n_classes for a multiclass task.")
    if task == "regression":
        n_classes = None
    if name is None:
        name = DEFAULTS[task]
    if not isinstance(name, str):
        raise ParameterError(f"metric must be a string or None. Got {type(name).__name__}.")
    short = _ALIASES.get(name, name)
    if task == "regression" and short in _REGRESSION:
        fn, direction = _REGRESSION[short]
        return Metric(short, direction, task, "value", fn, None)
    if task in CLASSIFICATION and short in _PROBA:
        return Metric(short, "maximize" if short == "roc_auc" else "minimize", task, "proba",
                      _PROBA[short], n_classes)
    if short in _REGRESSION or short in _PROBA:
        _raise_unknown(name, task)
    if name not in skm.get_scorer_names() or not _fits(name, task):
        _raise_unknown(name, task)
    return _from_sklearn(name, task, n_classes)

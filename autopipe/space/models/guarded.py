"""Fitting that respects a deadline, with early stopping for the boosting families.

``Guarded`` wraps one model of the search. During cross-validation the evaluator sets a
deadline (``fit_deadline``); the wrapper then
- boosts LightGBM / XGBoost with early stopping on an inner split of the *training*
  rows (never the validation fold), and stops boosting when the deadline passes;
- grows forests in chunks of trees, checking the deadline between chunks.
A fit cut by the deadline raises ``DeadlineReached`` so the trial is recorded as cut by
the budget, never scored on a half-trained model. Outside the search (the final refit,
predict) no deadline is set and models train to their full size.
"""

from __future__ import annotations

import contextlib
import contextvars
import inspect
import time

import numpy as np
import xgboost as xgb
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, clone, is_classifier
from sklearn.ensemble import ExtraTreesClassifier, ExtraTreesRegressor, RandomForestClassifier, RandomForestRegressor
from sklearn.model_selection import train_test_split

_FORESTS = (RandomForestClassifier, RandomForestRegressor, ExtraTreesClassifier, ExtraTreesRegressor)
_deadline: contextvars.ContextVar[float | None] = contextvars.ContextVar("autopipe_fit_deadline", default=None)
FOREST_CHUNK = 10


class DeadlineReached(Exception):
    """A model fit ran into the search's deadline and was stopped."""


@contextlib.contextmanager
def fit_deadline(deadline: float | None):
    """Fits inside this block stop (DeadlineReached) once ``time.monotonic()`` passes ``deadline``."""
    token = _deadline.set(deadline)
    try:
        yield
    finally:
        _deadline.reset(token)


def _late() -> bool:
    deadline = _deadline.get()
    return deadline is not None and time.monotonic() > deadline


class _Guarded(BaseEstimator):
    def __init__(self, estimator, validation_fraction: float = 0.15, patience: int = 30, min_rows: int = 1000,
                 random_state: int = 0):
        self.estimator = estimator
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.min_rows = min_rows
        self.random_state = random_state

    def fit(self, X, y):
        est = clone(self.estimator)
        kind = _kind(est)
        if kind in ("lightgbm", "xgboost"):
            self.best_iteration_ = _fit_boosting(est, kind, X, y, self)
        elif kind == "forest":
            _fit_forest(est, X, y)
        else:
            est.fit(X, y)
        if _late():
            raise DeadlineReached("the model fit ran past the time budget")
        self.estimator_ = est
        if hasattr(est, "classes_"):
            self.classes_ = est.classes_
        self.n_features_in_ = getattr(est, "n_features_in_", np.shape(X)[1])
        return self

    def predict(self, X):
        return self.estimator_.predict(X)

    @property
    def feature_importances_(self):
        return self.estimator_.feature_importances_

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags


class GuardedClassifier(ClassifierMixin, _Guarded):
    def predict_proba(self, X):
        return self.estimator_.predict_proba(X)


class GuardedRegressor(RegressorMixin, _Guarded):
    pass


def guard(estimator, random_state: int = 0):
    """Wrap ``estimator`` in the guarded classifier or regressor that matches it."""
    cls = GuardedClassifier if is_classifier(estimator) else GuardedRegressor
    return cls(estimator, random_state=random_state)


def _kind(est) -> str:
    module = type(est).__module__
    if module.startswith("lightgbm"):
        return "lightgbm"
    if module.startswith("xgboost"):
        return "xgboost"
    if isinstance(est, _FORESTS):
        return "forest"
    return "other"


def _inner_split(X, y, guard_: _Guarded):
    """Training rows split once more: the boosting stops on this inner validation part."""
    n = len(y)
    if n < guard_.min_rows:
        return None
    stratify = None
    if is_classifier(guard_):
        _, counts = np.unique(y, return_counts=True)
        if counts.min() < 2:
            return None
        stratify = y
    try:
        return train_test_split(X, y, test_size=guard_.validation_fraction, random_state=guard_.random_state,
                                stratify=stratify)
    except ValueError:  # a class too small for the inner split: train without early stopping
        return None


def _fit_boosting(est, kind: str, X, y, guard_: _Guarded) -> int | None:
    split = _inner_split(X, y, guard_)
    if kind == "lightgbm":
        import lightgbm as lgb

        callbacks = [_lightgbm_deadline]
        if split is None:
            est.fit(X, y, callbacks=callbacks)
            return None
        Xa, Xb, ya, yb = split
        est.fit(Xa, ya, **_lightgbm_eval(est, Xb, yb),
                callbacks=[lgb.early_stopping(guard_.patience, verbose=False), *callbacks])
        return int(est.best_iteration_ or est.n_estimators)
    est.set_params(callbacks=[_XGBoostDeadline()])
    try:
        if split is None:
            est.fit(X, y, verbose=False)
            return None
        Xa, Xb, ya, yb = split
        est.set_params(early_stopping_rounds=guard_.patience)
        est.fit(Xa, ya, eval_set=[(Xb, yb)], verbose=False)
        return int(getattr(est, "best_iteration", est.n_estimators))
    finally:
        est.set_params(callbacks=None)  # a fitted model carries no reference to the search


def _lightgbm_eval(est, X, y) -> dict:
    """The inner validation part, named as this LightGBM's ``fit`` wants it (4.7 renamed
    ``eval_set`` to ``eval_X`` / ``eval_y`` and warns on the old name)."""
    if "eval_X" in inspect.signature(type(est).fit).parameters:
        return {"eval_X": (X,), "eval_y": (y,)}
    return {"eval_set": [(X, y)]}


def _lightgbm_deadline(env) -> None:
    if _late():
        import lightgbm as lgb

        raise lgb.callback.EarlyStopException(env.iteration, env.evaluation_result_list or [])


class _XGBoostDeadline(xgb.callback.TrainingCallback):
    """An XGBoost training callback that stops boosting at the deadline."""

    def after_iteration(self, model, epoch, evals_log) -> bool:
        return _late()


def _fit_forest(est, X, y) -> None:
    """Grow the forest FOREST_CHUNK trees at a time so a deadline can stop it between chunks."""
    total = est.n_estimators
    if _deadline.get() is None or total <= FOREST_CHUNK:
        est.fit(X, y)
        return
    est.set_params(warm_start=True)
    for n in range(FOREST_CHUNK, total + FOREST_CHUNK, FOREST_CHUNK):
        est.set_params(n_estimators=min(n, total))
        est.fit(X, y)
        if _late():
            raise DeadlineReached("the forest ran past the time budget")
    est.set_params(warm_start=False)

"""Cross-validation for the search: folds fixed once per study, trials scored fold by fold.

Every trial sees the same folds, so running scores are comparable at each fold and the
pruner can stop a trial after any fold. A trial is only COMPLETE when every fold was
scored; one cut by the time budget is recorded as pruned with ``budget_cut`` set, so it
can never be chosen as the best.
"""

from __future__ import annotations

import math
import time
import warnings

import numpy as np
from sklearn.base import clone
from sklearn.model_selection import KFold, StratifiedKFold

from autopipe.exceptions import TrialPruned

Folds = list[tuple[np.ndarray, np.ndarray]]


def make_folds(y: np.ndarray, task: str, cv: int, seed: int) -> Folds:
    """Seeded K folds, stratified for classification."""
    splitter = (KFold if task == "regression" else StratifiedKFold)(n_splits=cv, shuffle=True, random_state=seed)
    dummy = np.zeros(len(y))
    return [(tr, va) for tr, va in splitter.split(dummy, y if task != "regression" else None)]


def cross_validate(trial, pipeline, X, y: np.ndarray, folds: Folds, metric, *, deadline: float | None = None,
                   on_fold_fitted=None) -> float:
    """Fit and score ``pipeline`` fold by fold, reporting the running mean after each fold.

    ``on_fold_fitted(fold_index, fitted, valid_rows)`` lets the caller record what a
    fitted fold learned (selected features, out-of-fold predictions) without this module
    knowing about it.
    """
    scores: list[float] = []
    started = time.monotonic()
    for i, (train, valid) in enumerate(folds):
        if deadline is not None and time.monotonic() >= deadline:
            trial.set_user_attr("budget_cut", True)
            _record(trial, scores, started)
            raise TrialPruned(f"time budget ran out after {i} of {len(folds)} folds")
        fitted = clone(pipeline)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fitted.fit(_rows(X, train), y[train])
            score = float(metric.score(fitted, _rows(X, valid), y[valid]))
        if not math.isfinite(score):
            raise ValueError(f"fold {i} produced a non-finite {metric.name} ({score})")
        scores.append(score)
        if on_fold_fitted is not None:
            on_fold_fitted(i, fitted, valid)
        trial.report(float(np.mean(scores)), i)
        if i + 1 < len(folds) and trial.should_prune():
            _record(trial, scores, started)
            raise TrialPruned(f"pruned after fold {i + 1} of {len(folds)}")
    _record(trial, scores, started)
    return float(np.mean(scores))


def _record(trial, scores: list[float], started: float) -> None:
    trial.set_user_attr("fold_scores", [round(s, 6) for s in scores])
    trial.set_user_attr("duration_s", round(time.monotonic() - started, 3))


def _rows(X, idx: np.ndarray):
    return X.iloc[idx] if hasattr(X, "iloc") else X[idx]

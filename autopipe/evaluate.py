"""Cross-validation for the search: folds fixed once per study, trials scored fold by fold.

Every trial sees the same folds, so running scores are comparable at each fold and the
pruner can stop a trial after any fold. A trial is only COMPLETE when every fold was
scored; one cut by the time budget is recorded as pruned with ``budget_cut`` set, so it
can never be chosen as the best.

Two savings keep folds cheap: the preprocessing step does not depend on the trial's
model hyperparameters, so each (preprocessing, fold) pair is fitted once and its output
reused (``FoldCache``); and a fold that would not finish before the deadline, judged by
this trial's earlier folds or by what the same family cost before, is not started.
"""

from __future__ import annotations

import math
import threading
import time
import warnings
from collections import OrderedDict, defaultdict
from dataclasses import dataclass, field

import joblib
import numpy as np
from sklearn.base import clone
from sklearn.model_selection import KFold, RepeatedKFold, RepeatedStratifiedKFold, StratifiedKFold
from sklearn.pipeline import Pipeline

from autopipe.exceptions import TrialPruned
from autopipe.metrics import predict_full_proba
from autopipe.space.models.guarded import DeadlineReached, fit_deadline

Folds = list[tuple[np.ndarray, np.ndarray]]


@dataclass(frozen=True)
class FittedFold:
    """What one fitted fold learned, handed to ``on_fold_fitted``: each fold is predicted
    once, and the same predictions serve the score and the out-of-fold store."""

    index: int
    valid: np.ndarray  # row positions of the validation part
    predictions: np.ndarray | None  # all-class probabilities or values on ``valid``; None if unavailable
    score: float
    named_steps: dict = field(default_factory=dict)  # the fitted steps, cached preprocessing included


def make_folds(y: np.ndarray, task: str, cv: int, seed: int, repeats: int = 1) -> Folds:
    """Seeded K folds, stratified for classification; with ``repeats`` > 1, K folds on each
    of that many reshuffles (fold i belongs to repeat i // K)."""
    if repeats > 1:
        splitter = (RepeatedKFold if task == "regression" else RepeatedStratifiedKFold)(
            n_splits=cv, n_repeats=repeats, random_state=seed)
    else:
        splitter = (KFold if task == "regression" else StratifiedKFold)(n_splits=cv, shuffle=True, random_state=seed)
    dummy = np.zeros(len(y))
    return [(tr, va) for tr, va in splitter.split(dummy, y if task != "regression" else None)]


SCREEN_MIN_ROWS = 20_000
SCREEN_SIZES = (2_000, 8_000)


def make_screens(folds: Folds, n_rows: int, seed: int) -> Folds:
    """Growing row samples of the first fold, to screen candidates before full CV on
    large tables (successive halving on rows). Their steps come before fold 0: -2, -1."""
    if n_rows < SCREEN_MIN_ROWS:
        return []
    rng = np.random.default_rng(seed)
    train, valid = folds[0]
    screens = []
    for size in SCREEN_SIZES:
        if size >= 0.5 * len(train):
            break
        screens.append((np.sort(rng.choice(train, size, replace=False)),
                        np.sort(rng.choice(valid, min(len(valid), max(1000, size // 2)), replace=False))))
    return screens


class FoldCache:
    """Fitted preprocessing outputs per (preprocessing configuration, fold), bounded in bytes."""

    def __init__(self, max_bytes: int = 1024**3) -> None:
        self.max_bytes = max_bytes
        self._items: OrderedDict[tuple, tuple] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0

    def transformed(self, preprocess, fold, X_train, X_valid, y_train):
        """The fold's preprocessing fitted on its training rows (with their target, which
        cross-fitted target encoders need), and both parts transformed."""
        key = (joblib.hash(preprocess), fold)
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                self.hits += 1
                return self._items[key]
        fitted = clone(preprocess)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            train = fitted.fit_transform(X_train, y_train)
            valid = fitted.transform(X_valid)
        with self._lock:
            self._items[key] = (fitted, train, valid)
            self._bytes += train.nbytes + valid.nbytes
            while self._bytes > self.max_bytes and len(self._items) > 1:
                _, (_, a, b) = self._items.popitem(last=False)
                self._bytes -= a.nbytes + b.nbytes
        return fitted, train, valid


class CostModel:
    """Seconds per fold observed for each model family in this run (to plan fold starts)."""

    def __init__(self) -> None:
        self._seconds: dict[str, list[float]] = defaultdict(list)
        self._lock = threading.Lock()

    def observe(self, family: str, seconds: float) -> None:
        with self._lock:
            self._seconds[family].append(seconds)

    def estimate(self, family: str) -> float | None:
        with self._lock:
            seen = self._seconds.get(family)
            return float(np.median(seen)) if seen else None


def cross_validate(trial, pipeline, X, y: np.ndarray, folds: Folds, metric, *, deadline: float | None = None,
                   on_fold_fitted=None, cache: FoldCache | None = None, costs: CostModel | None = None,
                   family: str | None = None, screens: Folds = ()) -> float:
    """Fit and score ``pipeline`` fold by fold, reporting the running mean after each fold.

    ``on_fold_fitted(FittedFold)`` lets the caller record what a fitted fold learned
    (selected features, out-of-fold predictions) without this module knowing about it.
    """
    scores: list[float] = []
    started = time.monotonic()
    fold_seconds: list[float] = []
    first_fold_guess = _screen(trial, pipeline, X, y, screens, len(folds[0][0]), metric, deadline, cache, started)
    for i, (train, valid) in enumerate(folds):
        expected = float(np.mean(fold_seconds)) if fold_seconds else (
            first_fold_guess if first_fold_guess is not None else
            costs.estimate(family) if costs is not None and family is not None else None)
        if deadline is not None and _would_overrun(deadline, expected):
            _cut(trial, scores, started, f"time budget ran out before fold {i + 1} of {len(folds)}")
        t0 = time.monotonic()
        try:
            with fit_deadline(deadline):
                fold = _fit_and_score(pipeline, X, y, train, valid, i, metric, cache)
        except DeadlineReached:
            _cut(trial, scores, started, f"fold {i + 1} of {len(folds)} was stopped at the time budget")
        fold_seconds.append(time.monotonic() - t0)
        if costs is not None and family is not None:
            costs.observe(family, fold_seconds[-1])
        if not math.isfinite(fold.score):
            raise ValueError(f"fold {i} produced a non-finite {metric.name} ({fold.score})")
        scores.append(fold.score)
        if on_fold_fitted is not None:
            on_fold_fitted(fold)
        trial.report(float(np.mean(scores)), i)
        if i + 1 < len(folds) and trial.should_prune():
            _record(trial, scores, started)
            raise TrialPruned(f"pruned after fold {i + 1} of {len(folds)}")
    _record(trial, scores, started)
    return float(np.mean(scores))


def _screen(trial, pipeline, X, y, screens: Folds, fold_rows: int, metric, deadline, cache, started) -> float | None:
    """Score the candidate on growing row samples; stop it there when the pruner says so.

    Returns the expected seconds of one full fold, extrapolated from the last screen.
    """
    guess = None
    for j, (train, valid) in enumerate(screens):
        step = j - len(screens)
        if deadline is not None and _would_overrun(deadline, guess):
            _cut(trial, [], started, f"time budget ran out during row screen {j + 1}")
        t0 = time.monotonic()
        try:
            with fit_deadline(deadline):
                score = _fit_and_score(pipeline, X, y, train, valid, f"screen{j}", metric, cache).score
        except DeadlineReached:
            _cut(trial, [], started, f"row screen {j + 1} was stopped at the time budget")
        guess = (time.monotonic() - t0) * fold_rows / len(train)
        if not math.isfinite(score):
            raise ValueError(f"row screen {j + 1} produced a non-finite {metric.name} ({score})")
        trial.report(score, step)
        if trial.should_prune():
            trial.set_user_attr("screened_out", True)
            _record(trial, [], started)
            raise TrialPruned(f"screened out on a sample of {len(train)} rows")
    return guess


def _fit_and_score(pipeline, X, y, train, valid, fold, metric, cache: FoldCache | None) -> FittedFold:
    """One fold: fit (preprocessing from the cache when there is one), predict the
    validation rows once, and score those predictions."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if cache is None or "preprocess" not in getattr(pipeline, "named_steps", {}):
            fitted = clone(pipeline).fit(_rows(X, train), y[train])
            X_valid, steps = _rows(X, valid), dict(getattr(fitted, "named_steps", {}))
        else:
            pre, Xt_train, X_valid = cache.transformed(pipeline.named_steps["preprocess"], fold,
                                                       _rows(X, train), _rows(X, valid), y[train])
            fitted = Pipeline([(name, step if isinstance(step, str) else clone(step))
                               for name, step in pipeline.steps if name != "preprocess"])
            fitted.fit(Xt_train, y[train])
            steps = {"preprocess": pre, **fitted.named_steps}
        predictions = _predict(fitted, X_valid, metric)
    if predictions is None:  # a classifier without probabilities: the metric asks it directly
        score = float(metric.score(fitted, X_valid, y[valid]))
    elif metric.task == "regression":
        score = float(metric.score_predictions(y[valid], y_pred=predictions))
    else:
        score = float(metric.score_predictions(y[valid], proba=predictions))
    return FittedFold(index=fold if isinstance(fold, int) else -1, valid=valid, predictions=predictions,
                      score=score, named_steps=steps)


def _predict(model, X, metric) -> np.ndarray | None:
    """Values (regression) or probabilities over all classes of the task (classification)."""
    if metric.task == "regression":
        return np.asarray(model.predict(X), dtype=float)
    if not hasattr(model, "predict_proba"):
        return None
    return predict_full_proba(model, X, metric.n_classes)


def _would_overrun(deadline: float, expected: float | None) -> bool:
    now = time.monotonic()
    if now >= deadline:
        return True
    return expected is not None and now + expected > deadline


def _cut(trial, scores: list[float], started: float, reason: str) -> None:
    trial.set_user_attr("budget_cut", True)
    _record(trial, scores, started)
    raise TrialPruned(reason)


def _record(trial, scores: list[float], started: float) -> None:
    trial.set_user_attr("fold_scores", [round(s, 6) for s in scores])
    trial.set_user_attr("duration_s", round(time.monotonic() - started, 3))


def _rows(X, idx: np.ndarray):
    return X.iloc[idx] if hasattr(X, "iloc") else X[idx]

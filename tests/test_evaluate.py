"""Fold-by-fold evaluation: fixed folds, running reports, pruning, budget cuts."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression

from autopipe.evaluate import cross_validate, make_folds
from autopipe.exceptions import TrialPruned
from autopipe.metrics import resolve_metric
from autopipe.search import create_study


def _data(n=120, seed=0):
    rng = np.random.default_rng(seed)
    X = pd.DataFrame({"a": rng.normal(size=n), "b": rng.normal(size=n)})
    y = (X["a"] + 0.3 * rng.normal(size=n) > 0).astype(int).to_numpy()
    return X, y


def test_folds_are_stratified_seeded_and_cover_every_row():
    y = np.array([0] * 80 + [1] * 20)
    folds = make_folds(y, "binary", 5, seed=3)
    assert len(folds) == 5
    valid = np.concatenate([va for _, va in folds])
    assert sorted(valid) == list(range(100))
    assert all(y[va].sum() == 4 for _, va in folds)
    again = make_folds(y, "binary", 5, seed=3)
    assert all((a[1] == b[1]).all() for a, b in zip(folds, again))
    other = make_folds(y, "binary", 5, seed=4)
    assert any((a[1] != b[1]).any() for a, b in zip(folds, other))


def test_each_fold_is_reported_and_recorded():
    X, y = _data()
    study = create_study(direction="maximize")
    trial = study.ask()
    metric = resolve_metric("roc_auc", "binary", 2)
    value = cross_validate(trial, LogisticRegression(), X, y, make_folds(y, "binary", 4, 0), metric)
    scores = trial.user_attrs["fold_scores"]
    assert len(scores) == 4 and value == pytest.approx(np.mean(scores), abs=1e-5)
    assert sorted(trial.intermediate_values) == [0, 1, 2, 3]
    assert trial.intermediate_values[1] == pytest.approx(np.mean(scores[:2]), abs=1e-5)


def test_a_weak_trial_is_pruned_against_strong_ones():
    from autopipe.search import MedianPruner, TrialState

    X, y = _data()
    folds = make_folds(y, "binary", 5, 0)
    metric = resolve_metric("roc_auc", "binary", 2)
    study = create_study(direction="maximize", pruner=MedianPruner(n_startup_trials=3, n_warmup_steps=0))
    for _ in range(3):
        t = study.ask()
        study.tell(t, cross_validate(t, LogisticRegression(), X, y, folds, metric))
    weak = study.ask()
    with pytest.raises(TrialPruned):
        cross_validate(weak, DummyClassifier(strategy="prior"), X, y, folds, metric)
    study.tell(weak, TrialState.PRUNED)
    assert len(weak.user_attrs["fold_scores"]) == 1
    assert study.best_trial.number != weak.number


def test_a_trial_cut_by_the_deadline_is_marked():
    X, y = _data()
    study = create_study(direction="maximize")
    trial = study.ask()
    metric = resolve_metric("roc_auc", "binary", 2)
    with pytest.raises(TrialPruned):
        cross_validate(trial, LogisticRegression(), X, y, make_folds(y, "binary", 5, 0), metric,
                       deadline=time.monotonic() - 1)
    assert trial.user_attrs["budget_cut"] is True
    assert trial.user_attrs["fold_scores"] == []


def test_large_tables_get_growing_row_screens_before_the_folds():
    from autopipe.evaluate import make_screens

    y = np.arange(30_000) % 2
    folds = make_folds(y, "binary", 5, 0)
    screens = make_screens(folds, len(y), seed=0)
    assert [len(tr) for tr, _ in screens] == [2_000, 8_000]
    assert all(set(tr) <= set(folds[0][0]) and set(va) <= set(folds[0][1]) for tr, va in screens)
    assert make_screens(make_folds(y[:5000], "binary", 5, 0), 5000, seed=0) == []


def test_screens_are_reported_at_negative_steps():
    X, y = _data(n=400)
    study = create_study(direction="maximize")
    trial = study.ask()
    metric = resolve_metric("roc_auc", "binary", 2)
    folds = make_folds(y, "binary", 3, 0)
    screens = [(folds[0][0][:100], folds[0][1][:50]), (folds[0][0][:200], folds[0][1][:80])]
    cross_validate(trial, LogisticRegression(), X, y, folds, metric, screens=screens)
    assert sorted(trial.intermediate_values) == [-2, -1, 0, 1, 2]
    assert len(trial.user_attrs["fold_scores"]) == 3


class _CountingLogistic(LogisticRegression):
    """Counts predict_proba calls across clones (a class attribute, reset by the test)."""

    calls = 0

    def predict_proba(self, X):
        type(self).calls += 1
        return super().predict_proba(X)


def test_each_fold_is_predicted_once_for_score_and_out_of_fold_store():
    X, y = _data()
    folds = make_folds(y, "binary", 4, 0)
    metric = resolve_metric("roc_auc", "binary", 2)
    seen = []
    _CountingLogistic.calls = 0
    trial = create_study(direction="maximize").ask()
    cross_validate(trial, _CountingLogistic(), X, y, folds, metric, on_fold_fitted=seen.append)
    assert _CountingLogistic.calls == len(folds)
    assert [f.index for f in seen] == [0, 1, 2, 3]
    for fold, (train, valid) in zip(seen, folds):
        expected = LogisticRegression().fit(X.iloc[train], y[train]).predict_proba(X.iloc[valid])
        np.testing.assert_allclose(fold.predictions, expected, rtol=1e-6)
        assert fold.score == pytest.approx(metric.score_predictions(y[valid], proba=expected))
    assert trial.user_attrs["fold_scores"] == pytest.approx([f.score for f in seen], abs=1e-6)


def test_repeated_folds_cover_every_row_once_per_repeat_on_different_shuffles():
    y = np.array([0] * 60 + [1] * 30)
    folds = make_folds(y, "binary", 3, seed=1, repeats=2)
    assert len(folds) == 6
    first, second = folds[:3], folds[3:]
    for repeat in (first, second):
        assert sorted(np.concatenate([va for _, va in repeat])) == list(range(90))
        assert all(y[va].sum() == 10 for _, va in repeat)  # still stratified
    assert any(not np.array_equal(a[1], b[1]) for a, b in zip(first, second))

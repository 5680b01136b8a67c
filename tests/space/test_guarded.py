"""Deadline-aware fitting and early stopping on an inner split of the training rows."""

from __future__ import annotations

import time

import numpy as np
import pytest
from lightgbm import LGBMClassifier, LGBMRegressor
from sklearn.ensemble import RandomForestClassifier
from xgboost import XGBClassifier

from autopipe.space.models.guarded import DeadlineReached, GuardedClassifier, fit_deadline, guard


def _easy(n=1500, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 5))
    return X, (X[:, 0] > 0).astype(int)


@pytest.mark.parametrize("model", [LGBMClassifier(n_estimators=2000, learning_rate=0.3, verbose=-1, n_jobs=1),
                                   XGBClassifier(n_estimators=2000, learning_rate=0.3, n_jobs=1, verbosity=0)])
def test_boosting_stops_early_on_an_inner_split(model):
    X, y = _easy()
    fitted = guard(model).fit(X, y)
    assert isinstance(fitted, GuardedClassifier)
    assert 1 <= fitted.best_iteration_ < 2000
    assert (fitted.predict(X) == y).mean() > 0.95
    assert fitted.predict_proba(X).shape == (len(X), 2)


def test_small_tables_train_without_an_inner_split():
    X, y = _easy(n=100)
    fitted = guard(LGBMRegressor(n_estimators=30, verbose=-1, n_jobs=1)).fit(X, y.astype(float))
    assert fitted.best_iteration_ is None
    assert fitted.estimator_.n_estimators == 30


@pytest.mark.parametrize("model", [LGBMClassifier(n_estimators=100000, learning_rate=0.001, verbose=-1, n_jobs=1),
                                   RandomForestClassifier(n_estimators=5000, n_jobs=1)])
def test_a_fit_past_the_deadline_is_stopped(model):
    X, y = _easy(n=3000)
    started = time.monotonic()
    with pytest.raises(DeadlineReached):
        with fit_deadline(time.monotonic() + 0.5):
            guard(model).fit(X, y)
    assert time.monotonic() - started < 10


def test_no_deadline_outside_the_search():
    X, y = _easy(n=400)
    fitted = guard(RandomForestClassifier(n_estimators=40, n_jobs=1, random_state=0)).fit(X, y)
    assert len(fitted.estimator_.estimators_) == 40

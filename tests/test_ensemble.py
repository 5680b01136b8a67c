"""Greedy ensemble selection over out-of-fold predictions."""

from __future__ import annotations

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.tree import DecisionTreeClassifier

import autopipe
from autopipe.ensemble import WeightedEnsembleClassifier, blended_score, cross_validated_gain, greedy_selection
from autopipe.metrics import resolve_metric


def test_greedy_selection_blends_complementary_predictions():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 400)
    truth = np.column_stack([1 - y, y]).astype(float)
    noisy = {k: np.clip(0.6 * truth + 0.4 * rng.random((400, 2)), 1e-3, None) for k in range(3)}
    noisy = {k: p / p.sum(axis=1, keepdims=True) for k, p in noisy.items()}
    metric = resolve_metric("log_loss", "binary", 2)
    counts = greedy_selection(noisy, y, metric)
    assert len(counts) >= 2 and sum(counts.values()) <= 25  # stops early once no addition helps
    best_single = min(blended_score(noisy, {k: 1}, y, metric) for k in noisy)
    assert blended_score(noisy, counts, y, metric) < best_single


def test_greedy_selection_caps_the_number_of_members():
    rng = np.random.default_rng(1)
    y = rng.normal(size=200)
    preds = {k: y + rng.normal(size=200) for k in range(10)}
    counts = greedy_selection(preds, y, resolve_metric("rmse", "regression"), max_members=3)
    assert len(counts) <= 3


def test_a_blend_of_copies_plus_noise_wins_in_sample_but_not_on_held_out_folds():
    rng = np.random.default_rng(0)
    y = rng.normal(size=60)
    best = y + rng.normal(scale=0.5, size=60)
    preds = {0: best, **{k: best + rng.normal(scale=0.5, size=60) for k in range(1, 30)}}  # no new information
    folds = np.array_split(rng.permutation(60), 5)
    metric = resolve_metric("rmse", "regression")
    counts = greedy_selection(preds, y, metric)
    assert blended_score(preds, counts, y, metric) < blended_score(preds, {0: 1}, y, metric)  # chance, in sample
    assert cross_validated_gain(preds, y, metric, folds) < 0


def test_a_blend_of_independent_errors_wins_on_held_out_folds():
    rng = np.random.default_rng(1)
    y = rng.normal(size=200)
    preds = {k: y + rng.normal(scale=0.5, size=200) for k in range(3)}  # averaging shrinks the error
    folds = np.array_split(rng.permutation(200), 5)
    assert cross_validated_gain(preds, y, resolve_metric("rmse", "regression"), folds) > 0.05


def test_weighted_ensemble_averages_probabilities():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(200, 3))
    y = (X[:, 0] > 0).astype(int)
    members = [LogisticRegression(), DecisionTreeClassifier(max_depth=2, random_state=0)]
    model = WeightedEnsembleClassifier(members, [3.0, 1.0]).fit(X, y)
    expected = 0.75 * members[0].fit(X, y).predict_proba(X) + 0.25 * members[1].fit(X, y).predict_proba(X)
    np.testing.assert_allclose(model.predict_proba(X), expected)
    assert set(model.predict(X)) <= {0, 1}


def test_fit_uses_an_ensemble_only_when_it_beats_the_best_trial(penguins):
    model = autopipe.fit(penguins, target="species", n_trials=10, seed=0)
    used = model.settings_["ensemble_used"]
    if used is None:
        assert model.final_model_ is model.best_pipeline_
    else:
        assert used["oof_score"] < used["best_single_oof_score"]
        assert used["cross_validated_gain"] > 0
        assert len(used["members"]) >= 2
    proba = model.predict_proba(penguins.drop(columns="species"))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)


def test_ensemble_is_skipped_when_its_refits_would_break_the_time_budget(penguins, monkeypatch):
    from autopipe import runner

    without_budget = autopipe.fit(penguins, target="species", n_trials=10, seed=0, cv_repeats=1)
    assert without_budget.settings_["ensemble_used"] is not None  # this search does blend
    # the same search, but the budget leaves no time after the refit (negative slack)
    monkeypatch.setattr(runner, "ENSEMBLE_SLACK", -1.0)
    tight = autopipe.fit(penguins, target="species", n_trials=10, seed=0, time_budget=600, cv_repeats=1)
    assert tight.settings_["ensemble_used"] is None
    assert tight.final_model_ is tight.best_pipeline_
    timings = tight.settings_["timings"]
    assert set(timings) == {"search_s", "refit_s", "ensemble_s"}
    assert 0 < timings["search_s"] <= tight.fit_time_


def test_a_member_already_fitted_is_reused_not_refitted():
    from sklearn.linear_model import LinearRegression

    from autopipe.ensemble import WeightedEnsembleRegressor

    X = np.arange(20, dtype=float).reshape(-1, 1)
    y = 2 * X[:, 0]
    fitted = LinearRegression().fit(X, y)
    model = WeightedEnsembleRegressor([LinearRegression(), LinearRegression()], [1.0, 1.0])
    model.fit_reusing(X, y, {1: fitted})
    assert model.estimators_[1] is fitted
    assert model.estimators_[0] is not fitted
    np.testing.assert_allclose(model.predict(X), y)


def test_selection_gives_up_once_its_deadline_has_passed():
    import time

    rng = np.random.default_rng(3)
    y = rng.normal(size=100)
    preds = {k: y + rng.normal(scale=0.5, size=100) for k in range(3)}
    metric = resolve_metric("rmse", "regression")
    assert greedy_selection(preds, y, metric, deadline=time.monotonic() - 1) is None
    assert cross_validated_gain(preds, y, metric, np.array_split(np.arange(100), 5),
                                deadline=time.monotonic() - 1) is None
    assert greedy_selection(preds, y, metric, deadline=time.monotonic() + 60)


def test_large_tables_pick_the_blend_on_a_fixed_sample_of_rows():
    from autopipe.runner import SELECTION_ROWS, _selection_rows

    assert _selection_rows(np.zeros(SELECTION_ROWS), "regression", seed=0) is None
    y = (np.arange(3 * SELECTION_ROWS) % 100 == 0).astype(int)  # 1 % positives
    rows = _selection_rows(y, "binary", seed=0)
    assert len(rows) == SELECTION_ROWS == len(set(rows.tolist())) and rows.max() < len(y)
    assert y[rows].sum() == SELECTION_ROWS // 100  # stratified: the rare class keeps its share
    np.testing.assert_array_equal(rows, _selection_rows(y, "binary", seed=0))


def test_a_fold_where_the_metric_is_undefined_gives_no_verdict():
    y = np.r_[np.zeros(40, int), np.ones(10, int)]
    folds = [np.arange(0, 20), np.arange(20, 40), np.arange(40, 50)]  # two folds hold one class only
    rng = np.random.default_rng(4)
    preds = {k: np.column_stack([1 - p, p]) for k, p in
             ((k, np.clip(0.6 * y + 0.4 * rng.random(50), 0.01, 0.99)) for k in range(3))}
    gain = cross_validated_gain(preds, y, resolve_metric("roc_auc", "binary", 2), folds)
    assert np.isfinite(gain)

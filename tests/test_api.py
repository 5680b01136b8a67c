"""The public API: one-call fit, the sklearn estimators, and what they guarantee."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.metrics import roc_auc_score

import autopipe
from autopipe import AutoClassifier, AutoRegressor
from autopipe.exceptions import DataError, ParameterError
from autopipe.search import FixedTrial, TrialState
from autopipe.space import suggest_pipeline


@pytest.fixture(scope="module")
def bc_model(breast_cancer):
    return autopipe.fit(breast_cancer, target="target", n_trials=8, time_budget=60, seed=0)


def test_fit_returns_a_fitted_classifier_that_ranks_well(bc_model, breast_cancer):
    X = breast_cancer.drop(columns="target")
    proba = bc_model.predict_proba(X)
    assert isinstance(bc_model, AutoClassifier)
    assert list(bc_model.classes_) == [0, 1]
    assert proba.shape == (len(X), 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert roc_auc_score(breast_cancer["target"], proba[:, 1]) > 0.95
    assert bc_model.metric_.name == "roc_auc"


def test_best_trial_is_complete_and_is_what_was_refit(bc_model):
    best = bc_model.study_.best_trial
    assert best.state == TrialState.COMPLETE
    assert len(best.user_attrs["fold_scores"]) == 5
    assert bc_model.cv_score_ == pytest.approx(np.mean(best.user_attrs["fold_scores"]), abs=1e-5)
    rebuilt = suggest_pipeline(FixedTrial(best.params), bc_model.schema_, random_state=0)
    assert type(rebuilt.named_steps["model"]) is type(bc_model.best_pipeline_.named_steps["model"])


def test_no_pruned_trial_beats_the_chosen_one_by_being_chosen(bc_model):
    pruned = bc_model.study_.get_trials((TrialState.PRUNED,))
    assert all(t.number != bc_model.study_.best_trial.number for t in pruned)


def test_string_labels_come_back_as_strings(penguins):
    model = autopipe.fit(penguins, target="species", n_trials=3, time_budget=60, seed=1)
    X = penguins.drop(columns="species")
    pred = model.predict(X)
    assert set(pred) <= {"Adelie", "Chinstrap", "Gentoo"}
    assert list(model.classes_) == ["Adelie", "Chinstrap", "Gentoo"]
    assert (pred == penguins["species"]).mean() > 0.9
    assert model.metric_.name == "log_loss"
    # predict_proba columns follow classes_
    proba = model.predict_proba(X)
    assert (model.classes_[proba.argmax(axis=1)] == pred).all()


def test_regressor_on_diabetes(diabetes):
    model = autopipe.fit(diabetes, target="target", n_trials=4, time_budget=60, seed=0)
    assert isinstance(model, AutoRegressor)
    assert model.metric_.name == "rmse" and model.metric_.direction == "minimize"
    pred = model.predict(diabetes.drop(columns="target"))
    assert pred.shape == (len(diabetes),)
    assert np.corrcoef(pred, diabetes["target"])[0, 1] > 0.5


def test_scoring_accepts_sklearn_names(breast_cancer):
    clf = AutoClassifier(n_trials=2, scoring="neg_log_loss", random_state=0)
    clf.fit(breast_cancer.drop(columns="target"), breast_cancer["target"])
    assert clf.metric_.name == "log_loss" and clf.cv_score_ > 0


@pytest.mark.parametrize("params, fragment", [
    ({"cv": 1}, "'cv' parameter of AutoClassifier must be an int >= 2. Got 1"),
    ({"time_budget": -3}, "'time_budget'"),
    ({"n_trials": 0}, "'n_trials'"),
    ({"time_budget": None, "n_trials": None}, "needs a 'time_budget' or 'n_trials'"),
    ({"scoring": "not_a_metric"}, "not_a_metric"),
    ({"cv_repeats": 0}, "'cv_repeats' parameter of AutoClassifier must be 'auto' or an int >= 1. Got 0"),
])
def test_bad_parameters_are_named(params, fragment, breast_cancer):
    with pytest.raises(ParameterError, match=fragment.replace("(", r"\(").replace("'", "'")):
        AutoClassifier(**params).fit(breast_cancer.drop(columns="target"), breast_cancer["target"])


def test_repeated_folds_score_every_trial_on_each_draw(breast_cancer):
    clf = AutoClassifier(n_trials=2, cv=3, cv_repeats=2, random_state=0, ensemble=False)
    clf.fit(breast_cancer.drop(columns="target"), breast_cancer["target"])
    best = clf.study_.best_trial
    assert len(best.user_attrs["fold_scores"]) == 6
    assert clf.study_.user_attrs["cv_repeats"] == 2


def test_missing_target_rows_are_dropped_with_a_warning(breast_cancer):
    df = breast_cancer.copy()
    df["target"] = df["target"].astype("float")
    df.loc[:9, "target"] = np.nan
    with pytest.warns(UserWarning, match="Dropped 10 rows"):
        model = autopipe.fit(df, target="target", n_trials=1, seed=0, task="binary")
    assert model.settings_["n_dropped_target_rows"] == 10
    assert list(model.classes_) == [0.0, 1.0]


def test_unknown_target_column_is_a_parameter_error(breast_cancer):
    with pytest.raises(ParameterError, match="'nope' is not in the table"):
        autopipe.fit(breast_cancer, target="nope")


def test_predict_matches_columns_by_name(bc_model, breast_cancer):
    X = breast_cancer.drop(columns="target")
    shuffled = X[list(reversed(X.columns))]
    np.testing.assert_array_equal(bc_model.predict_proba(shuffled), bc_model.predict_proba(X))


def test_predict_names_missing_columns(bc_model, breast_cancer):
    X = breast_cancer.drop(columns=["target", "mean radius"])
    with pytest.raises(DataError, match="mean radius"):
        bc_model.predict(X)


def test_clone_keeps_parameters():
    clf = AutoClassifier(time_budget=12, n_trials=3, scoring="accuracy", cv=3, random_state=7)
    assert clone(clf).get_params() == clf.get_params()


def test_numpy_input_works_and_has_no_feature_names(breast_cancer):
    X = breast_cancer.drop(columns="target").to_numpy()
    reg = AutoRegressor(n_trials=2, random_state=0).fit(X, breast_cancer["target"].to_numpy(float))
    assert reg.n_features_in_ == X.shape[1]
    assert not hasattr(reg, "feature_names_in_")
    assert reg.predict(X[:5]).shape == (5,)
    with pytest.raises(ValueError, match="features"):
        reg.predict(X[:, :3])


def test_a_row_prediction_does_not_depend_on_the_batch(bc_model, breast_cancer):
    X = breast_cancer.drop(columns="target")
    alone = np.vstack([bc_model.predict_proba(X.iloc[[i]]) for i in range(5)])
    np.testing.assert_allclose(alone, bc_model.predict_proba(X.iloc[:5]))


def test_fit_rejects_non_dataframes():
    with pytest.raises(ParameterError, match="pandas DataFrame"):
        autopipe.fit(np.zeros((3, 2)), target="y")


def test_seeded_runs_repeat(breast_cancer):
    X, y = breast_cancer.drop(columns="target"), breast_cancer["target"]
    a = AutoClassifier(n_trials=9, time_budget=None, random_state=3).fit(X, y)
    b = AutoClassifier(n_trials=9, time_budget=None, random_state=3).fit(X, y)
    assert [t.params for t in a.study_.trials] == [t.params for t in b.study_.trials]



def test_refit_false_runs_trials_only(penguins):
    from sklearn.exceptions import NotFittedError

    model = autopipe.fit(penguins, target="species", time_budget=None, n_trials=3, seed=0, refit=False)
    assert sum(t.state.is_finished() for t in model.study_.trials) == 3  # the other defaults wait in the queue
    assert model.cv_score_ == model.study_.best_value
    assert not hasattr(model, "best_pipeline_")
    with pytest.raises(NotFittedError):
        model.predict(penguins.drop(columns="species"))

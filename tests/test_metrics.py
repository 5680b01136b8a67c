import numpy as np
import pytest
from sklearn import metrics as skm
from sklearn.datasets import load_iris, make_classification, make_regression
from sklearn.linear_model import LogisticRegression, Ridge

from autopipe.exceptions import ParameterError
from autopipe.metrics import resolve_metric, valid_names


@pytest.fixture(scope="module")
def iris_model():
    X, y = load_iris(return_X_y=True)
    return LogisticRegression(max_iter=1000).fit(X, y), X, y


def test_defaults():
    assert resolve_metric(None, "binary").name == "roc_auc"
    m = resolve_metric(None, "multiclass", 3)
    assert (m.name, m.direction, m.labels) == ("log_loss", "minimize", [0, 1, 2])
    m = resolve_metric(None, "regression")
    assert (m.name, m.direction) == ("rmse", "minimize")


def test_neg_log_loss_matches_sklearn(iris_model):
    model, X, y = iris_model
    m = resolve_metric("neg_log_loss", "multiclass", 3)
    assert (m.name, m.direction) == ("log_loss", "minimize")
    assert m.score(model, X, y) == pytest.approx(skm.log_loss(y, model.predict_proba(X)))


def test_fold_missing_a_class(iris_model):
    model, X, y = iris_model
    keep = y != 2
    proba = model.predict_proba(X[keep])
    ll = resolve_metric("log_loss", "multiclass", 3).score(model, X[keep], y[keep])
    assert ll == pytest.approx(skm.log_loss(y[keep], proba, labels=[0, 1, 2]))
    auc = resolve_metric("roc_auc", "multiclass", 3).score(model, X[keep], y[keep])
    expected = np.mean([skm.roc_auc_score(y[keep] == c, proba[:, c]) for c in (0, 1)])
    assert auc == pytest.approx(expected)


def test_multiclass_roc_auc_is_ovr_macro(iris_model):
    model, X, y = iris_model
    auc = resolve_metric("roc_auc", "multiclass", 3).score(model, X, y)
    assert auc == pytest.approx(skm.roc_auc_score(y, model.predict_proba(X), multi_class="ovr"))


def test_binary_and_score_predictions():
    X, y = make_classification(n_samples=200, random_state=0)
    model = LogisticRegression().fit(X, y)
    proba = model.predict_proba(X)
    m = resolve_metric("roc_auc", "binary", 2)
    assert m.direction == "maximize"
    assert m.score(model, X, y) == pytest.approx(skm.roc_auc_score(y, proba[:, 1]))
    assert m.score_predictions(y, proba=proba) == pytest.approx(m.score(model, X, y))
    acc = resolve_metric("accuracy", "binary", 2)
    assert acc.score_predictions(y, proba=proba) == pytest.approx(
        skm.accuracy_score(y, model.predict(X)))
    f1 = resolve_metric("f1", "binary", 2)
    assert f1.score(model, X, y) == pytest.approx(skm.f1_score(y, model.predict(X)))
    assert m.is_better(0.9, 0.8) and not resolve_metric("log_loss", "binary").is_better(0.9, 0.8)


@pytest.mark.parametrize(
    "name, short, func",
    [
        ("neg_root_mean_squared_error", "rmse", lambda a, b: np.sqrt(skm.mean_squared_error(a, b))),
        ("rmse", "rmse", lambda a, b: np.sqrt(skm.mean_squared_error(a, b))),
        ("neg_mean_absolute_error", "mae", skm.mean_absolute_error),
        ("mse", "mse", skm.mean_squared_error),
        ("r2", "r2", skm.r2_score),
        ("neg_median_absolute_error", "median_absolute_error", skm.median_absolute_error),
    ],
)
def test_regression_names(name, short, func):
    X, y = make_regression(n_samples=100, noise=10, random_state=0)
    model = Ridge().fit(X, y)
    m = resolve_metric(name, "regression")
    assert m.name == short
    assert m.direction == ("maximize" if short == "r2" else "minimize")
    assert m.score(model, X, y) == pytest.approx(func(y, model.predict(X)))


@pytest.mark.parametrize(
    "name, task",
    [("roc_auc", "regression"), ("rmse", "binary"), ("f1", "multiclass"), ("bogus", "binary"),
     ("neg_log_loss", "regression"), ("f1_samples", "binary")],
)
def test_bad_names(name, task):
    with pytest.raises(ParameterError, match="Choose one of"):
        resolve_metric(name, task, None if task == "regression" else 3)


def test_valid_names():
    assert "f1_macro" in valid_names("multiclass") and "f1" not in valid_names("multiclass")
    assert "rmse" in valid_names("regression") and "accuracy" not in valid_names("regression")


def test_bad_task():
    with pytest.raises(ParameterError, match="task"):
        resolve_metric(None, "ranking")

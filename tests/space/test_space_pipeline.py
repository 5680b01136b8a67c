import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from threadpoolctl import threadpool_limits

from autopipe.schema import infer_schema
from autopipe.search import FixedTrial, RandomSampler, create_study
from autopipe.space import (
    FAMILIES,
    available_families,
    default_configs,
    selected_features,
    suggest_pipeline,
)
from autopipe.space.models import MODULES

DATA = "/work/shared/datasets"
DATASETS = {
    "penguins": "species",
    "breast_cancer": "target",
    "credit_g": "credit_risk",
    "diabetes": "target",
    "car_evaluation": "class",
}


@pytest.fixture(autouse=True)
def one_thread():
    """HistGradientBoosting uses every core through OpenMP; on a busy machine that is slow."""
    with threadpool_limits(1):
        yield


def load(name, n=150):
    target = DATASETS[name]
    df = pd.read_csv(f"{DATA}/{name}.csv").sample(frac=1, random_state=0)
    df = df[df[target].notna()].head(n).reset_index(drop=True)
    X, y = df.drop(columns=target), df[target]
    schema = infer_schema(X, y)
    if schema.task != "regression":
        y = pd.Series(pd.Categorical(y, categories=list(schema.classes)).codes)
    return X, y.to_numpy(), schema


@pytest.fixture(scope="module", params=list(DATASETS))
def dataset(request):
    return load(request.param)


def _config(schema, family):
    return next(c for c in default_configs(schema) if c["family"] == family)


@pytest.mark.parametrize("family", FAMILIES)
def test_every_family_fits(dataset, family):
    X, y, schema = dataset
    params = _config(schema, family)
    pipe = suggest_pipeline(FixedTrial(params), schema)
    assert [name for name, _ in pipe.steps] == ["preprocess", "select", "model"]
    pipe.fit(X, y)
    if schema.task == "regression":
        pred = pipe.predict(X)
        assert pred.shape == (len(X),) and np.isfinite(pred).all()
    else:
        proba = pipe.predict_proba(X)
        assert proba.shape == (len(X), len(schema.classes))
        np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
        assert (pipe.predict(X) == y).mean() > 0.6  # learned something on training rows
    assert selected_features(pipe, schema) == schema.features


@pytest.mark.parametrize("selection", [
    {"selection": "univariate", "selection.fraction": 0.2},
    {"selection": "model", "selection.threshold": 1.2},
])
def test_selection_keeps_subset(selection):
    X, y, schema = load("credit_g", n=200)
    params = {**_config(schema, "lightgbm"), **selection}
    pipe = suggest_pipeline(FixedTrial(params), schema).fit(X, y)
    kept = selected_features(pipe, schema)
    assert 0 < len(kept) < len(schema.features)
    assert set(kept) <= set(schema.features)
    assert kept == [f for f in schema.features if f in kept]  # table order


def test_random_trials_fit_and_use_documented_names():
    X, y, schema = load("penguins", n=120)
    study = create_study(direction="minimize", sampler=RandomSampler(seed=0))
    families = set()
    for _ in range(12):
        trial = study.ask()
        pipe = suggest_pipeline(trial, schema).fit(X, y)
        assert pipe.predict_proba(X).shape == (len(X), 3)
        family = trial.params["family"]
        families.add(family)
        for name in trial.params:
            assert name in ("family", "selection") or name.split(".")[0] in (family, "selection")
    assert len(families) >= 4


def test_knn_only_for_small_tables():
    assert "knn" in available_families("binary", 5000)
    assert "knn" not in available_families("binary", 5001)
    assert set(available_families("regression", 100)) == set(FAMILIES)


def test_default_configs_are_complete_and_replayable():
    X, y, schema = load("diabetes", n=30)
    configs = default_configs(schema)
    assert {c["family"] for c in configs} == set(FAMILIES)
    for config in configs:
        trial = FixedTrial(config)
        suggest_pipeline(trial, schema)
        assert trial.params.keys() == config.keys()  # every key used, none missing
        assert trial.params == pytest.approx(config)
    linear = next(c for c in configs if c["family"] == "linear")
    assert "linear.alpha" in linear and "linear.C" not in linear
    knn = next(c for c in configs if c["family"] == "knn")
    assert knn["knn.n_neighbors"] == 10  # clipped to n_rows // 3


def test_module_defaults_and_random_state():
    for module in MODULES.values():
        assert module.DEFAULT_PARAMS
    X, y, schema = load("breast_cancer", n=100)
    pipe = suggest_pipeline(FixedTrial(_config(schema, "xgboost")), schema, random_state=7)
    guarded = pipe.named_steps["model"]
    model = guarded.estimator  # boosting runs inside the deadline / early-stopping guard
    assert guarded.random_state == 7
    assert model.random_state == 7 and model.n_jobs == 1 and model.verbosity == 0
    lgbm = suggest_pipeline(FixedTrial(_config(schema, "lightgbm")), schema).named_steps["model"].estimator
    assert lgbm.verbose == -1


def test_special_column_names_with_boosting():
    rng = np.random.default_rng(0)
    n = 120
    X = pd.DataFrame({
        "income: net [EUR]": rng.normal(size=n),
        'score "raw", v2': rng.normal(size=n),
        "group{a}": rng.choice(["x", "y,z", "w:1"], size=n),
    })
    y = (X["income: net [EUR]"] > 0).astype(int).to_numpy()
    schema = infer_schema(X, pd.Series(y, name="t"))
    for family in ("lightgbm", "xgboost"):
        pipe = suggest_pipeline(FixedTrial(_config(schema, family)), schema).fit(X, y)
        assert pipe.score(X, y) > 0.9
        assert selected_features(pipe, schema) == list(X.columns)


def test_pickle_and_clone_round_trip():
    X, y, schema = load("penguins", n=80)
    pipe = suggest_pipeline(FixedTrial(_config(schema, "linear")), schema).fit(X, y)
    again = pickle.loads(pickle.dumps(pipe))
    np.testing.assert_allclose(again.predict_proba(X), pipe.predict_proba(X))
    clone(pipe).fit(X, y)

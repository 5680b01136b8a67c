"""Property: for any small table, fit and predict either work or raise AutopipeError.

Hypothesis draws tables with mixed dtypes (floats with NaN and +-inf, integers,
nullable Int64/Float64, booleans, strings, categories, datetimes, empty and constant
columns), odd column names, 1 to 25 rows and odd targets (strings, floats, booleans,
nullable integers, missing values, single-row classes, one class). The first trial's
model family is drawn too, so every family meets these tables at CV, refit and predict.
"""

from __future__ import annotations

import warnings
from unittest import mock

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from threadpoolctl import threadpool_limits

import autopipe
from autopipe import runner
from autopipe.exceptions import AutopipeError
from autopipe.space import FAMILIES, default_configs

TARGET = "y"
NAME_CHARS = st.characters(codec="utf-8", exclude_categories=("Cs",))
NAMES = st.text(NAME_CHARS, min_size=1, max_size=8).filter(lambda s: s != TARGET)
FLOATS = st.one_of(st.floats(allow_nan=True, allow_infinity=True, width=64),
                   st.floats(-1e3, 1e3), st.sampled_from([np.nan, np.inf, -np.inf, 0.0, 1e308]))
WORDS = st.sampled_from(["a", "b", "c", "", " ", "True", "1.5", "nan", "ü", "x,y", "2024-01-01"])


def column(kind: str, n: int):
    if kind == "float":
        return st.lists(FLOATS, min_size=n, max_size=n)
    if kind == "int":
        return st.lists(st.integers(-5, 5), min_size=n, max_size=n)
    if kind == "Int64":
        return st.lists(st.one_of(st.none(), st.integers(0, 3)), min_size=n, max_size=n).map(
            lambda v: pd.array(v, dtype="Int64"))
    if kind == "bool":
        return st.lists(st.booleans(), min_size=n, max_size=n)
    if kind == "string":
        return st.lists(st.one_of(st.none(), WORDS), min_size=n, max_size=n)
    if kind == "category":
        return st.lists(WORDS, min_size=n, max_size=n).map(pd.Categorical)
    if kind == "numtext":
        return st.lists(st.sampled_from(["1.5", "2", "3,25", "?", None, "-4"]), min_size=n, max_size=n)
    if kind == "datetime":
        return st.lists(st.datetimes(), min_size=n, max_size=n).map(pd.to_datetime)
    if kind == "empty":
        return st.just([None] * n)
    return st.just([7] * n)  # constant


def target(n: int):
    labels = st.one_of(
        st.lists(st.integers(0, 2), min_size=n, max_size=n),
        st.lists(st.sampled_from(["yes", "no", "maybe", ""]), min_size=n, max_size=n),
        st.lists(st.one_of(st.none(), st.booleans()), min_size=n, max_size=n),
        st.lists(st.one_of(st.none(), st.integers(0, 1)), min_size=n, max_size=n).map(
            lambda v: pd.array(v, dtype="Int64")),
        st.lists(FLOATS, min_size=n, max_size=n),
        st.lists(st.floats(-10, 10), min_size=n, max_size=n),
        st.just([1] * n),
    )
    return labels


KINDS = ["float", "int", "Int64", "bool", "string", "category", "numtext", "datetime", "empty", "constant"]


@st.composite
def tables(draw):
    n = draw(st.integers(1, 25))
    names = draw(st.lists(NAMES, min_size=1, max_size=4, unique=True))
    data = {name: draw(column(draw(st.sampled_from(KINDS)), n)) for name in names}
    data[TARGET] = draw(target(n))
    return pd.DataFrame(data), draw(st.permutations(names))


def _first(family: str):
    def configs(schema):
        ordered = default_configs(schema)
        return sorted(ordered, key=lambda c: c["family"] != family)
    return configs


@settings(max_examples=200, deadline=None, print_blob=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(drawn=tables(), family=st.sampled_from(FAMILIES))
def test_fit_and_predict_work_or_raise_autopipe_error(drawn, family):
    df, order = drawn
    with warnings.catch_warnings(), threadpool_limits(1), mock.patch.object(runner, "default_configs", _first(family)):
        warnings.simplefilter("ignore")
        try:
            model = autopipe.fit(df, target=TARGET, n_trials=1, time_budget=20, cv=2, seed=0)
        except AutopipeError:
            return
        X = df.drop(columns=TARGET)
        pred = model.predict(X[order])  # columns matched by name, in any order
        assert len(pred) == len(X)
        if hasattr(model, "predict_proba"):
            proba = model.predict_proba(X.iloc[:1])
            assert proba.shape == (1, len(model.classes_)) and np.isfinite(proba).all()
        else:
            assert np.isfinite(pred).all()

"""Predict-time alignment: by name, clear errors for missing columns, warnings for drift."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import autopipe
from autopipe.exceptions import SchemaMismatchError


@pytest.fixture(scope="module")
def model():
    rng = np.random.default_rng(0)
    n = 80
    df = pd.DataFrame({"x": rng.normal(size=n), "flag": rng.choice([True, False], size=n),
                       "colour": rng.choice(["red", "blue", "green"], size=n), "id": [f"r{i}" for i in range(n)]})
    df["y"] = ((df["x"] > 0) | (df["colour"] == "red")).astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return autopipe.fit(df, target="y", n_trials=1, time_budget=60, cv=3, seed=0), df.drop(columns="y")


def _messages(call):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = call()
    return result, [str(w.message) for w in caught]


def test_missing_column_named_with_hint(model):
    m, X = model
    with pytest.raises(SchemaMismatchError, match=r"'colour'.*'Colour ' for 'colour'"):
        m.predict(X.rename(columns={"colour": "Colour "}))


def test_dropped_columns_are_not_required_and_extra_ignored(model):
    m, X = model
    pred, messages = _messages(lambda: m.predict(X.drop(columns="id").assign(extra=1)))
    assert len(pred) == len(X)
    assert any("Ignoring 1 column(s)" in msg and "'extra'" in msg for msg in messages)


def test_numbers_as_text_coerced_and_junk_warned(model):
    m, X = model
    as_text = X.assign(x=X["x"].map(repr))
    pred, messages = _messages(lambda: m.predict(as_text))
    np.testing.assert_array_equal(pred, m.predict(X))
    assert not messages
    junk = X.assign(x=X["x"].astype(object))
    junk.loc[junk.index[:3], "x"] = "n/a?"
    _, messages = _messages(lambda: m.predict(junk))
    assert any("Column 'x': 3 value(s) are not numeric (e.g. 'n/a?')" in msg for msg in messages)


def test_boolean_drift_and_unseen_levels(model):
    m, X = model
    as_strings = X.assign(flag=X["flag"].map({True: "true", False: "False"}))
    np.testing.assert_array_equal(m.predict(as_strings), m.predict(X))
    new = X.head(4).assign(colour=["violet", "violet", "red", None])
    _, messages = _messages(lambda: m.predict(new))
    assert any("Column 'colour': 2 row(s) hold a level not seen at fit (e.g. 'violet')" in msg for msg in messages)


def test_rows_do_not_depend_on_the_batch(model):
    m, X = model
    batch = X.head(12).copy()
    batch.loc[batch.index[0], "x"] = np.nan
    batch.loc[batch.index[1], "colour"] = "violet"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        whole = m.predict_proba(batch)
        single = np.vstack([m.predict_proba(batch.iloc[[i]]) for i in range(len(batch))])
    np.testing.assert_allclose(whole, single)


def test_duplicated_columns_at_predict(model):
    m, X = model
    doubled = pd.concat([X, X[["x"]]], axis=1)
    with pytest.raises(SchemaMismatchError, match="Duplicated column names at predict: 'x'"):
        m.predict(doubled)

import numpy as np
import pandas as pd

from autopipe.schema import infer_schema
from autopipe.space.preprocessing import build_preprocessor, output_sources


def _table():
    return pd.DataFrame({
        "n": pd.array([1, None, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], dtype="Int64"),
        "flag": ["True", "False", "true", None] * 3,
        "city": pd.array(["a", "b", None, "a", "b", "a"] * 2, dtype="string"),
        "day": pd.date_range("2020-01-01", periods=12, freq="35D"),
    })


def test_dense_float_output_without_missing():
    X = _table()
    schema = infer_schema(X, task="regression")
    assert schema.names_of("boolean") == ["flag"]
    for family, width in (("linear", 11), ("lightgbm", 10)):
        pre = build_preprocessor(schema, family)
        out = pre.fit_transform(X)
        assert isinstance(out, np.ndarray) and out.dtype == np.float64
        assert not np.isnan(out).any()
        # numeric + indicator, bool + indicator, 5 date parts, then city (linear: "a" and
        # the pooled rare levels, as "b" and missing have fewer than 5 rows)
        assert out.shape == (12, width)


def test_output_sources_map_back():
    X = _table()
    schema = infer_schema(X, task="regression")
    pre = build_preprocessor(schema, "linear").fit(X)
    sources = output_sources(pre)
    assert sources[:4] == ["n", "n", "flag", "flag"]
    assert sources[4:9] == ["day"] * 5
    assert set(sources[9:]) == {"city"}


def test_boolean_and_unknown_categories():
    X = _table()
    schema = infer_schema(X, task="regression")
    pre = build_preprocessor(schema, "xgboost").fit(X)
    new = X.head(2).copy()
    new["city"] = ["zzz", "a"]
    out = pre.transform(new)
    assert out[0, 2] == 1.0 and out[1, 2] == 0.0  # "True" / "False"
    assert out[0, -1] == -1.0  # unseen level -> -1 for trees
    assert out[0, 4] == 2020.0 and out[0, 5] == 1.0  # year, month of the date


def test_linear_one_hot_ignores_unknown():
    X = pd.DataFrame({"c": ["a", "b"] * 10, "x": np.arange(20.0) % 7})
    schema = infer_schema(X, task="regression")
    pre = build_preprocessor(schema, "knn").fit(X)
    out = pre.transform(pd.DataFrame({"c": ["new"], "x": [1.0]}))
    assert out.shape == (1, 3) and not np.isnan(out).any()

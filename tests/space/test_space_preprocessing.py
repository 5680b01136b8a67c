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
    for family, width in (("linear", 9), ("lightgbm", 8)):
        pre = build_preprocessor(schema, family)
        out = pre.fit_transform(X)
        assert isinstance(out, np.ndarray) and out.dtype == np.float64
        assert not np.isnan(out).any()
        # numeric, bool (no indicators: 1 and 3 missing rows, under 5), 5 date parts, then
        # city (linear: "a" and the pooled rare levels, as "b" and missing have fewer than 5 rows)
        assert out.shape == (12, width)


def test_output_sources_map_back():
    X = _table()
    schema = infer_schema(X, task="regression")
    pre = build_preprocessor(schema, "linear").fit(X)
    sources = output_sources(pre)
    assert sources[:2] == ["n", "flag"]
    assert sources[2:7] == ["day"] * 5
    assert set(sources[7:]) == {"city"}


def test_boolean_and_unknown_categories():
    X = _table()
    schema = infer_schema(X, task="regression")
    pre = build_preprocessor(schema, "xgboost").fit(X)
    new = X.head(2).copy()
    new["city"] = ["zzz", "a"]
    out = pre.transform(new)
    assert out[0, 1] == 1.0 and out[1, 1] == 0.0  # "True" / "False"
    assert out[0, -1] == -1.0  # unseen level -> -1 for trees
    assert out[0, 2] == 2020.0 and out[0, 3] == 1.0  # year, month of the date


def test_missing_indicator_only_where_missing_was_common():
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"often": rng.normal(size=40), "once": rng.normal(size=40)})
    X.loc[:5, "often"] = np.nan  # 6 missing rows: an indicator
    X.loc[7, "once"] = np.nan  # one: none
    schema = infer_schema(X, task="regression")
    pre = build_preprocessor(schema, "lightgbm").fit(X)
    assert output_sources(pre) == ["often", "once", "often"]
    out = pre.transform(pd.DataFrame({"often": [np.nan, 1.0], "once": [np.nan, np.nan]}))
    assert out[:, 2].tolist() == [1.0, 0.0]
    assert out[0, 1] == out[1, 1] == np.nanmedian(X["once"])  # imputed, indistinguishable from the median


def test_a_single_all_missing_row_teaches_no_rule():
    # penguins: one training row has every measurement missing; with an indicator per
    # column, the model learns "all missing -> that row's class" and applies it to the next
    X = pd.DataFrame({"a": np.arange(30.0), "b": np.arange(30.0) % 7})
    X.loc[0] = np.nan
    schema = infer_schema(X, task="regression")
    pre = build_preprocessor(schema, "xgboost").fit(X)
    assert pre.transform(X).shape == (30, 2)


def test_linear_one_hot_ignores_unknown():
    X = pd.DataFrame({"c": ["a", "b"] * 10, "x": np.arange(20.0) % 7})
    schema = infer_schema(X, task="regression")
    pre = build_preprocessor(schema, "knn").fit(X)
    out = pre.transform(pd.DataFrame({"c": ["new"], "x": [1.0]}))
    assert out.shape == (1, 3) and not np.isnan(out).any()


def test_inf_and_text_numbers_are_read_per_value():
    X = pd.DataFrame({"x": [1.0, np.inf, -np.inf, 4.0, 5.0, 1e300] * 2, "c": ["a", "b"] * 6})
    schema = infer_schema(X, task="regression")
    out = build_preprocessor(schema, "linear").fit(X).transform(X)
    assert np.isfinite(out).all()
    tree = build_preprocessor(schema, "xgboost").fit(X)
    assert tree.transform(X)[1, 1] == 1.0  # inf -> missing indicator
    as_text = X.assign(x=X["x"].astype(str))
    np.testing.assert_array_equal(tree.transform(as_text), tree.transform(X))


def test_integral_floats_are_the_same_level():
    X = pd.DataFrame({"c": [1, 2, 3, 1, 2, 3] * 2, "n": np.arange(12.0)})
    schema = infer_schema(X, task="regression", column_kinds={"c": "categorical"})
    pre = build_preprocessor(schema, "lightgbm").fit(X)
    with_nan = pd.DataFrame({"c": [1.0, np.nan], "n": [0.0, 1.0]})
    assert pre.transform(with_nan)[0, 1] == pre.transform(X.head(1))[0, 1]  # 1.0 reads as level "1"


def test_high_cardinality_encoding_width_and_unseen():
    from autopipe.space.preprocessing import unseen_levels

    X = pd.DataFrame({"zip": [f"z{i % 60}" for i in range(300)], "x": np.arange(300.0)})
    schema = infer_schema(X, task="binary")
    assert schema.high_cardinality() == ["zip"]
    # x, zip frequency, zip target encoding (fitted with y), + frequency rank for trees
    for family, width in (("linear", 3), ("lightgbm", 4)):
        pre = build_preprocessor(schema, family).fit(X, np.arange(300) % 2)
        assert pre.transform(X).shape[1] == width
        out = pre.transform(pd.DataFrame({"zip": ["never"], "x": [1.0]}))
        assert np.isfinite(out).all()
        assert set(output_sources(pre)) == {"zip", "x"}
        assert unseen_levels(pre, pd.DataFrame({"zip": ["never", "z1", None], "x": [1.0] * 3})) == {"zip": (1, "never")}


def test_high_cardinality_encoder_parts():
    from autopipe.space.encoders import HighCardinalityEncoder

    X = np.array([["a"]] * 6 + [["b"]] * 3 + [["c"]], dtype=object)
    y = np.array([1] * 6 + [0] * 4)
    enc = HighCardinalityEncoder(task="binary", codes=True, target=True, min_frequency=3).fit(X, y)
    out = enc.transform(np.array([["a"], ["b"], ["c"], ["zz"]], dtype=object))
    np.testing.assert_allclose(out[:, 0], [0.6, 0.3, 0.1, 0.0])  # frequency
    np.testing.assert_array_equal(out[:, 1], [0, 1, -1, -1])  # rank among levels seen >= 3 times
    assert out[0, 2] > out[1, 2]  # target encoding: "a" rows are all positive
    assert list(enc.get_feature_names_out(["z"])) == ["z_frequency", "z_rank", "z_target"]
    train = enc.fit_transform(X, y)  # cross-fitted: differs from the full-data encoding
    assert not np.allclose(train[:, 2], enc.transform(X)[:, 2])
    multi = HighCardinalityEncoder(task="multiclass", codes=False, target=True).fit(X, np.arange(10) % 3)
    assert len(multi.get_feature_names_out(["z"])) == 1 + 3

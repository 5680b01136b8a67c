import numpy as np
import pandas as pd
import pytest

from autopipe.exceptions import DataError, ParameterError
from autopipe.schema import (
    Schema,
    check_target,
    infer_schema,
    infer_task,
    target_missing_mask,
)

DATA = "/work/shared/datasets"


def _kinds(schema):
    return {c.name: c.kind for c in schema.columns}


@pytest.fixture
def mixed():
    n = 40
    return pd.DataFrame({
        "row": range(n),
        "row1": range(1, n + 1),
        "small_int": [1, 2, 3, 4] * 10,
        "nullable": pd.array([1, None] + [2, 3] * 19, dtype="Int64"),
        "flt": pd.array([0.5, None, 1.5, 2.5] * 10, dtype="Float64"),
        "flag": [True, False] * 20,
        "flag_str": ["True", "False"] * 20,
        "flag_na": pd.array([True, False, None, True] * 10, dtype="boolean"),
        "city": pd.array(["a", "b", None, "c"] * 10, dtype="string"),
        "cat": pd.Categorical(["x", "y"] * 20),
        "code": [f"id-{i}" for i in range(n)],
        "when": pd.date_range("2021-01-01", periods=n, freq="D"),
        "when_str": pd.date_range("2021-01-01", periods=n, freq="h").astype(str),
        "empty": [None] * n,
        "same": ["k"] * n,
        "note": [f"this is a long free text note number {i}" for i in range(n)],
    })


def test_kinds_of_mixed_table(mixed):
    s = infer_schema(mixed, pd.Series([0, 1] * 20, name="y"))
    kinds = _kinds(s)
    assert kinds == {
        "row": "identifier", "row1": "identifier", "small_int": "numeric",
        "nullable": "numeric", "flt": "numeric", "flag": "boolean", "flag_str": "boolean",
        "flag_na": "boolean", "city": "categorical", "cat": "categorical",
        "code": "identifier", "when": "datetime", "when_str": "datetime",
        "empty": "constant", "same": "constant", "note": "text",
    }
    assert s.features == ["small_int", "nullable", "flt", "flag", "flag_str", "flag_na",
                          "city", "cat", "when", "when_str"]
    assert s.names_of("boolean") == ["flag", "flag_str", "flag_na"]
    reasons = {c.name: c.reason for c in s.dropped}
    assert reasons["empty"] == "dropped: entirely empty"
    assert reasons["same"] == "dropped: constant (every value is 'k')"
    assert "identifier" in reasons["code"]
    nullable = next(c for c in s.columns if c.name == "nullable")
    assert (nullable.n_missing, nullable.n_unique, nullable.dtype) == (1, 3, "Int64")


def test_shuffled_integer_is_not_identifier():
    X = pd.DataFrame({"a": np.random.default_rng(0).permutation(50), "b": [1.0] * 49 + [2.0]})
    assert _kinds(infer_schema(X, task="regression"))["a"] == "numeric"


def test_round_trip_json(mixed):
    import json

    s = infer_schema(mixed, pd.Series(["no", "yes"] * 20, name="y"))
    assert s.classes == ("no", "yes") and s.target == "y" and s.n_rows == 40
    again = Schema.from_dict(json.loads(json.dumps(s.to_dict())))
    assert again == s


def test_column_kinds_override_and_errors(mixed):
    s = infer_schema(mixed, task="binary", column_kinds={"row": "numeric", "city": "identifier"})
    assert _kinds(s)["row"] == "numeric" and "row" in s.features
    assert "city" not in s.features
    with pytest.raises(ParameterError, match="'nope'"):
        infer_schema(mixed, task="binary", column_kinds={"nope": "numeric"})
    with pytest.raises(ParameterError, match="numeric"):
        infer_schema(mixed, task="binary", column_kinds={"row": "number"})


def test_duplicate_columns_named():
    X = pd.DataFrame([[1, 2, 3]], columns=["a", "b", "a"])
    with pytest.raises(DataError, match="'a'"):
        infer_schema(X, task="regression")


def test_no_usable_column():
    with pytest.raises(DataError, match="No usable feature"):
        infer_schema(pd.DataFrame({"c": [1] * 5}), task="regression")


@pytest.mark.parametrize(
    "values, task",
    [
        ([0.5, 1.5, 2.0, 3.0], "regression"),
        (list(range(30)), "regression"),
        ([1, 2, 3, 1, 2, 3], "multiclass"),
        ([1.0, 0.0, 1.0, np.nan], "binary"),
        (["a", "b", "a"], "binary"),
        ([True, False], "binary"),
        (pd.Categorical(["x", "y", "z"]), "multiclass"),
        (pd.array([1, 2, None], dtype="Int64"), "binary"),
    ],
)
def test_infer_task(values, task):
    assert infer_task(pd.Series(values)) == task


def test_real_datasets():
    expected = {
        "penguins.csv": ("species", "multiclass"),
        "credit_g.csv": ("credit_risk", "binary"),
        "diabetes.csv": ("target", "regression"),
        "car_evaluation.csv": ("class", "multiclass"),
    }
    for file, (target, task) in expected.items():
        df = pd.read_csv(f"{DATA}/{file}")
        s = infer_schema(df.drop(columns=target), df[target])
        assert s.task == task
        assert not s.dropped
    df = pd.read_csv(f"{DATA}/penguins.csv")
    s = infer_schema(df.drop(columns="species"), df["species"])
    assert s.classes == ("Adelie", "Chinstrap", "Gentoo")
    assert s.names_of("categorical") == ["island", "sex"]


def test_target_missing_mask():
    y = pd.Series(["a", None, "", "  ", "b", np.nan], dtype=object)
    assert target_missing_mask(y).tolist() == [False, True, True, True, False, True]
    y = pd.Series(pd.array([1, None, 3], dtype="Int64"))
    assert target_missing_mask(y).tolist() == [False, True, False]


def test_check_target():
    check_target(pd.Series(["a", "b"] * 5), "binary", cv=5)
    with pytest.raises(DataError, match=r"'c' \(1 row\)"):
        check_target(pd.Series(["a", "b"] * 5 + ["c"], name="y"), "multiclass", cv=5)
    with pytest.raises(DataError, match="single class"):
        check_target(pd.Series(["a"] * 10), "binary", cv=5)
    with pytest.raises(DataError, match="3 classes"):
        check_target(pd.Series(["a", "b", "c"] * 4), "binary", cv=3)
    with pytest.raises(DataError, match="numeric target"):
        check_target(pd.Series(["a", "b"] * 5), "regression", cv=3)
    with pytest.raises(DataError, match="fewer than cv=5"):
        check_target(pd.Series([1.0, 2.0, 3.0]), "regression", cv=5)


def test_numbers_stored_as_text_and_named_identifiers():
    n = 40
    X = pd.DataFrame({
        "price_txt": ["1.5", "2", " 3 ", "?"] + [str(i) for i in range(36)],
        "comma": ["1,5", "2,25"] * 20,
        "answer": ["Yes", "no"] * 20,
        "user_id": np.arange(1000, 1000 + n)[::-1] * 7,
        "customerId": [f"c{i}" for i in range(n)],
        "Unnamed: 0": np.random.default_rng(0).permutation(n),
        "paid": np.random.default_rng(1).normal(size=n),
    })
    s = infer_schema(X, task="binary")
    kinds = _kinds(s)
    assert kinds == {"price_txt": "numeric", "comma": "numeric", "answer": "boolean", "user_id": "identifier",
                     "customerId": "identifier", "Unnamed: 0": "identifier", "paid": "numeric"}
    assert "1 value(s) that are not numbers (e.g. '?')" in s.column("price_txt").reason
    assert s.column("answer").reason == "two values Yes/no"
    assert "named like an identifier" in s.column("user_id").reason


def test_ignored_kind():
    X = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": ["x", "y", "x"]})
    s = infer_schema(X, task="regression", column_kinds={"b": "ignored"})
    assert s.features == ["a"] and s.column("b").reason == "dropped: ignored on request"


def test_high_cardinality_by_levels_and_by_memory(monkeypatch):
    from autopipe import schema as schema_module

    X = pd.DataFrame({"zip": [f"z{i % 35}" for i in range(70)], "city": ["a", "b"] * 35,
                      "plan": ["p", "q", "r", "s", "t"] * 14})
    s = infer_schema(X, task="binary")
    assert s.high_cardinality() == ["zip"] and "more than 30 levels" in s.column("zip").reason
    # a cap of 70 rows x 5 columns x 8 bytes: the widest low-cardinality column switches first
    monkeypatch.setattr(schema_module, "ONEHOT_MAX_BYTES", 70 * 5 * 8)
    s = infer_schema(X, task="binary")
    assert s.high_cardinality() == ["zip", "plan"]
    assert "MB cap" in s.column("plan").reason and not s.column("city").high_cardinality


def test_schema_from_old_dict_without_high_cardinality(mixed):
    d = infer_schema(mixed, task="binary").to_dict()
    for c in d["columns"]:
        del c["high_cardinality"]
    assert Schema.from_dict(d).high_cardinality() == []


def test_target_checks_for_labels_and_inf():
    with pytest.raises(DataError, match="mixes label types"):
        check_target(pd.Series([1, "a", 1, "a"], name="t", dtype=object), "binary", cv=2)
    with pytest.raises(DataError, match="1 infinite value"):
        check_target(pd.Series([1.0, np.inf, 2.0, 3.0], name="t"), "regression", cv=2)
    check_target(pd.Series(pd.array([0, 1, None, 1, 0], dtype="Int64")), "binary", cv=2)
    check_target(pd.Series(pd.Categorical(["a", "b"] * 3)), "binary", cv=2)


def test_to_numbers_and_not_numbers():
    from autopipe.schema import not_numbers, to_numbers

    out = to_numbers(pd.Series(["1", "x", None, "", "2,5", "inf", " 3 "]))
    np.testing.assert_array_equal(np.isnan(out), [False, True, True, True, False, True, False])
    assert out[4] == 2.5 and out[6] == 3.0
    assert not_numbers(pd.Series(["1", "x", None, "", "inf"])) == (1, "x")
    assert to_numbers(pd.Series([1e308, -np.inf, 3.0]))[0] == 1e38
    np.testing.assert_array_equal(to_numbers(pd.Series(pd.array([True, None], dtype="boolean"))), [1.0, np.nan])

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

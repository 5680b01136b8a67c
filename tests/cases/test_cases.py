"""Every input case of ../shared/cases as a test of its expected behaviour (case.json).

Each case stands for a kind of real-world table that breaks AutoML tools; the tests
here check the behaviour the case asks for, with tiny budgets (linear and k-NN trials).
"""

from __future__ import annotations

import html
import json
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from threadpoolctl import threadpool_limits

import autopipe
from autopipe.cli import main
from autopipe.cli.tables import read_table
from autopipe.exceptions import DataError, SchemaMismatchError

CASES = Path(__file__).resolve().parents[2].parent / "shared" / "cases"
pytestmark = pytest.mark.skipif(not CASES.is_dir(), reason=f"the input cases folder {CASES} is absent")
FAST = {"n_trials": 2, "time_budget": 60, "seed": 0}


def case(name: str) -> dict:
    return json.loads((CASES / name / "case.json").read_text())


def table(name: str, file: str = "train.csv") -> pd.DataFrame:
    df = read_table(CASES / name / file)
    dtypes = case(name).get("pandas_dtypes")
    return df.astype(dtypes) if dtypes and file == "train.csv" else df


def fit(name: str, **kwargs) -> autopipe.AutoClassifier:
    options = {**FAST, **kwargs}
    with threadpool_limits(1):
        return autopipe.fit(table(name), target=case(name)["target"], **options)


def one_line_error(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert "Traceback" not in err
    lines = [ln for ln in err.splitlines() if ln.startswith("error:")]
    assert len(lines) == 1, err
    return lines[0]


def kinds(model) -> dict[str, str]:
    return {c.name: c.kind for c in model.schema_.columns}


# -- K1: column names ------------------------------------------------------------------------
def test_k1_duplicate_names_cli(tmp_path, capsys):
    out = tmp_path / "run"
    code = main(["fit", str(CASES / "K1-duplicate-names" / "train.csv"), "--target", "y", "--out", str(out)])
    assert code in (1, 2)
    line = one_line_error(capsys)
    assert "'x1'" in line and "duplicated" in line
    assert not out.exists()  # stopped before any training


def test_k1_duplicate_names_api():
    df = pd.read_csv(CASES / "K1-duplicate-names" / "train.csv")
    df.columns = ["x1", "x2", "x1", "y"]
    with pytest.raises(DataError, match="'x1'"):
        autopipe.fit(df, target="y", n_trials=1)


def test_k1_special_names_fit_report_and_predict(tmp_path):
    name = "K1-special-names"
    model = fit(name)
    names = list(table(name, "predict.csv").columns)
    assert model.schema_.features == names
    trials = [t for t in model.study_.trials if t.state.name == "COMPLETE"]
    assert trials and all(t.user_attrs["selected_features"] for t in trials)
    assert set().union(*(t.user_attrs["selected_features"] for t in trials)) <= set(names)
    model.save(tmp_path / "run")
    page = html.unescape((tmp_path / "run" / "report.html").read_text())
    assert all(n in page for n in names)
    pred = main(["predict", str(tmp_path / "run"), str(CASES / name / "predict.csv"),
                 "--out", str(tmp_path / "p.csv"), "--proba"])
    assert pred == 0 and len(pd.read_csv(tmp_path / "p.csv")) == len(table(name, "predict.csv"))


# -- K2: types and roles ---------------------------------------------------------------------
def test_k2_all_bool_features_beat_majority():
    name = "K2-all-bool-features"
    model = fit(name)
    assert kinds(model) == {"has_a": "boolean", "has_b": "boolean", "has_c": "boolean"}
    assert model.schema_.features == ["has_a", "has_b", "has_c"]
    y = model.oof_["y"]
    oof_accuracy = (model.oof_["pred"].argmax(axis=1) == y).mean()
    majority = np.bincount(y).max() / len(y)
    assert model.cv_score_ > 0.75  # ROC AUC; the majority class scores 0.5
    assert oof_accuracy > majority + 0.1


def test_k2_id_columns_dropped_with_reason(tmp_path):
    model = fit("K2-id-columns")
    assert kinds(model)["customer_id"] == "identifier" and kinds(model)["row_number"] == "identifier"
    assert model.schema_.features == ["x1", "x2", "x3"]
    model.save(tmp_path / "run")
    page = html.unescape((tmp_path / "run" / "report.html").read_text())
    assert "customer_id" in page and "unique per row" in page and "running row number" in page


def test_k2_numeric_not_categorical_width():
    name = "K2-numeric-not-categorical"
    model = fit(name)
    features = model.schema_.features
    assert set(kinds(model).values()) == {"numeric"} and len(features) == 8
    width = model.best_pipeline_.named_steps["preprocess"].transform(table(name).drop(columns="y")).shape[1]
    assert width <= 2 * len(features)  # values plus, at most, a missing indicator each


def test_k2_semicolon_decimal_comma_detected(tmp_path, capsys):
    name = "K2-semicolon-decimal-comma"
    df = read_table(CASES / name / "train.csv")
    assert list(df.columns) == ["x1", "x2", "x3", "y"]
    assert all(pd.api.types.is_numeric_dtype(df[c]) for c in df.columns)
    assert df["x1"].abs().max() < 10  # "-0,6518" read as -0.6518, not -6518
    forced = read_table(CASES / name / "train.csv", sep=";", decimal=",")
    pd.testing.assert_frame_equal(df, forced, check_like=True)
    code = main(["fit", str(CASES / name / "train.csv"), "--target", "y", "--trials", "1",
                 "--out", str(tmp_path / "run")])
    assert code == 0
    err = capsys.readouterr().err
    assert "separator ';', decimal mark ','" in err and "Features: 3 numeric" in err


def test_k2_string_categoricals_used():
    name = "K2-string-categoricals"
    model = fit(name)
    assert kinds(model)["city"] == "categorical" and kinds(model)["plan"] == "categorical"
    without = fit(name, column_kinds={"city": "ignored"})
    assert "city" not in without.schema_.features
    assert model.cv_score_ > without.cv_score_ + 0.03, (model.cv_score_, without.cv_score_)


# -- K3: extension dtypes ----------------------------------------------------------------------
def test_k3_nullable_int_target_scores_like_numpy():
    name = "K3-nullable-int-target"
    df = table(name)
    assert str(df["y"].dtype) == "Int64" and str(df["x1"].dtype) == "Float64"
    df.loc[df.index[0], "x1"] = pd.NA
    with threadpool_limits(1):
        nullable = autopipe.fit(df, target="y", **FAST)
        plain = autopipe.fit(df.astype({"y": "int64", "x1": "float64"}), target="y", **FAST)
    assert np.isfinite(nullable.cv_score_)
    assert abs(nullable.cv_score_ - plain.cv_score_) < 1e-9
    assert list(nullable.classes_) == [0, 1]
    np.testing.assert_array_equal(nullable.predict(df.drop(columns="y")), plain.predict(df.drop(columns="y")))


# -- K4: train/predict drift ----------------------------------------------------------------------
def test_k4_missing_column_named_no_output(tmp_path, capsys):
    name = "K4-missing-column"
    model = fit(name)
    model.save(tmp_path / "run")
    new = table(name, "predict.csv")
    missing = sorted(set(model.schema_.features) - set(new.columns))
    assert missing
    with pytest.raises(SchemaMismatchError, match=repr(missing[0])):
        model.predict(new)
    capsys.readouterr()
    code = main(["predict", str(tmp_path / "run"), str(CASES / name / "predict.csv"), "--out", str(tmp_path / "p.csv")])
    assert code == 1
    assert repr(missing[0]) in one_line_error(capsys)
    assert not (tmp_path / "p.csv").exists()


def test_k4_reordered_columns_match_by_name():
    name = "K4-reordered-columns"
    model = fit(name)
    new = table(name, "predict.csv")
    ordered = new[model.schema_.features]
    assert list(new.columns) != list(ordered.columns)
    np.testing.assert_array_equal(model.predict(new), model.predict(ordered))
    np.testing.assert_array_equal(model.predict_proba(new), model.predict_proba(ordered))


def test_k4_unseen_category_counted():
    name = "K4-unseen-category"
    model = fit(name)
    new = table(name, "predict.csv")
    seen = set(table(name)["colour"])
    n_unseen = int((~new["colour"].isin(seen)).sum())
    assert n_unseen > 0
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pred = model.predict(new)
    assert len(pred) == len(new)
    messages = [str(w.message) for w in caught]
    assert any(f"{n_unseen} row(s) hold a level not seen" in m and "'colour'" in m for m in messages), messages
    # a row's prediction does not depend on the other rows of the batch
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        one_by_one = np.concatenate([model.predict(new.iloc[[i]]) for i in range(len(new))])
    np.testing.assert_array_equal(pred, one_by_one)


# -- K5: degenerate columns ----------------------------------------------------------------------
def test_k5_empty_and_constant_dropped(tmp_path):
    name = "K5-all-nan-and-constant"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = fit(name)
    assert len(caught) <= 2, [str(w.message) for w in caught]  # no warning storm
    reasons = {c.name: c.reason for c in model.schema_.dropped}
    assert reasons["empty"] == "dropped: entirely empty"
    assert reasons["const"].startswith("dropped: constant")
    values = [t.value for t in model.study_.trials if t.state.name == "COMPLETE"]
    assert values and all(np.isfinite(values))
    assert len(model.predict(table(name, "predict.csv"))) == len(table(name, "predict.csv"))
    model.save(tmp_path / "run")
    page = html.unescape((tmp_path / "run" / "report.html").read_text())
    assert "empty" in page and "entirely empty" in page and "const" in page and "constant (every value" in page


# -- K6: target ----------------------------------------------------------------------------------
def test_k6_nan_target_rows_dropped_and_counted():
    name = "K6-nan-target"
    n_missing = int(table(name)["y"].isna().sum())
    with pytest.warns(UserWarning, match=f"Dropped {n_missing} rows whose target is missing"):
        model = fit(name)
    assert model.settings_["n_dropped_target_rows"] == n_missing == 15
    assert len(model.classes_) == 2 and not any(pd.isna(c) or str(c) == "nan" for c in model.classes_)
    assert model.schema_.n_rows == len(table(name)) - n_missing


def test_k6_singleton_class_dropped_with_warning():
    name = "K6-singleton-class"
    counts = table(name)["y"].value_counts()
    single = counts[counts == 1].index[0]
    with pytest.warns(UserWarning, match=repr(single)):
        model = fit(name, cv=5)
    assert np.isfinite(model.cv_score_)
    assert single not in model.classes_ and model.settings_["dropped_classes"] == {single: 1}
    assert single not in set(model.predict(table(name).drop(columns="y")))


def test_k6_string_labels_round_trip():
    name = "K6-string-labels"
    df = table(name)
    model = fit(name)
    assert list(model.classes_) == sorted(df["y"].unique())
    X = df.drop(columns="y")
    pred = model.predict(X)
    assert set(pred) <= set(df["y"]) and all(isinstance(p, str) for p in pred)
    proba = model.predict_proba(X)
    assert proba.shape == (len(X), len(model.classes_))
    np.testing.assert_array_equal(model.classes_[proba.argmax(axis=1)], pred)
    assert model.score(X, df["y"]) > 0.7


# -- K7: size and cardinality -------------------------------------------------------------------
def test_k7_high_cardinality_small_and_in_budget():
    name = "K7-high-cardinality"
    started = time.monotonic()
    with threadpool_limits(1):
        model = autopipe.fit(table(name), target="y", time_budget=5, seed=0)
    elapsed = time.monotonic() - started
    assert elapsed < 5 + 10, elapsed  # the budget, plus the refit and setup
    column = model.schema_.column("zip")
    assert column.kind == "categorical" and column.high_cardinality and "high cardinality" in column.reason
    X = table(name).drop(columns="y")
    for family in ("linear", "lightgbm"):
        from autopipe.space.preprocessing import build_preprocessor

        width = build_preprocessor(model.schema_, family).fit_transform(X).shape[1]
        assert width <= 4, (family, width)  # never a 1,700-wide one-hot


def test_k7_tiny_fits_and_reduces_folds():
    name = "K7-tiny"
    model = fit(name)
    assert np.isfinite(model.cv_score_)
    assert len(model.predict(table(name).drop(columns="y"))) == len(table(name))
    with pytest.warns(UserWarning, match="using 7 folds"):
        fit(name, cv=10, n_trials=1)


def test_every_case_has_a_test():
    tested = {"K1-duplicate-names", "K1-special-names", "K2-all-bool-features", "K2-id-columns",
              "K2-numeric-not-categorical", "K2-semicolon-decimal-comma", "K2-string-categoricals",
              "K3-nullable-int-target", "K4-missing-column", "K4-reordered-columns", "K4-unseen-category",
              "K5-all-nan-and-constant", "K6-nan-target", "K6-singleton-class", "K6-string-labels",
              "K7-high-cardinality", "K7-tiny"}
    present = {p.name for p in CASES.iterdir() if (p / "case.json").is_file()}
    assert present <= tested, f"cases without a test: {sorted(present - tested)}"

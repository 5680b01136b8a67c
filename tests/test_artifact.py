"""Run directories: save, load, identical predictions, and refusal of tampered files.

Format 2 stores the pipeline with skops (no pickle); format 1 (a joblib pickle) keeps
its loader behind ``trust_pickle=True``.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import autopipe
from autopipe.artifact import CHECKED_FILES, LEGACY_MODEL_FILE, MANIFEST_FILE, MODEL_FILE
from autopipe.exceptions import ArtifactError
from autopipe.search import TrialState


@pytest.fixture(scope="module")
def saved_run(tmp_path_factory, penguins):
    model = autopipe.fit(penguins, target="species", n_trials=6, seed=0)
    path = model.save(tmp_path_factory.mktemp("runs") / "penguins")
    return model, path


def test_run_directory_has_every_file(saved_run):
    _, path = saved_run
    for name in (MODEL_FILE, MANIFEST_FILE, "study.db", "leaderboard.csv", "report.html", "summary.json"):
        assert (path / name).is_file(), name


def test_manifest_records_what_a_team_needs(saved_run):
    model, path = saved_run
    manifest = json.loads((path / MANIFEST_FILE).read_text())
    assert manifest["format_version"] == 2
    assert manifest["model_format"] == "skops" and manifest["model_file"] == MODEL_FILE
    assert manifest["task"] == "multiclass"
    assert manifest["metric"] == {"name": "log_loss", "direction": "minimize"}
    assert manifest["cv_score"] == pytest.approx(model.cv_score_)
    assert manifest["best_params"] == model.best_params_
    assert manifest["schema"]["target"] == "species"
    assert {"scikit-learn", "lightgbm", "xgboost", "autopipe"} <= set(manifest["versions"])
    assert set(manifest["checksums"]) == set(CHECKED_FILES)
    assert all(len(v) == 64 for v in manifest["checksums"].values())
    assert not (path / LEGACY_MODEL_FILE).exists()


def test_loaded_model_predicts_exactly_the_same(saved_run, penguins):
    model, path = saved_run
    loaded = autopipe.load(path)
    X = penguins.drop(columns="species")
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))
    assert list(loaded.classes_) == list(model.classes_)


def test_loaded_study_has_the_same_trials(saved_run):
    model, path = saved_run
    loaded = autopipe.load(path)
    original = [(t.number, t.state, t.value, t.params) for t in model.study_.trials]
    reread = [(t.number, t.state, t.value, t.params) for t in loaded.study_.trials]
    assert reread == original
    assert loaded.study_.best_trial.state == TrialState.COMPLETE


def test_leaderboard_csv_has_one_row_per_finished_trial(saved_run):
    model, path = saved_run
    board = pd.read_csv(path / "leaderboard.csv")
    finished = [t for t in model.study_.trials if t.state.is_finished()]
    assert len(board) >= len(finished)
    assert board.iloc[0]["state"] == "COMPLETE"
    assert board.iloc[0]["score"] == pytest.approx(model.cv_score_)


def test_regressor_round_trip(tmp_path, diabetes):
    model = autopipe.fit(diabetes, target="target", n_trials=3, seed=0)
    loaded = autopipe.load(model.save(tmp_path / "d"))
    X = diabetes.drop(columns="target")
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))


@pytest.mark.parametrize("name", CHECKED_FILES)
def test_tampered_file_is_refused(saved_run, tmp_path, name):
    import shutil

    _, path = saved_run
    copy = tmp_path / "copy"
    shutil.copytree(path, copy)
    with open(copy / name, "ab") as fh:
        fh.write(b"tampered")
    with pytest.raises(ArtifactError, match=f"{name} does not match the checksum"):
        autopipe.load(copy)


def test_missing_listed_file_is_refused(saved_run, tmp_path):
    import shutil

    _, path = saved_run
    copy = tmp_path / "copy"
    shutil.copytree(path, copy)
    (copy / "leaderboard.csv").unlink()
    with pytest.raises(ArtifactError, match=r"leaderboard.csv \(missing\)"):
        autopipe.load(copy)


def test_other_library_versions_give_a_warning_naming_them(saved_run, tmp_path):
    import shutil

    _, path = saved_run
    copy = tmp_path / "old"
    shutil.copytree(path, copy)
    manifest = json.loads((copy / MANIFEST_FILE).read_text())
    manifest["versions"]["scikit-learn"] = "0.0.1"
    (copy / MANIFEST_FILE).write_text(json.dumps(manifest))
    with pytest.warns(UserWarning, match=r"scikit-learn 0\.0\.1 ->"):
        autopipe.load(copy)


def test_missing_or_incomplete_directories_are_clear_errors(tmp_path):
    with pytest.raises(ArtifactError, match="not a run directory"):
        autopipe.load(tmp_path / "nothing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ArtifactError, match="manifest.json is missing"):
        autopipe.load(tmp_path / "empty")


def test_loading_twice_and_after_a_report_rewrite(saved_run, tmp_path):
    import shutil

    from autopipe.cli.main import main

    _, path = saved_run
    copy = tmp_path / "again"
    shutil.copytree(path, copy)
    autopipe.load(copy)
    assert main(["report", str(copy)]) == 0  # rewrites report.html and refreshes its checksum
    autopipe.load(copy)


def test_out_of_fold_record_survives_the_round_trip(saved_run):
    model, path = saved_run
    loaded = autopipe.load(path)
    assert loaded.oof_["trial"] == model.oof_["trial"]
    np.testing.assert_array_equal(loaded.oof_["y"], model.oof_["y"])
    np.testing.assert_array_equal(loaded.oof_["pred"], model.oof_["pred"])


class NotAnAutopipeType:
    """Stands for any class an attacker could name in a crafted file."""

    def __init__(self):
        self.payload = "anything"


def _replace_model_file(path, tmp_path, state):
    import shutil

    import skops.io as sio

    from autopipe.artifact import _sha256

    copy = tmp_path / "crafted"
    shutil.copytree(path, copy)
    sio.dump(state, copy / MODEL_FILE)
    manifest = json.loads((copy / MANIFEST_FILE).read_text())
    manifest["checksums"][MODEL_FILE] = _sha256(copy / MODEL_FILE)  # a consistent, re-signed directory
    (copy / MANIFEST_FILE).write_text(json.dumps(manifest))
    return copy


def test_untrusted_types_are_refused_even_with_a_valid_checksum(saved_run, tmp_path):
    model, path = saved_run
    copy = _replace_model_file(path, tmp_path, {"pipeline": NotAnAutopipeType(), "classes": None,
                                                 "feature_names_in": None, "oof": None})
    with pytest.raises(ArtifactError, match=r"does not trust.*NotAnAutopipeType"):
        autopipe.load(copy)


def test_autopipe_types_that_are_not_estimators_are_refused(saved_run, tmp_path):
    from autopipe.search.frozen import FrozenTrial

    model, path = saved_run
    trial = FrozenTrial(number=0, state=TrialState.COMPLETE, value=1.0, params={}, distributions={})
    copy = _replace_model_file(path, tmp_path, {"pipeline": trial, "classes": None,
                                                 "feature_names_in": None, "oof": None})
    with pytest.raises(ArtifactError, match="FrozenTrial"):
        autopipe.load(copy)


def _as_format_1(model, path, tmp_path):
    """A run directory as autopipe 0.1 wrote it: a joblib pickle plus a format-1 manifest."""
    import shutil

    import joblib

    from autopipe.artifact import _sha256

    old = tmp_path / "format1"
    shutil.copytree(path, old)
    (old / MODEL_FILE).unlink()
    fitted = {k: getattr(model, k) for k in ("schema_", "cv_score_", "best_params_", "fit_time_", "settings_",
                                             "n_features_in_", "feature_names_in_", "classes_", "oof_", "ensemble_")
              if hasattr(model, k)}
    joblib.dump({"estimator": type(model).__name__,
                 "params": {k: v for k, v in model.get_params().items() if k != "storage"},
                 "pipeline": model.best_pipeline_, "fitted": fitted}, old / LEGACY_MODEL_FILE)
    manifest = json.loads((old / MANIFEST_FILE).read_text())
    for key in ("model_format", "model_file", "estimator_params", "fitted"):
        manifest.pop(key)
    manifest["format_version"] = 1
    manifest["checksums"] = {LEGACY_MODEL_FILE: _sha256(old / LEGACY_MODEL_FILE)}
    (old / MANIFEST_FILE).write_text(json.dumps(manifest))
    return old


def test_format_1_pickle_needs_an_explicit_opt_in(saved_run, tmp_path, penguins):
    model, path = saved_run
    old = _as_format_1(model, path, tmp_path)
    with pytest.raises(ArtifactError, match="trust_pickle=True"):
        autopipe.load(old)
    loaded = autopipe.load(old, trust_pickle=True)
    X = penguins.drop(columns="species")
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))
    with open(old / LEGACY_MODEL_FILE, "ab") as fh:
        fh.write(b"tampered")
    with pytest.raises(ArtifactError, match="checksum"):
        autopipe.load(old, trust_pickle=True)


def test_unknown_format_is_a_clear_error(saved_run, tmp_path):
    import shutil

    _, path = saved_run
    copy = tmp_path / "future"
    shutil.copytree(path, copy)
    manifest = json.loads((copy / MANIFEST_FILE).read_text())
    manifest["format_version"] = 99
    (copy / MANIFEST_FILE).write_text(json.dumps(manifest))
    with pytest.raises(ArtifactError, match="format 99"):
        autopipe.load(copy)


FAMILIES = ("linear", "knn", "random_forest", "extra_trees", "hist_gb", "lightgbm", "xgboost")


def _fixed_family_model(df, target, task_kind, family):
    """An estimator whose best pipeline is forced to ``family`` (default params), fitted directly."""
    from threadpoolctl import threadpool_limits

    from autopipe.api import AutoClassifier, AutoRegressor
    from autopipe.runner import encode_labels, resolve_task
    from autopipe.schema import infer_schema
    from autopipe.search import FixedTrial
    from autopipe.space import default_configs, suggest_pipeline

    X, y = df.drop(columns=target), df[target]
    keep = y.notna().to_numpy()
    X, y = X[keep].reset_index(drop=True), y[keep].reset_index(drop=True)
    schema = infer_schema(X, y, task=resolve_task(y, task_kind))
    params = next(p for p in default_configs(schema) if p["family"] == family)
    params = {**params, "selection": "univariate", "selection.fraction": 0.8}
    pipeline = suggest_pipeline(FixedTrial(params), schema, random_state=0)
    with threadpool_limits(limits=1):  # as the runner does: OpenMP pools spin on a busy machine
        pipeline.fit(X[schema.features], encode_labels(y, schema))
    model = (AutoRegressor if task_kind == "regression" else AutoClassifier)(n_trials=1, random_state=0)
    model.schema_, model.best_pipeline_, model.oof_ = schema, pipeline, None
    model.n_features_in_, model.feature_names_in_ = X.shape[1], np.asarray(X.columns, dtype=object)
    if task_kind != "regression":
        model.classes_ = np.asarray(schema.classes)
    return model, X


@pytest.mark.parametrize("task_kind,target", [("classification", "species"), ("regression", "body_mass_g")])
@pytest.mark.parametrize("family", FAMILIES)
def test_skops_round_trips_every_family_exactly(tmp_path, penguins, family, task_kind, target):
    import skops.io as sio

    from autopipe.artifact import _allowed, _dump_skops, _load_skops_model

    model, X = _fixed_family_model(penguins, target, task_kind, family)
    _dump_skops(model, tmp_path / MODEL_FILE)
    assert all(_allowed(t) for t in sio.get_untrusted_types(file=tmp_path / MODEL_FILE))
    manifest = {"estimator": type(model).__name__, "model_file": MODEL_FILE, "schema": model.schema_.to_dict(),
                "estimator_params": model.get_params(), "fitted": {"n_features_in_": model.n_features_in_}}
    loaded = _load_skops_model(tmp_path, manifest)
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    if task_kind == "classification":
        np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))
    assert type(loaded.best_pipeline_.named_steps["model"]) is type(model.best_pipeline_.named_steps["model"])

"""Run directories: save, load, identical predictions, and refusal of tampered files."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import autopipe
from autopipe.artifact import MANIFEST_FILE, MODEL_FILE
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
    assert manifest["format_version"] == 1
    assert manifest["task"] == "multiclass"
    assert manifest["metric"] == {"name": "log_loss", "direction": "minimize"}
    assert manifest["cv_score"] == pytest.approx(model.cv_score_)
    assert manifest["best_params"] == model.best_params_
    assert manifest["schema"]["target"] == "species"
    assert {"scikit-learn", "lightgbm", "xgboost", "autopipe"} <= set(manifest["versions"])
    assert len(manifest["checksums"][MODEL_FILE]) == 64


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


def test_tampered_model_file_is_refused(saved_run, tmp_path):
    import shutil

    _, path = saved_run
    copy = tmp_path / "copy"
    shutil.copytree(path, copy)
    with open(copy / MODEL_FILE, "ab") as fh:
        fh.write(b"tampered")
    with pytest.raises(ArtifactError, match="checksum"):
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
    with pytest.raises(ArtifactError, match="manifest.json or model.joblib is missing"):
        autopipe.load(tmp_path / "empty")

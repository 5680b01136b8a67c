"""`autopipe resume` continues a run's study; `autopipe worker` joins one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from autopipe.cli import main
from autopipe.search import TrialState, load_study

DATASETS = Path(__file__).resolve().parents[2] / "datasets"


def _finished(run: Path):
    study = load_study(storage=f"sqlite:///{run / 'study.db'}")
    try:
        return [t for t in study.trials if t.state.is_finished()], study.user_attrs
    finally:
        study._storage.close()


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("resume") / "bc"
    assert main(["fit", str(DATASETS / "breast_cancer.csv"), "--target", "target", "--trials", "3", "--cv", "3",
                 "--seed", "5", "--time-budget", "120", "--out", str(out), "--quiet"]) == 0
    return out


def test_resume_continues_the_recorded_study(run):
    before, attrs = _finished(run)
    assert attrs["cli"]["target"] == "target" and attrs["cli"]["data"].endswith("breast_cancer.csv")
    assert main(["resume", str(run), "--trials", "2", "--time-budget", "120", "--quiet"]) == 0
    after, attrs_after = _finished(run)
    assert len(after) == len(before) + 2
    assert [(t.number, t.value) for t in after[:len(before)]] == [(t.number, t.value) for t in before]
    assert (attrs_after["seed"], attrs_after["cv"]) == (5, 3)  # same folds
    manifest = json.loads((run / "manifest.json").read_text())
    assert manifest["settings"]["cv"] == 3


def test_worker_joins_the_study(run):
    before, _ = _finished(run)
    url = f"sqlite:///{run / 'study.db'}"
    assert main(["worker", "--storage", url, "--study", "autopipe", "--trials", "1", "--time-budget", "120",
                 "--quiet"]) == 0
    after, _ = _finished(run)
    assert len(after) == len(before) + 1
    assert not any(t.state == TrialState.RUNNING for t in after)


def test_resume_without_a_study_is_a_usage_error(tmp_path, capsys):
    assert main(["resume", str(tmp_path)]) == 2
    assert "nothing to resume" in capsys.readouterr().err

"""The command line, run in-process through ``main(argv) -> exit code``."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from autopipe.cli import main

DATASETS = Path(__file__).resolve().parents[2] / "datasets"


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("cli") / "bc"
    code = main(["fit", str(DATASETS / "breast_cancer.csv"), "--target", "target", "--trials", "6",
                 "--time-budget", "60", "--out", str(out), "--quiet"])
    assert code == 0
    return out


def test_fit_writes_a_run_directory(run_dir):
    for name in ("model.skops", "manifest.json", "study.db", "leaderboard.csv", "report.html"):
        assert (run_dir / name).is_file()
    assert json.loads((run_dir / "manifest.json").read_text())["task"] == "binary"


def test_predict_writes_one_prediction_per_row(run_dir, tmp_path):
    out = tmp_path / "pred.csv"
    assert main(["predict", str(run_dir), str(DATASETS / "breast_cancer.csv"), "--out", str(out), "--proba"]) == 0
    preds = pd.read_csv(out)
    assert len(preds) == len(pd.read_csv(DATASETS / "breast_cancer.csv"))
    assert list(preds.columns) == ["prediction", "proba_0", "proba_1"]
    assert set(preds["prediction"]) <= {0, 1}


def test_predict_to_stdout(run_dir, capsys):
    assert main(["predict", str(run_dir), str(DATASETS / "breast_cancer.csv")]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0] == "prediction"
    assert len(lines) == 1 + 569


def test_show_prints_the_leaderboard(run_dir, capsys):
    assert main(["show", str(run_dir), "--top", "3"]) == 0
    out = capsys.readouterr().out
    assert "roc_auc (maximize)" in out and "COMPLETE" in out
    assert main(["show", str(run_dir), "--json"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert records[0]["state"] == "COMPLETE"


def test_report_rewrites_the_html(run_dir, tmp_path):
    target = tmp_path / "r.html"
    assert main(["report", str(run_dir), "--out", str(target)]) == 0
    assert "<html" in target.read_text()[:500].lower()


def test_fit_on_an_existing_run_resumes_its_study(run_dir):
    before = len(pd.read_csv(run_dir / "leaderboard.csv"))
    code = main(["fit", str(DATASETS / "breast_cancer.csv"), "--target", "target", "--trials", "2",
                 "--out", str(run_dir), "--quiet"])
    assert code == 0
    assert len(pd.read_csv(run_dir / "leaderboard.csv")) == before + 2


@pytest.mark.parametrize("argv, code, message", [
    (["fit", "missing.csv", "--target", "y"], 2, "No such file"),
    (["fit", str(DATASETS / "penguins.csv"), "--target", "nope"], 2, "--target 'nope' is not a column"),
    (["fit", str(DATASETS / "penguins.csv")], 2, "Missing option '--target'"),
    (["fit", str(DATASETS / "penguins.csv"), "--target", "species", "--cv", "1"], 2, "--cv"),
    (["predict", "no_such_run", str(DATASETS / "penguins.csv")], 1, "not a run directory"),
])
def test_errors_are_one_line_with_the_right_exit_code(argv, code, message, capsys):
    assert main(argv) == code
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


def test_duplicated_header_is_named_before_training(tmp_path, capsys):
    data = tmp_path / "dup.csv"
    data.write_text("x1,x2,x1,y\n1,2,3,0\n4,5,6,1\n")
    assert main(["fit", str(data), "--target", "y"]) == 1
    assert "duplicated column name(s): 'x1'" in capsys.readouterr().err


def test_semicolon_and_decimal_comma_are_detected(tmp_path):
    from autopipe.cli.tables import read_table

    data = tmp_path / "eu.csv"
    data.write_text("a;b;y\n-0,5;1,25;0\n2,75;-3,5;1\n")
    table = read_table(data)
    assert list(table.columns) == ["a", "b", "y"]
    assert table["a"].tolist() == [-0.5, 2.75]


def test_help_lists_examples(capsys):
    assert main(["--help"]) == 0
    assert "autopipe fit datasets/breast_cancer.csv" in capsys.readouterr().out

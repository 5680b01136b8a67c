"""What the CLI prints: the one-line progress bar, --json, the global --quiet/--verbose, --help."""

from __future__ import annotations

import io
import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from autopipe.cli import main
from autopipe.cli.progress import BAR_WIDTH, Progress
from autopipe.search import TrialState

DATASETS = Path(__file__).resolve().parents[2] / "datasets"


class FakeTTY(io.StringIO):
    def isatty(self):
        return True


def _trial(number, state, value):
    return SimpleNamespace(number=number, state=state, value=value, params={"family": "lightgbm"})


def _feed(progress, n=5):
    study = SimpleNamespace(best_value=0.9)
    for i in range(n):
        state = TrialState.PRUNED if i % 2 else TrialState.COMPLETE
        progress(study, _trial(i, state, 0.9 if state == TrialState.COMPLETE else None))


def test_progress_is_one_redrawn_line_on_a_terminal(monkeypatch):
    monkeypatch.setattr("shutil.get_terminal_size", lambda fallback=None: SimpleNamespace(columns=60, lines=20))
    stream = FakeTTY()
    progress = Progress(60.0, 10, stream=stream)
    _feed(progress)
    text = stream.getvalue()
    assert "\n" not in text  # redrawn in place, never scrolls
    frames = [f for f in text.split("\r") if f]
    assert len(frames) == 5 and all(len(f.replace("\x1b[K", "")) <= 59 for f in frames)
    assert frames[-1].startswith("[" + "#" * (BAR_WIDTH // 2))  # 5 of 10 trials: half the bar
    assert "trials 5/10" in frames[-1] and "pruned 2" in frames[-1] and "best 0.9" in frames[-1]
    progress.close()
    assert stream.getvalue().endswith("\n")


def test_progress_logs_plain_lines_when_not_a_terminal():
    stream = io.StringIO()
    progress = Progress(None, 5, stream=stream)
    _feed(progress)
    lines = stream.getvalue().splitlines()
    assert lines and "\r" not in stream.getvalue() and lines[-1].startswith("trials 5/5")


def test_verbose_progress_prints_every_trial_and_quiet_nothing():
    stream = io.StringIO()
    _feed(Progress(None, 5, stream=stream, verbose=True))
    assert [line.split()[1] for line in stream.getvalue().splitlines()] == ["0", "1", "2", "3", "4"]
    quiet = io.StringIO()
    _feed(Progress(None, 5, stream=quiet, quiet=True))
    assert quiet.getvalue() == ""


def test_fit_json_global_quiet_and_show(tmp_path, capsys):
    out = tmp_path / "bc"
    code = main(["-q", "fit", str(DATASETS / "penguins.csv"), "--target", "species", "--trials", "2",
                 "--cv", "2", "--out", str(out), "--json"])
    assert code == 0
    captured = capsys.readouterr()
    assert captured.err == ""  # --quiet: no "Read ..." line and no progress
    result = json.loads(captured.out)
    assert result["metric"] == "log_loss" and result["n_trials"] == 2 and result["run_dir"] == str(out)
    assert result["cv_score"] == pytest.approx(json.loads((out / "manifest.json").read_text())["cv_score"])
    assert main(["show", str(out), "--json", "--top", "2"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 2


@pytest.mark.parametrize("argv", [["--help"], ["fit", "--help"], ["show", "--help"], ["report", "--help"]])
def test_help_has_examples(argv, capsys):
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "Example" in out and "autopipe " in out

"""Every recipe runs, as a user would run it, from the repository root."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(cmd: list[str], tmp_path: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    return subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def test_quickstart_recipe(tmp_path):
    result = _run([sys.executable, "recipes/quickstart.py"], tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "saved and reloaded: predictions identical" in result.stdout
    assert "best CV log_loss" in result.stdout


def test_cli_session_recipe(tmp_path):
    import shutil

    shutil.rmtree(ROOT / "runs" / "diabetes", ignore_errors=True)  # a fresh session, not a resumed one
    result = _run(["bash", "recipes/cli_session.sh"], tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "regression · rmse (minimize)" in result.stdout
    predictions = (ROOT / "runs" / "diabetes" / "predictions.csv").read_text().splitlines()
    assert predictions[0] == "prediction" and len(predictions) == 443

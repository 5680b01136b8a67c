"""A study run by worker processes is killed with SIGKILL at random moments and resumed.

Every trial that had completed must survive each kill; nothing is duplicated; no trial
is left RUNNING once the study is resumed; and the counts add up: each trial a dead
worker left behind is FAIL ("worker lost") with exactly one retry queued after it.
"""

from __future__ import annotations

import collections
import os
import random
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from autopipe.search import TrialState, load_study

SCRIPT = textwrap.dedent('''
    import random, sys, time
    from autopipe.search import RandomSampler, create_study
    from autopipe.search.storage.rdb import RDBStorage

    def objective(trial):
        x = trial.suggest_float("x", 0.0, 1.0)
        time.sleep(random.uniform(0.05, 0.4))
        trial.report(x, 0)
        return x

    if __name__ == "__main__":
        url, n_jobs, n_trials = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
        storage = RDBStorage(url, heartbeat_interval=1.0, grace_period=30.0)
        study = create_study(storage=storage, study_name="kill", load_if_exists=True, sampler=RandomSampler())
        study.optimize(objective, n_trials=n_trials, n_jobs=n_jobs)
''')


def _completed(url) -> dict[int, float]:
    try:
        study = load_study(storage=url, study_name="kill")
    except Exception:  # noqa: BLE001 - not created yet
        return {}
    done = {t.number: t.value for t in study.get_trials((TrialState.COMPLETE,))}
    study._storage.close()
    return done


def _run_and_kill(script, url, n_jobs, rng) -> None:
    proc = subprocess.Popen([sys.executable, str(script), url, str(n_jobs), "100000"], start_new_session=True)
    before = len(_completed(url))
    deadline = time.monotonic() + 300
    while len(_completed(url)) < before + 3 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.2)
    time.sleep(rng.uniform(0.0, 1.5))
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def _kill_and_resume(tmp_path, kills: int, n_jobs: int) -> None:
    script = tmp_path / "search.py"
    script.write_text(SCRIPT)
    url = f"sqlite:///{tmp_path / 'kill.db'}"
    rng = random.Random(kills)
    survived: dict[int, float] = {}
    for _ in range(kills):
        _run_and_kill(script, url, n_jobs, rng)
        now = _completed(url)
        assert all(now.get(n) == v for n, v in survived.items())  # nothing completed is ever lost
        survived = now
    subprocess.run([sys.executable, str(script), url, str(n_jobs), "6"], check=True, timeout=600)
    study = load_study(storage=url, study_name="kill")
    trials = study.trials
    assert all(study.trials[n].value == v for n, v in survived.items())
    assert sorted(t.number for t in trials) == list(range(len(trials)))
    states = collections.Counter(t.state for t in trials)
    assert TrialState.RUNNING not in states
    lost = [t for t in trials if t.state == TrialState.FAIL]
    assert lost and all(t.system_attrs["fail_reason"].startswith("worker lost") for t in lost)
    retries = collections.Counter(t.system_attrs.get("retry_of") for t in trials if "retry_of" in t.system_attrs)
    assert retries == collections.Counter(t.number for t in lost if t.system_attrs.get("retries", 0) == 0)
    assert states[TrialState.COMPLETE] + len(lost) + states[TrialState.WAITING] == len(trials)
    assert states[TrialState.COMPLETE] >= len(survived) + 6 - states[TrialState.WAITING]


def test_kill_and_resume_short(tmp_path):
    _kill_and_resume(tmp_path, kills=2, n_jobs=2)


@pytest.mark.slow
def test_kill_and_resume_4_processes_5_times(tmp_path):
    _kill_and_resume(tmp_path, kills=5, n_jobs=4)

"""Trials in processes sharing one study: exact budgets, callbacks here, no lock failures."""

from __future__ import annotations

import collections

import pytest
from storage_backends import db_url  # noqa: F401 - fixture

from autopipe.search import RandomSampler, TrialState, create_study


def cheap(trial):
    x = trial.suggest_float("x", -2.0, 2.0)
    trial.report(x, 0)
    trial.set_user_attr("tag", trial.number)
    return x * x


def _check_clean(study, n):
    trials = study.trials
    states = collections.Counter(t.state for t in trials)
    assert states == {TrialState.COMPLETE: n}, states  # none failed by locking, none left running
    assert sorted(t.number for t in trials) == list(range(n))


def test_processes_share_a_study(db_url):
    study = create_study(storage=db_url, study_name="p", sampler=RandomSampler(3))
    seen = []
    study.optimize(cheap, n_trials=24, n_jobs=3, callbacks=[lambda s, t: seen.append(t.number)])
    _check_clean(study, 24)
    assert sorted(seen) == list(range(24))  # callbacks ran here, once per trial
    assert {t.user_attrs["tag"] for t in study.trials} == set(range(24))


def test_seeded_parallel_runs_draw_the_same_params_per_trial_number(tmp_path):
    runs = []
    for i in range(2):
        study = create_study(storage=f"sqlite:///{tmp_path / f'r{i}.db'}", study_name="r", sampler=RandomSampler(7))
        study.optimize(cheap, n_trials=10, n_jobs=2)
        runs.append({t.number: t.params["x"] for t in study.trials})
    assert runs[0] == runs[1]


def test_uncaught_error_in_a_worker_is_raised_here(tmp_path):
    study = create_study(storage=f"sqlite:///{tmp_path / 'e.db'}", study_name="e")

    def broken(trial):
        raise KeyError("boom")

    with pytest.raises(KeyError, match="boom"):
        study.optimize(broken, n_trials=6, n_jobs=2)
    assert all(t.state == TrialState.FAIL for t in study.trials) and len(study.trials) >= 1
    study.optimize(broken, n_trials=4, n_jobs=2, catch=(KeyError,))
    assert all(t.state == TrialState.FAIL for t in study.trials)


def test_a_callback_can_stop_the_workers(tmp_path):
    study = create_study(storage=f"sqlite:///{tmp_path / 's.db'}", study_name="s")

    def stop_after_five(s, trial):
        if len(s.get_trials((TrialState.COMPLETE,))) >= 5:
            s.stop()

    study.optimize(cheap, n_trials=200, n_jobs=2, callbacks=[stop_after_five])
    assert 5 <= len(study.trials) <= 7


@pytest.mark.slow
def test_8_processes_x_50_trials_on_sqlite(tmp_path):
    study = create_study(storage=f"sqlite:///{tmp_path / 'big.db'}", study_name="big", sampler=RandomSampler(0))
    study.optimize(cheap, n_trials=400, n_jobs=8)
    _check_clean(study, 400)


@pytest.mark.slow
def test_16_processes_on_postgresql():
    from pg_server import fresh_database

    with fresh_database() as url:
        study = create_study(storage=url, study_name="big", sampler=RandomSampler(0))
        study.optimize(cheap, n_trials=800, n_jobs=16)
        _check_clean(study, 800)
        study._storage.close()

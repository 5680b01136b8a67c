"""The Study API: ask/tell and the optimize loop (budgets, callbacks, errors, threads, stop)."""

from __future__ import annotations

import threading
import time

import pytest

from autopipe.exceptions import ParameterError, TrialPruned
from autopipe.search import FrozenTrial, NopPruner, RandomSampler, TrialState, create_study


def _study(**kwargs):
    kwargs.setdefault("sampler", RandomSampler(0))
    kwargs.setdefault("pruner", NopPruner())
    return create_study(**kwargs)


def _quadratic(trial):
    return (trial.suggest_float("x", -2.0, 2.0) - 0.5) ** 2


# -- ask and tell ---------------------------------------------------------------------
def test_ask_tell_value_completes():
    study = _study()
    trial = study.ask()
    x = trial.suggest_float("x", 0.0, 1.0)
    frozen = study.tell(trial, x * 2)
    assert frozen.state == TrialState.COMPLETE and frozen.value == x * 2
    assert study.best_params == {"x": x}


@pytest.mark.parametrize("state", [TrialState.PRUNED, TrialState.FAIL])
def test_ask_tell_state(state):
    study = _study()
    study.tell(study.ask(), state)
    assert study.trials[0].state == state
    assert study.trials[0].value is None


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), "abc"])
def test_tell_non_finite_value_fails_the_trial(bad):
    study = _study()
    study.tell(study.ask(), bad)
    record = study.trials[0]
    assert record.state == TrialState.FAIL and record.value is None
    assert repr(bad) in record.system_attrs["fail_reason"]


def test_tell_by_trial_number():
    study = _study()
    study.ask()
    study.ask()
    study.tell(1, 4.0)
    assert [t.state for t in study.trials] == [TrialState.RUNNING, TrialState.COMPLETE]


def test_tell_needs_a_value_or_a_state():
    study = _study()
    trial = study.ask()
    with pytest.raises(ParameterError):
        study.tell(trial)
    with pytest.raises(ParameterError):
        study.tell(trial, TrialState.COMPLETE)
    assert study.trials[0].state == TrialState.RUNNING


def test_bad_arguments():
    with pytest.raises(ParameterError, match="direction"):
        create_study(direction="up")
    study = _study()
    for kwargs in ({"n_trials": -1}, {"timeout": -1.0}, {"n_jobs": 0}):
        with pytest.raises(ParameterError):
            study.optimize(_quadratic, **kwargs)
    assert study.trials == []


# -- the loop ---------------------------------------------------------------------------
def test_optimize_n_trials():
    study = _study()
    study.optimize(_quadratic, n_trials=7)
    assert [t.number for t in study.trials] == list(range(7))
    assert all(t.state == TrialState.COMPLETE for t in study.trials)
    study.optimize(_quadratic, n_trials=2)  # a second call adds to the history
    assert len(study.trials) == 9
    assert study.best_value == min(t.value for t in study.trials)


def test_optimize_timeout_stops():
    study = _study()

    def slow(trial):
        time.sleep(0.05)
        return _quadratic(trial)

    start = time.monotonic()
    study.optimize(slow, timeout=0.3)
    elapsed = time.monotonic() - start
    assert 0.3 <= elapsed < 1.5
    assert 3 <= len(study.trials) <= 8
    assert all(t.state == TrialState.COMPLETE for t in study.trials)


def test_callbacks_get_each_frozen_trial_once():
    study = _study()
    calls = []

    def objective(trial):
        x = _quadratic(trial)
        if trial.number == 2:
            trial.report(x, 0)
            raise TrialPruned()
        return x

    study.optimize(objective, n_trials=5, callbacks=[lambda s, t: calls.append((s, t))])
    assert [t.number for _, t in calls] == [0, 1, 2, 3, 4]
    assert all(s is study and isinstance(t, FrozenTrial) for s, t in calls)
    assert [t.state for _, t in calls] == [TrialState.COMPLETE] * 2 + [TrialState.PRUNED] + [TrialState.COMPLETE] * 2
    assert [t.value for _, t in calls] == [t.value for t in study.trials]
    assert calls[2][1].value == calls[2][1].intermediate_values[0]


@pytest.mark.parametrize("catch", [(ValueError,), ValueError, [ValueError]])
def test_caught_exception_records_fail_and_continues(catch):
    study = _study()

    def objective(trial):
        x = _quadratic(trial)
        if trial.number % 2 == 0:
            raise ValueError(f"bad trial {trial.number}")
        return x

    study.optimize(objective, n_trials=6, catch=catch)
    assert [t.state.name for t in study.trials] == ["FAIL", "COMPLETE"] * 3
    assert "ValueError: bad trial 4" in study.trials[4].system_attrs["fail_reason"]
    assert study.best_trial.number % 2 == 1


def test_uncaught_exception_reraised_and_trial_failed():
    study = _study()

    def objective(trial):
        if trial.number == 2:
            raise KeyError("boom")
        return _quadratic(trial)

    with pytest.raises(KeyError, match="boom"):
        study.optimize(objective, n_trials=5, catch=(ValueError,))
    assert [t.state.name for t in study.trials] == ["COMPLETE", "COMPLETE", "FAIL"]
    assert "boom" in study.trials[2].system_attrs["fail_reason"]


def test_objective_returning_none_fails_the_trial():
    """Nothing an objective does may leave its trial RUNNING (see run_trial's docstring)."""
    study = _study()
    try:
        study.optimize(lambda t: None, n_trials=2)
    except ParameterError:
        pass
    assert [t.state for t in study.trials][:1] == [TrialState.FAIL]
    assert not study.get_trials((TrialState.RUNNING,))


def test_n_jobs_runs_the_requested_trials():
    """In-memory studies run parallel trials in threads. Database storages run them in
    worker processes: covered by test_storage_contract (enqueued trials, two workers)."""
    study = _study()
    threads = set()

    def objective(trial):
        threads.add(threading.get_ident())
        time.sleep(0.01)
        return _quadratic(trial)

    study.optimize(objective, n_trials=12, n_jobs=2)
    assert len(threads) == 2
    assert sorted(t.number for t in study.trials) == list(range(12))
    assert all(t.state == TrialState.COMPLETE for t in study.trials)


def test_n_jobs_error_leaves_nothing_running():
    study = _study()

    def objective(trial):
        time.sleep(0.01)
        if trial.number == 3:
            raise RuntimeError("worker failure")
        return _quadratic(trial)

    with pytest.raises(RuntimeError):
        study.optimize(objective, n_trials=8, n_jobs=2)
    assert not study.get_trials((TrialState.RUNNING,))
    assert study.trials[3].state == TrialState.FAIL


def test_stop_from_a_callback():
    study = _study()

    def stop_after_three(s, frozen):
        if frozen.number == 2:
            s.stop()

    study.optimize(_quadratic, n_trials=10, callbacks=[stop_after_three])
    assert len(study.trials) == 3
    study.optimize(_quadratic, n_trials=2)  # stop() only ends the run it was called in
    assert len(study.trials) == 5

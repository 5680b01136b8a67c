"""Every storage through the same battery: studies, trial states, records, immutability."""

from __future__ import annotations

import pytest

from autopipe.exceptions import StudyError
from autopipe.search import RandomSampler, StudyDirection, TrialState, create_study, load_study
from autopipe.search.storage.rdb import RDBStorage

ATTRS = {"int": 3, "float": 0.25, "str": "héllo", "none": None, "bool": True,
         "list": [1, "two", None, 3.5], "dict": {"nested": {"a": [1, 2]}, "flag": False}}


def _objective(trial):
    x = trial.suggest_float("x", -3.0, 3.0)
    c = trial.suggest_categorical("c", ["a", "b", None, True])
    for step in range(3):
        trial.report(x * x + step, step)
    trial.set_user_attr("tag", f"t{trial.number}")
    return x * x + (0.5 if c == "a" else 0.0)


def test_create_and_load_by_name(storage):
    study = create_study(storage=storage, study_name="s1", sampler=RandomSampler(0))
    study.optimize(_objective, n_trials=4)
    loaded = load_study(study_name="s1", storage=storage)
    assert loaded.study_name == "s1"
    assert [(t.number, t.params, t.value) for t in loaded.trials] == [(t.number, t.params, t.value)
                                                                       for t in study.trials]
    assert "s1" in storage.get_all_study_names()
    with pytest.raises(StudyError):
        load_study(study_name="nope", storage=storage)


def test_duplicate_name_raises(storage):
    create_study(storage=storage, study_name="dup")
    with pytest.raises(StudyError, match="dup"):
        create_study(storage=storage, study_name="dup")


def test_load_if_exists_returns_the_existing_study(storage):
    first = create_study(storage=storage, study_name="s", direction="maximize", sampler=RandomSampler(0))
    first.optimize(_objective, n_trials=3)
    again = create_study(storage=storage, study_name="s", direction="maximize", load_if_exists=True)
    assert len(again.trials) == 3
    assert again.best_value == first.best_value
    with pytest.raises(StudyError, match="maximize"):
        create_study(storage=storage, study_name="s", direction="minimize", load_if_exists=True)


@pytest.mark.parametrize("direction", ["minimize", "maximize"])
def test_direction_kept(storage, direction):
    study = create_study(storage=storage, study_name="d", direction=direction)
    for v in (2.0, 1.0, 3.0):
        study.tell(study.ask(), v)
    loaded = load_study(study_name="d", storage=storage)
    assert loaded.direction == StudyDirection(direction) == direction
    assert loaded.best_value == (1.0 if direction == "minimize" else 3.0)


def test_trial_states(storage):
    study = create_study(storage=storage, study_name="states")
    running = study.ask()
    done, pruned, failed = study.ask(), study.ask(), study.ask()
    study.tell(done, 1.5)
    pruned.report(0.7, 0)
    study.tell(pruned, TrialState.PRUNED)
    study.tell(failed, TrialState.FAIL)
    study.enqueue_trial({"x": 1.0})
    states = [t.state for t in study.trials]
    assert states == [TrialState.RUNNING, TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL,
                      TrialState.WAITING]
    assert [t.number for t in study.trials] == [0, 1, 2, 3, 4]
    assert [t.number for t in study.get_trials((TrialState.PRUNED, TrialState.FAIL))] == [2, 3]
    assert study.trials[1].value == 1.5 and study.trials[2].value == 0.7 and study.trials[3].value is None
    assert study.trials[1].datetime_complete >= study.trials[1].datetime_start
    assert running.number == 0


def test_intermediate_values_and_user_attrs_round_trip(storage):
    study = create_study(storage=storage, study_name="attrs")
    trial = study.ask()
    for step, value in [(0, 0.5), (1, 0.25), (3, 0.125)]:
        trial.report(value, step)
    trial.report(9.0, 1)  # a step is recorded once: the first report wins
    for key, value in ATTRS.items():
        trial.set_user_attr(key, value)
        study.set_user_attr(key, value)
    study.tell(trial, 0.1)
    stored = load_study(study_name="attrs", storage=storage).trials[0]
    assert stored.intermediate_values == {0: 0.5, 1: 0.25, 3: 0.125}
    assert stored.last_step == 3
    assert stored.user_attrs == ATTRS
    assert study.user_attrs == ATTRS


def test_finished_trials_cannot_be_modified(storage):
    study = create_study(storage=storage, study_name="frozen")
    trial = study.ask()
    trial.suggest_float("x", 0.0, 1.0)
    study.tell(trial, 1.0)
    tid = trial._trial_id
    with pytest.raises(StudyError):
        study.tell(trial, 2.0)
    with pytest.raises(StudyError):
        trial.report(0.5, 0)
    with pytest.raises(StudyError):
        trial.set_user_attr("k", 1)
    with pytest.raises(StudyError):
        trial.suggest_float("y", 0.0, 1.0)
    with pytest.raises(StudyError):
        storage.set_trial_state_values(tid, TrialState.FAIL)
    record = study.trials[0]
    assert (record.state, record.value, list(record.params), record.user_attrs) == (TrialState.COMPLETE, 1.0,
                                                                                    ["x"], {})


def test_enqueued_params_are_used_and_claimed_once(storage):
    study = create_study(storage=storage, study_name="queue", sampler=RandomSampler(0))
    study.enqueue_trial({"x": 0.5, "c": None})
    study.enqueue_trial({"x": -2.0, "c": True}, user_attrs={"source": "user"})
    study.optimize(_objective, n_trials=3)
    trials = study.trials
    assert len(trials) == 3
    assert [t.state for t in trials] == [TrialState.COMPLETE] * 3
    assert trials[0].params == {"x": 0.5, "c": None}
    assert trials[1].params["x"] == -2.0 and trials[1].params["c"] is True
    assert trials[1].user_attrs["source"] == "user"
    assert trials[2].params["x"] not in (0.5, -2.0)


def test_enqueued_values_reach_the_objective_unchanged(storage):
    """A user's 0.003 must not come back as 0.002999999999999999 through the log scale."""
    study = create_study(storage=storage, study_name="exact", sampler=RandomSampler(0))
    given = {"lr": 0.003, "alpha": 0.1, "n": 37}
    study.enqueue_trial(given)
    seen = []

    def objective(trial):
        seen.append({"lr": trial.suggest_float("lr", 1e-5, 1.0, log=True),
                     "alpha": trial.suggest_float("alpha", 1e-4, 10.0, log=True),
                     "n": trial.suggest_int("n", 1, 100, log=True)})
        return 0.0

    study.optimize(objective, n_trials=1)
    assert seen == [given]
    assert study.trials[0].params == given


def test_waiting_trial_claimed_by_one_worker_only(storage):
    study = create_study(storage=storage, study_name="claim")
    study.enqueue_trial({"x": 1.0})
    tid = study.trials[0].trial_id
    assert storage.set_trial_state_values(tid, TrialState.RUNNING) is True
    assert storage.set_trial_state_values(tid, TrialState.RUNNING) is False
    assert study.trials[0].state == TrialState.RUNNING


def test_enqueued_trials_run_once_each_with_two_workers(storage):
    study = create_study(storage=storage, study_name="claim2", sampler=RandomSampler(0))
    queued = [-2.0, -1.0, 0.0, 1.0, 2.0, 2.5]
    for x in queued:
        study.enqueue_trial({"x": x})
    study.optimize(lambda t: t.suggest_float("x", -3.0, 3.0) ** 2, n_trials=len(queued), n_jobs=2)
    assert sorted(t.params["x"] for t in study.trials) == queued
    assert all(t.state == TrialState.COMPLETE for t in study.trials)


def test_trials_dataframe(storage):
    study = create_study(storage=storage, study_name="df", sampler=RandomSampler(0))
    study.optimize(_objective, n_trials=4)
    df = study.trials_dataframe()
    expected = {"number", "value", "state", "datetime_start", "datetime_complete", "duration", "params_x",
                "params_c", "user_attrs_tag"}
    assert set(df.columns) == expected
    assert df["number"].tolist() == [0, 1, 2, 3]
    assert df["state"].tolist() == ["COMPLETE"] * 4
    assert df["value"].tolist() == [t.value for t in study.trials]
    assert df["params_x"].tolist() == [t.params["x"] for t in study.trials]


@pytest.mark.parametrize("direction", ["minimize", "maximize"])
def test_best_trial_ignores_pruned_and_failed(storage, direction):
    study = create_study(storage=storage, study_name="best", direction=direction)
    with pytest.raises(StudyError):
        study.best_trial
    sign = 1.0 if direction == "minimize" else -1.0
    pruned = study.ask()
    pruned.report(sign * -100.0, 0)  # far better than anything completed
    study.tell(pruned, TrialState.PRUNED)
    study.tell(study.ask(), sign * -200.0, state=TrialState.FAIL)
    with pytest.raises(StudyError):
        study.best_trial
    study.tell(study.ask(), sign * 5.0)
    study.tell(study.ask(), sign * 3.0)
    study.tell(study.ask(), sign * 4.0)
    assert study.trials[0].value == sign * -100.0
    assert study.best_trial.number == 3
    assert study.best_value == sign * 3.0
    assert study.best_trial.state == TrialState.COMPLETE


def test_fresh_storage_object_sees_identical_trials(sqlite_url):
    study = create_study(storage=sqlite_url, study_name="reload", sampler=RandomSampler(7))
    live = []

    def objective(trial):
        x = trial.suggest_float("x", 1e-5, 1.0, log=True)
        s = trial.suggest_float("s", -1.0, 1.0, step=0.1)
        n = trial.suggest_int("n", 1, 64, log=True)
        c = trial.suggest_categorical("c", [None, True, False, 2, 0.5, "z"])
        live.append(trial.params)
        trial.report(x, 0)
        trial.set_user_attr("meta", {"n": n, "tags": ["a", None]})
        if n > 40:
            raise ValueError("too big")
        return x + s + n + (1.0 if c is None else 0.0)

    study.optimize(objective, n_trials=15, catch=(ValueError,))
    study.tell(study.ask(), TrialState.PRUNED)
    fresh = RDBStorage(sqlite_url)
    try:
        loaded = load_study(study_name="reload", storage=fresh)
        assert fresh is not study._storage
        before, after = study.trials, loaded.trials
        assert len(after) == 16
        assert [repr(sorted(t.params.items())) for t in after[:15]] == [repr(sorted(p.items())) for p in live]
        for a, b in zip(before, after):
            assert (a.number, a.state, a.value, a.intermediate_values, a.user_attrs) == \
                   (b.number, b.state, b.value, b.intermediate_values, b.user_attrs)
            assert a.params == b.params and a.distributions == b.distributions
            assert [type(v) for v in a.params.values()] == [type(v) for v in b.params.values()]
        assert loaded.best_params == study.best_params
    finally:
        fresh.close()
        study._storage.close()

"""The database storage under concurrency: unique numbers, migration, heartbeats, retries."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

import pytest
import sqlalchemy as sa
from storage_backends import db_url  # noqa: F401 - fixture

from autopipe.exceptions import StudyError
from autopipe.search import RandomSampler, TrialState, create_study, load_study
from autopipe.search.storage import _schema as S
from autopipe.search.storage._retry import with_retries
from autopipe.search.storage.rdb import RDBStorage


def test_trial_numbers_unique_under_concurrent_inserts(db_url):
    study = create_study(storage=db_url, study_name="n")
    study_id = study._study_id

    def insert(n):
        own = RDBStorage(db_url)  # its own connections, as another process would have
        for _ in range(n):
            own.create_new_trial(study_id)
        own.close()

    threads = [threading.Thread(target=insert, args=(15,)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(t.number for t in study.trials) == list(range(60))


def test_version_1_database_is_upgraded(tmp_path):
    url = f"sqlite:///{tmp_path / 'v1.db'}"
    engine = sa.create_engine(url)
    old = [S.version, S.studies, S.study_attrs, S.trials, S.params, S.steps, S.trial_attrs]
    S.meta.create_all(engine, tables=old)
    with engine.begin() as conn:
        conn.execute(S.version.insert().values(version=1))
        conn.execute(S.studies.insert().values(study_id=1, name="old", direction="minimize"))
        for number in range(3):
            conn.execute(S.trials.insert().values(study_id=1, number=number, state="COMPLETE", value=float(number)))
    engine.dispose()
    study = load_study(storage=url, study_name="old")
    study.tell(study.ask(), 9.0)
    assert [t.number for t in study.trials] == [0, 1, 2, 3]
    with sa.create_engine(url).connect() as conn:
        assert conn.execute(sa.select(S.version.c.version)).scalar() == S.SCHEMA_VERSION


def test_trial_of_a_dead_process_is_failed_and_retried_with_its_params(db_url):
    study = create_study(storage=db_url, study_name="dead", sampler=RandomSampler(0))
    code = ("import os, sys; from autopipe.search import load_study; "
            "s = load_study(storage=sys.argv[1], study_name='dead'); t = s.ask(); "
            "t.suggest_float('x', 0.0, 1.0); t.suggest_int('n', 1, 9); os._exit(0)")
    subprocess.run([sys.executable, "-c", code, db_url], check=True, timeout=120)
    (orphan,) = study.trials
    assert orphan.state == TrialState.RUNNING
    retry = study.ask()  # the next worker reaps the orphan first, then claims its retry
    dead = study.trials[0]
    assert dead.state == TrialState.FAIL and dead.system_attrs["fail_reason"].startswith("worker lost")
    assert retry.number == 1 and retry.suggest_float("x", 0.0, 1.0) == orphan.params["x"]
    assert retry.suggest_int("n", 1, 9) == orphan.params["n"]
    study.tell(retry, 0.5)
    assert study.trials[1].system_attrs["retry_of"] == 0
    assert [t.state for t in study.trials] == [TrialState.FAIL, TrialState.COMPLETE]


def test_silent_trial_is_failed_after_the_grace_period_and_retried_once(db_url):
    fast = RDBStorage(db_url, heartbeat_interval=0.1, grace_period=0.5)
    study = create_study(storage=fast, study_name="silent")
    elsewhere = RDBStorage(db_url, heartbeat_interval=0.1, grace_period=0.5)
    elsewhere._host = "another-host"  # its pid cannot be checked from here: only the grace period counts
    first = elsewhere.create_new_trial(study._study_id)
    assert fast.fail_stale_trials(study._study_id) == []
    time.sleep(0.7)
    assert fast.fail_stale_trials(study._study_id) == [first.trial_id]
    assert fast.fail_stale_trials(study._study_id) == []  # failed exactly once
    from autopipe.search.heartbeat import fail_stale_trials

    # a trial that was already a retry is not queued again when its worker dies too
    assert study.trials[0].state == TrialState.FAIL
    study.enqueue_trial({})
    waiting = study.trials[-1]
    elsewhere.set_trial_state_values(waiting.trial_id, TrialState.RUNNING)
    elsewhere.set_trial_attr(waiting.trial_id, "retries", 1, system=True)
    time.sleep(0.7)
    reaped = fail_stale_trials(study)
    assert [t.number for t in reaped] == [waiting.number]
    assert all(t.state != TrialState.WAITING for t in study.trials)
    elsewhere.close()


def test_heartbeat_keeps_a_long_trial_alive(tmp_path):
    url = f"sqlite:///{tmp_path / 'hb.db'}"
    study = create_study(storage=RDBStorage(url, heartbeat_interval=0.1, grace_period=0.4), study_name="hb")
    watcher = RDBStorage(url, heartbeat_interval=0.1, grace_period=0.4)
    watcher._host = "another-host"
    reaped = []

    def objective(trial):
        for _ in range(6):
            time.sleep(0.2)
            reaped.extend(watcher.fail_stale_trials(study._study_id))
        return 1.0

    study.optimize(objective, n_trials=1)
    assert reaped == [] and study.trials[0].state == TrialState.COMPLETE


def test_locked_database_is_retried_with_backoff():
    calls = []

    def flaky():
        calls.append(time.monotonic())
        if len(calls) < 3:
            raise sa.exc.OperationalError("INSERT", {}, Exception("database is locked"))
        return "ok"

    assert with_retries(flaky, first_wait=0.01) == "ok" and len(calls) == 3
    with pytest.raises(sa.exc.OperationalError):
        with_retries(lambda: (_ for _ in ()).throw(sa.exc.OperationalError("x", {}, Exception("no such table"))))


def test_error_messages_hide_the_password():
    with pytest.raises(StudyError) as info:
        RDBStorage("postgresql://user:s3cret@127.0.0.1:1/none?connect_timeout=2")
    assert "s3cret" not in str(info.value) and "***" in str(info.value)

"""The optimisation loop behind ``Study.optimize``: serial, threads, processes or Dask.

``n_jobs > 1`` runs trials in worker processes when the storage is a database other
processes can open (a SQLite file, PostgreSQL) and the objective can be pickled with
cloudpickle; otherwise (the in-memory storage, an unpicklable objective) in threads of
this process, which share the in-memory study directly. ``dask_client`` sends trials to
a Dask cluster. In every case this process decides when to stop and runs the callbacks.
"""

from __future__ import annotations

import os
import threading
import time
import traceback
import warnings
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from typing import TYPE_CHECKING, Callable

from autopipe.exceptions import ParameterError, StudyError, TrialPruned
from autopipe.search.frozen import FrozenTrial, TrialState
from autopipe.search.heartbeat import heartbeat

if TYPE_CHECKING:
    from autopipe.search.study import Callback, Objective, Study


def run_optimize(study: "Study", func: "Objective", *, n_trials: int | None, timeout: float | None, n_jobs: int,
                 catch: tuple[type[BaseException], ...], callbacks: list["Callback"], dask_client=None) -> None:
    if n_trials is not None and n_trials < 0:
        raise ParameterError(f"'n_trials' must be >= 0 or None. Got {n_trials} instead.")
    if timeout is not None and timeout < 0:
        raise ParameterError(f"'timeout' must be >= 0 or None. Got {timeout} instead.")
    if n_jobs == -1:
        n_jobs = os.cpu_count() or 1
    if n_jobs < 1:
        raise ParameterError(f"'n_jobs' must be >= 1 or -1. Got {n_jobs} instead.")
    study._stop_flag = False
    deadline = None if timeout is None else time.monotonic() + timeout
    budget = _TrialBudget(n_trials)

    def keep_going() -> bool:
        if study._stop_flag:
            return False
        if deadline is not None and time.monotonic() >= deadline:
            return False
        return budget.take()

    if dask_client is not None:
        from autopipe.search.executors.dask import optimize_on_dask

        optimize_on_dask(study, _payload(study, func, catch, required=True), client=dask_client,
                         keep_going=keep_going, callbacks=callbacks)
        return
    if n_jobs == 1:
        while keep_going():
            run_trial(study, func, catch, callbacks)
        return
    payload = _payload(study, func, catch, required=False)
    if payload is not None:
        from autopipe.search.executors.process import optimize_in_processes

        optimize_in_processes(study, payload, n_jobs=n_jobs, keep_going=keep_going, callbacks=callbacks)
        return
    _optimize_in_threads(study, func, n_jobs, keep_going, catch, callbacks)


def _payload(study: "Study", func: Callable, catch: tuple, *, required: bool) -> bytes | None:
    """The pickled study and objective for other processes, or None to use threads."""
    from autopipe.search.executors import Payload, can_run_out_of_process

    if not can_run_out_of_process(study._storage):
        if required:
            raise ParameterError("Running trials on Dask needs a database storage the workers can open "
                                 "(storage='sqlite:///path.db' on one machine or a shared disk, "
                                 "'postgresql://...' for many machines). Got an in-memory storage.")
        return None
    try:
        return Payload(study, func, catch).dumps()
    except Exception as exc:  # noqa: BLE001 - any pickling failure means: stay in this process
        if required:
            raise ParameterError(f"The objective cannot be sent to Dask workers: it does not pickle ({exc}).") \
                from None
        warnings.warn(f"The objective cannot be pickled ({exc}); running its trials in threads instead of "
                      "processes.", UserWarning, stacklevel=4)
        return None


def _optimize_in_threads(study, func, n_jobs, keep_going, catch, callbacks) -> None:
    with ThreadPoolExecutor(max_workers=n_jobs) as pool:
        running = set()
        while True:
            while len(running) < n_jobs and keep_going():
                running.add(pool.submit(run_trial, study, func, catch, callbacks))
            if not running:
                break
            done, running = wait(running, return_when=FIRST_COMPLETED)
            for fut in done:
                fut.result()  # re-raise an uncaught objective error


class _TrialBudget:
    """Counts trial starts across threads."""

    def __init__(self, n_trials: int | None) -> None:
        self._left = n_trials
        self._lock = threading.Lock()

    def take(self) -> bool:
        with self._lock:
            if self._left is None:
                return True
            if self._left <= 0:
                return False
            self._left -= 1
            return True


def run_trial(study: "Study", func: Callable, catch: tuple[type[BaseException], ...],
              callbacks: list) -> FrozenTrial:
    """Run one trial to a final state; nothing the objective does leaves it RUNNING."""
    trial = study.ask()
    try:
        with heartbeat(study, trial):
            value = func(trial)
    except TrialPruned:
        frozen = _tell(study, trial, TrialState.PRUNED)
    except BaseException as exc:  # noqa: BLE001 - every failure is recorded before deciding to re-raise
        reason = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        frozen = _tell(study, trial, TrialState.FAIL, reason[:2000])
        if not isinstance(exc, catch) or not isinstance(exc, Exception):
            raise
    else:
        if value is None:
            frozen = _tell(study, trial, TrialState.FAIL, "the objective returned None")
        else:
            frozen = _tell(study, trial, value)
    for callback in callbacks:
        callback(study, frozen)
    return frozen


def _tell(study: "Study", trial, value_or_state, fail_reason: str | None = None) -> FrozenTrial:
    """``study.tell``, unless another worker already failed this trial for a lost
    heartbeat (a stalled, not dead, worker): then its record stands."""
    try:
        if fail_reason is not None:
            study._storage.set_trial_attr(trial._trial_id, "fail_reason", fail_reason, system=True)
        return study.tell(trial, value_or_state)
    except StudyError:
        record = study._storage.get_trial(trial._trial_id)
        if not record.state.is_finished():
            raise
        return record

"""The optimisation loop behind ``Study.optimize``: serial, or threads sharing a study."""

from __future__ import annotations

import threading
import time
import traceback
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from typing import TYPE_CHECKING, Callable

from autopipe.exceptions import ParameterError, TrialPruned
from autopipe.search.frozen import FrozenTrial, TrialState

if TYPE_CHECKING:
    from autopipe.search.study import Callback, Objective, Study


def run_optimize(study: "Study", func: "Objective", *, n_trials: int | None, timeout: float | None, n_jobs: int,
                 catch: tuple[type[BaseException], ...], callbacks: list["Callback"]) -> None:
    if n_trials is not None and n_trials < 0:
        raise ParameterError(f"'n_trials' must be >= 0 or None. Got {n_trials} instead.")
    if timeout is not None and timeout < 0:
        raise ParameterError(f"'timeout' must be >= 0 or None. Got {timeout} instead.")
    if n_jobs == -1:
        import os

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

    if n_jobs == 1:
        while keep_going():
            run_trial(study, func, catch, callbacks)
        return
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
        value = func(trial)
    except TrialPruned:
        frozen = study.tell(trial, TrialState.PRUNED)
    except BaseException as exc:  # noqa: BLE001 - every failure is recorded before deciding to re-raise
        reason = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        study._storage.set_trial_attr(trial._trial_id, "fail_reason", reason[:2000], system=True)
        frozen = study.tell(trial, TrialState.FAIL)
        if not isinstance(exc, catch) or not isinstance(exc, Exception):
            raise
    else:
        if value is None:
            study._storage.set_trial_attr(trial._trial_id, "fail_reason", "the objective returned None", system=True)
            frozen = study.tell(trial, TrialState.FAIL)
        else:
            frozen = study.tell(trial, value)
    for callback in callbacks:
        callback(study, frozen)
    return frozen

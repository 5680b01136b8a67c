"""A study: one optimisation problem, its trials, and the policies that drive it."""

from __future__ import annotations

import math
import uuid
from typing import Any, Callable, Iterable, Sequence

from autopipe.exceptions import ParameterError, StudyError
from autopipe.search.frozen import FrozenTrial, StudyDirection, TrialState
from autopipe.search.pruners import BasePruner, MedianPruner
from autopipe.search.samplers import BaseSampler, TPESampler
from autopipe.search.storage import BaseStorage, get_storage
from autopipe.search.trial import Trial

Objective = Callable[[Trial], float]
Callback = Callable[["Study", FrozenTrial], None]


class Study:
    def __init__(self, study_name: str, storage: BaseStorage, sampler: BaseSampler | None = None,
                 pruner: BasePruner | None = None) -> None:
        self.study_name = study_name
        self._storage = storage
        self._study_id = storage.get_study_id_from_name(study_name)
        self.direction = storage.get_study_direction(self._study_id)
        self.sampler = TPESampler() if sampler is None else sampler
        self.pruner = MedianPruner() if pruner is None else pruner
        self._stop_flag = False

    # -- records -----------------------------------------------------------------------
    @property
    def trials(self) -> list[FrozenTrial]:
        return self._storage.get_all_trials(self._study_id)

    def get_trials(self, states: Iterable[TrialState] | None = None) -> list[FrozenTrial]:
        return self._storage.get_all_trials(self._study_id, states)

    @property
    def best_trial(self) -> FrozenTrial:
        """The best COMPLETE trial; pruned, failed and running trials are never best."""
        complete = [t for t in self.get_trials((TrialState.COMPLETE,)) if t.value is not None]
        if not complete:
            raise StudyError(f"Study {self.study_name!r} has no completed trial yet.")
        sign = -1.0 if self.direction == StudyDirection.MAXIMIZE else 1.0
        return min(complete, key=lambda t: (sign * t.value, t.number))

    @property
    def best_value(self) -> float:
        return self.best_trial.value

    @property
    def best_params(self) -> dict[str, Any]:
        return dict(self.best_trial.params)

    @property
    def user_attrs(self) -> dict[str, Any]:
        return self._storage.get_study_user_attrs(self._study_id)

    def set_user_attr(self, key: str, value: Any) -> None:
        self._storage.set_study_user_attr(self._study_id, key, value)

    def trials_dataframe(self):
        from autopipe.search._dataframe import trials_to_dataframe

        return trials_to_dataframe(self.trials)

    # -- ask and tell ----------------------------------------------------------------
    def ask(self) -> Trial:
        """Start a trial: an enqueued one first, otherwise a fresh one. Trials left RUNNING
        by a dead worker are failed (and queued again) first, see ``heartbeat``."""
        from autopipe.search.heartbeat import fail_stale_trials

        fail_stale_trials(self)
        for waiting in self.get_trials((TrialState.WAITING,)):
            if self._storage.set_trial_state_values(waiting.trial_id, TrialState.RUNNING):
                fixed = waiting.system_attrs.get("fixed_params", {})
                return Trial(self, waiting.trial_id, waiting.number, fixed)
        record = self._storage.create_new_trial(self._study_id)
        return Trial(self, record.trial_id, record.number)

    def tell(self, trial: Trial | int, value_or_state: float | TrialState | None = None,
             *, state: TrialState | None = None) -> FrozenTrial:
        """Finish a trial with a value (COMPLETE) or a state (PRUNED, FAIL)."""
        trial_id = trial._trial_id if isinstance(trial, Trial) else self._trial_id_of(int(trial))
        value: float | None = None
        if isinstance(value_or_state, TrialState):
            state = value_or_state
        elif value_or_state is not None:
            value = _as_finite_float(value_or_state)
            if value is None:
                state = TrialState.FAIL
                self._storage.set_trial_attr(trial_id, "fail_reason", f"objective returned {value_or_state!r}",
                                             system=True)
            elif state is None:
                state = TrialState.COMPLETE
        if state is None:
            raise ParameterError("tell() needs a finite value or a state (PRUNED or FAIL).")
        if state == TrialState.COMPLETE and value is None:
            raise ParameterError("A COMPLETE trial needs a finite value.")
        if state == TrialState.PRUNED:
            record = self._storage.get_trial(trial_id)
            if record.intermediate_values:
                value = record.intermediate_values[max(record.intermediate_values)]
        self._storage.set_trial_state_values(trial_id, state, value)
        frozen = self._storage.get_trial(trial_id)
        self.sampler.after_trial(self, frozen)
        return frozen

    def enqueue_trial(self, params: dict[str, Any], user_attrs: dict[str, Any] | None = None) -> None:
        """Queue a configuration to be evaluated before the sampler is consulted."""
        template = FrozenTrial(number=-1, state=TrialState.WAITING, value=None, params={}, distributions={},
                               user_attrs=dict(user_attrs or {}), system_attrs={"fixed_params": dict(params)})
        self._storage.create_new_trial(self._study_id, template)

    def stop(self) -> None:
        """Ask a running ``optimize`` to finish after the trials now in flight."""
        self._stop_flag = True

    def _trial_id_of(self, number: int) -> int:
        for t in self.trials:
            if t.number == number:
                return t.trial_id
        raise StudyError(f"Study {self.study_name!r} has no trial number {number}.")

    # -- the loop ---------------------------------------------------------------------
    def optimize(self, func: Objective, n_trials: int | None = None, timeout: float | None = None,
                 n_jobs: int = 1, catch: Sequence[type[BaseException]] | type[BaseException] = (),
                 callbacks: Sequence[Callback] | None = None, *, dask_client: Any = None) -> None:
        """Run trials until ``n_trials`` or ``timeout``. ``n_jobs > 1`` runs trials in
        processes when the storage is a database (threads for the in-memory storage);
        ``dask_client`` runs them on a Dask cluster instead (see ``search.executors``)."""
        from autopipe.search._optimize import run_optimize

        run_optimize(self, func, n_trials=n_trials, timeout=timeout, n_jobs=n_jobs,
                     catch=tuple(catch) if isinstance(catch, (list, tuple)) else (catch,),
                     callbacks=list(callbacks or []), dask_client=dask_client)


def _as_finite_float(value: Any) -> float | None:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def create_study(*, direction: str | StudyDirection = "minimize", sampler: BaseSampler | None = None,
                 pruner: BasePruner | None = None, storage: str | BaseStorage | None = None,
                 study_name: str | None = None, load_if_exists: bool = False) -> Study:
    try:
        direction = StudyDirection(direction)
    except ValueError:
        raise ParameterError(f"'direction' must be 'minimize' or 'maximize'. Got {direction!r} instead.") from None
    backend = get_storage(storage)
    name = study_name if study_name is not None else f"study-{uuid.uuid4().hex[:12]}"
    try:
        backend.create_new_study(direction, name)
    except StudyError:
        if not load_if_exists:
            raise
        existing = backend.get_study_direction(backend.get_study_id_from_name(name))
        if existing != direction:
            raise StudyError(f"Study {name!r} exists with direction {existing.value}, not {direction.value}.") from None
    return Study(name, backend, sampler, pruner)


def load_study(*, study_name: str | None = None, storage: str | BaseStorage, sampler: BaseSampler | None = None,
               pruner: BasePruner | None = None) -> Study:
    backend = get_storage(storage)
    if study_name is None:
        names = backend.get_all_study_names()
        if len(names) != 1:
            raise StudyError(f"Give study_name: the storage holds {len(names)} studies ({', '.join(names)}).")
        study_name = names[0]
    try:
        backend.get_study_id_from_name(study_name)
    except KeyError:
        raise StudyError(f"No study named {study_name!r} in this storage.") from None
    return Study(study_name, backend, sampler, pruner)

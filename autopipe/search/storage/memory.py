"""In-process storage: the default for the Python API, fast and thread-safe."""

from __future__ import annotations

import copy
import datetime as dt
import threading
from typing import Any, Iterable

from autopipe.exceptions import StudyError
from autopipe.search.distributions import Distribution
from autopipe.search.frozen import FrozenTrial, StudyDirection, TrialState
from autopipe.search.storage.base import BaseStorage


class _Study:
    def __init__(self, name: str, direction: StudyDirection) -> None:
        self.name = name
        self.direction = direction
        self.user_attrs: dict[str, Any] = {}
        self.trials: list[FrozenTrial] = []
        self.unfinished: set[int] = set()  # numbers of WAITING / RUNNING trials: asking scans these only


class InMemoryStorage(BaseStorage):
    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._studies: dict[int, _Study] = {}
        self._trial_index: dict[int, tuple[int, int]] = {}  # trial_id -> (study_id, number)

    def __getstate__(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "_lock"}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._lock = threading.RLock()
        for study in self._studies.values():  # pickled before the index existed
            if not hasattr(study, "unfinished"):
                study.unfinished = {t.number for t in study.trials if not t.state.is_finished()}

    def create_new_study(self, direction: StudyDirection, study_name: str) -> int:
        with self._lock:
            if any(s.name == study_name for s in self._studies.values()):
                raise StudyError(f"A study named {study_name!r} already exists in this storage.")
            study_id = len(self._studies)
            self._studies[study_id] = _Study(study_name, StudyDirection(direction))
            return study_id

    def get_study_id_from_name(self, study_name: str) -> int:
        with self._lock:
            for study_id, s in self._studies.items():
                if s.name == study_name:
                    return study_id
        raise KeyError(study_name)

    def get_all_study_names(self) -> list[str]:
        with self._lock:
            return [s.name for s in self._studies.values()]

    def get_study_direction(self, study_id: int) -> StudyDirection:
        return self._studies[study_id].direction

    def set_study_user_attr(self, study_id: int, key: str, value: Any) -> None:
        with self._lock:
            self._studies[study_id].user_attrs[key] = copy.deepcopy(value)

    def get_study_user_attrs(self, study_id: int) -> dict[str, Any]:
        with self._lock:
            return copy.deepcopy(self._studies[study_id].user_attrs)

    def create_new_trial(self, study_id: int, template: FrozenTrial | None = None) -> FrozenTrial:
        with self._lock:
            study = self._studies[study_id]
            trial_id = len(self._trial_index)
            number = len(study.trials)
            if template is None:
                trial = FrozenTrial(number, TrialState.RUNNING, None, {}, {}, datetime_start=dt.datetime.now())
            else:
                trial = copy.deepcopy(template)
                trial.number = number
            trial.trial_id = trial_id
            study.trials.append(trial)
            if not trial.state.is_finished():
                study.unfinished.add(number)
            self._trial_index[trial_id] = (study_id, number)
            return trial

    def _running(self, trial_id: int) -> FrozenTrial:
        study_id, number = self._trial_index[trial_id]
        trial = self._studies[study_id].trials[number]
        if trial.state.is_finished():
            raise StudyError(f"Trial {number} is already finished ({trial.state.name}) and cannot be changed.")
        return trial

    def set_trial_param(self, trial_id: int, name: str, value: Any, distribution: Distribution) -> None:
        with self._lock:
            trial = self._running(trial_id)
            trial.params[name] = value
            trial.distributions[name] = distribution

    def set_trial_intermediate_value(self, trial_id: int, step: int, value: float) -> None:
        with self._lock:
            self._running(trial_id).intermediate_values[step] = float(value)

    def set_trial_attr(self, trial_id: int, key: str, value: Any, *, system: bool = False) -> None:
        with self._lock:
            trial = self._running(trial_id)
            (trial.system_attrs if system else trial.user_attrs)[key] = copy.deepcopy(value)

    def set_trial_state_values(self, trial_id: int, state: TrialState, value: float | None = None) -> bool:
        with self._lock:
            trial = self._running(trial_id)
            if state == TrialState.RUNNING:
                if trial.state != TrialState.WAITING:
                    return False
                trial.datetime_start = dt.datetime.now()
            if state.is_finished():
                trial.datetime_complete = dt.datetime.now()
                self._studies[self._trial_index[trial_id][0]].unfinished.discard(trial.number)
            trial.state = state
            trial.value = None if value is None else float(value)
            return True

    def get_trial(self, trial_id: int) -> FrozenTrial:
        with self._lock:
            study_id, number = self._trial_index[trial_id]
            return self._studies[study_id].trials[number]

    def get_all_trials(self, study_id: int, states: Iterable[TrialState] | None = None) -> list[FrozenTrial]:
        wanted = None if states is None else tuple(states)
        with self._lock:
            study = self._studies[study_id]
            if wanted is not None and not any(s.is_finished() for s in wanted):
                return [study.trials[n] for n in sorted(study.unfinished) if study.trials[n].state in wanted]
            trials = list(study.trials)
        if wanted is None:
            return trials
        return [t for t in trials if t.state in wanted]

"""The storage contract: the small set of operations a study needs to be shared.

A storage keeps studies and their trials. Finished trials are immutable, so callers may
cache them; every method that changes a trial refuses to touch a finished one.
"""

from __future__ import annotations

import abc
from typing import Any, Iterable

from autopipe.search.distributions import Distribution
from autopipe.search.frozen import FrozenTrial, StudyDirection, TrialState


class BaseStorage(abc.ABC):
    # -- studies -------------------------------------------------------------------
    @abc.abstractmethod
    def create_new_study(self, direction: StudyDirection, study_name: str) -> int:
        """Create a study; raise StudyError if the name is taken."""

    @abc.abstractmethod
    def get_study_id_from_name(self, study_name: str) -> int:
        """Return the id; raise KeyError if no study has that name."""

    @abc.abstractmethod
    def get_all_study_names(self) -> list[str]: ...

    @abc.abstractmethod
    def get_study_direction(self, study_id: int) -> StudyDirection: ...

    @abc.abstractmethod
    def set_study_user_attr(self, study_id: int, key: str, value: Any) -> None: ...

    @abc.abstractmethod
    def get_study_user_attrs(self, study_id: int) -> dict[str, Any]: ...

    # -- trials --------------------------------------------------------------------
    @abc.abstractmethod
    def create_new_trial(self, study_id: int, template: FrozenTrial | None = None) -> FrozenTrial:
        """Add a trial (RUNNING, or the template's state) and return its record with id and number."""

    @abc.abstractmethod
    def set_trial_param(self, trial_id: int, name: str, value: Any, distribution: Distribution) -> None:
        """Record the external ``value`` exactly as the objective received it."""

    @abc.abstractmethod
    def set_trial_intermediate_value(self, trial_id: int, step: int, value: float) -> None: ...

    @abc.abstractmethod
    def set_trial_attr(self, trial_id: int, key: str, value: Any, *, system: bool = False) -> None: ...

    @abc.abstractmethod
    def set_trial_state_values(self, trial_id: int, state: TrialState, value: float | None = None) -> bool:
        """Move a trial to ``state``. Returns False when another worker already claimed
        a WAITING trial (so exactly one worker runs each enqueued trial)."""

    @abc.abstractmethod
    def get_trial(self, trial_id: int) -> FrozenTrial: ...

    @abc.abstractmethod
    def get_all_trials(self, study_id: int, states: Iterable[TrialState] | None = None) -> list[FrozenTrial]:
        """Trials ordered by number. The records are read-only: do not mutate them."""

    # -- heartbeats (optional: storages shared by processes implement them) -----------------
    heartbeat_interval: float | None = None
    """Seconds between beats of a running trial; None when this storage keeps no heartbeats."""

    def record_heartbeat(self, trial_id: int) -> None:
        """Prove that the worker running ``trial_id`` is alive."""

    def fail_stale_trials(self, study_id: int) -> list[int]:
        """Mark FAIL the RUNNING trials whose worker stopped beating; return their ids
        (each id is returned to exactly one caller)."""
        return []

    def close(self) -> None:
        """Release connections; a no-op for storages that hold none."""

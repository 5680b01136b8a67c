"""The sampler contract and the per-trial random streams every sampler shares."""

from __future__ import annotations

import abc
import threading
import weakref
from typing import TYPE_CHECKING

import numpy as np

from autopipe.search.distributions import CategoricalDistribution, Distribution
from autopipe.search.frozen import FrozenTrial

if TYPE_CHECKING:
    from autopipe.search.study import Study
    from autopipe.search.trial import Trial


class BaseSampler(abc.ABC):
    """Proposes parameter values. Works in the internal space of each distribution.

    Randomness is drawn from a stream seeded by ``(seed, trial number)``: serial runs
    repeat exactly, and with parallel workers a trial's draws do not depend on which
    thread runs it (only the history it sees does).
    """

    def __init__(self, seed: int | None = None) -> None:
        self.seed = int(np.random.SeedSequence().entropy % (2**31)) if seed is None else int(seed)
        self._rngs: dict[int, np.random.Generator] = {}
        self._rng_lock = threading.Lock()

    # -- pickling: locks and per-process caches are rebuilt, not copied -----------------
    def __getstate__(self) -> dict:
        state, runtime = {}, {}
        for key, value in self.__dict__.items():
            kind = _runtime_kind(value)
            if kind is None:
                state[key] = value
            else:
                runtime[key] = kind
        state["_runtime"] = runtime
        return state

    def __setstate__(self, state: dict) -> None:
        runtime = state.pop("_runtime", {})
        self.__dict__.update(state)
        for key, kind in runtime.items():
            setattr(self, key, _RUNTIME_FACTORIES[kind]())

    def rng_for(self, trial: "Trial") -> np.random.Generator:
        with self._rng_lock:
            rng = self._rngs.get(trial.number)
            if rng is None:
                rng = np.random.default_rng([self.seed, trial.number])
                self._rngs[trial.number] = rng
            return rng

    def before_trial(self, study: "Study", trial: "Trial") -> None:
        """Called when a trial starts, before any parameter is suggested."""

    @abc.abstractmethod
    def sample(self, study: "Study", trial: "Trial", name: str, distribution: Distribution) -> float:
        """Return the internal value for parameter ``name`` of the running ``trial``."""

    def after_trial(self, study: "Study", trial: FrozenTrial) -> None:
        with self._rng_lock:
            self._rngs.pop(trial.number, None)


_RUNTIME_FACTORIES = {"lock": threading.Lock, "rlock": threading.RLock, "weak": weakref.WeakKeyDictionary}


def _runtime_kind(value) -> str | None:
    if isinstance(value, type(threading.Lock())):
        return "lock"
    if isinstance(value, type(threading.RLock())):
        return "rlock"
    if isinstance(value, weakref.WeakKeyDictionary):
        return "weak"
    return None


def sample_uniform_internal(rng: np.random.Generator, distribution: Distribution) -> float:
    """One draw from the prior: uniform over the internal domain."""
    if isinstance(distribution, CategoricalDistribution):
        return float(rng.integers(len(distribution.choices)))
    low, high = distribution.internal_bounds
    return distribution.to_internal(distribution.to_external(float(rng.uniform(low, high))))

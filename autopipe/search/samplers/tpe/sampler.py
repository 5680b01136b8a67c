"""Tree-structured Parzen Estimator: orchestration.

At a trial's first suggestion the sampler splits the history into good and bad trials,
draws candidates for *all* known parameters jointly from the good density l(x), and
keeps the candidate with the highest log l(x) - log g(x). Later suggestions of the
trial read from that joint proposal. A parameter the proposal lacks (the trial took a
branch the proposal's kernel did not have) is proposed by the same rule in one
dimension, over the trials that have it.
"""

from __future__ import annotations

import threading
import weakref
from typing import TYPE_CHECKING, Callable

import numpy as np

from autopipe.exceptions import ParameterError
from autopipe.search.distributions import CategoricalDistribution, Distribution, compatible
from autopipe.search.frozen import TrialState
from autopipe.search.samplers.base import BaseSampler, sample_uniform_internal
from autopipe.search.samplers.tpe.history import History, config_key
from autopipe.search.samplers.tpe.parzen import ParzenEstimator
from autopipe.search.samplers.tpe.policies import default_gamma, default_weights

if TYPE_CHECKING:
    from autopipe.search.study import Study
    from autopipe.search.trial import Trial

_MAX_REDRAWS = 8


class TPESampler(BaseSampler):
    def __init__(self, seed: int | None = None, *, n_startup_trials: int = 10, n_ei_candidates: int = 24,
                 gamma: Callable[[int], int] = default_gamma, weights: Callable[[int], np.ndarray] = default_weights,
                 prior_weight: float = 1.0, bandwidth_factor: float = 0.2, multivariate: bool = True,
                 constant_liar: bool = True) -> None:
        super().__init__(seed)
        if n_startup_trials < 0:
            raise ParameterError(f"'n_startup_trials' must be >= 0. Got {n_startup_trials} instead.")
        if n_ei_candidates < 1:
            raise ParameterError(f"'n_ei_candidates' must be >= 1. Got {n_ei_candidates} instead.")
        self.n_startup_trials = n_startup_trials
        self.n_ei_candidates = n_ei_candidates
        self.gamma = gamma
        self.weights = weights
        self.prior_weight = prior_weight
        self.bandwidth_factor = bandwidth_factor
        self.multivariate = multivariate
        self.constant_liar = constant_liar
        self._histories: "weakref.WeakKeyDictionary[Study, History]" = weakref.WeakKeyDictionary()
        self._proposals: dict[int, dict[str, float]] = {}
        self._lock = threading.Lock()

    # -- hooks ---------------------------------------------------------------------------
    def before_trial(self, study: "Study", trial: "Trial") -> None:
        with self._lock:
            self._proposals.pop(trial.number, None)

    def after_trial(self, study: "Study", trial) -> None:
        super().after_trial(study, trial)
        with self._lock:
            self._proposals.pop(trial.number, None)

    # -- sampling ------------------------------------------------------------------------
    def sample(self, study: "Study", trial: "Trial", name: str, distribution: Distribution) -> float:
        rng = self.rng_for(trial)
        history = self._history(study)
        if history.n < max(self.n_startup_trials, 1):
            return sample_uniform_internal(rng, distribution)
        if self.multivariate:
            with self._lock:
                proposal = self._proposals.get(trial.number)
            if proposal is None:
                proposal = self._joint_proposal(study, history, rng)
                with self._lock:
                    self._proposals[trial.number] = proposal
            col = history.columns.get(name)
            if name in proposal and col is not None and compatible(history.dists[col], distribution):
                value = proposal[name]
                if _inside(distribution, value):
                    return distribution.to_internal(distribution.to_external(value))
        return self._univariate(study, history, rng, name, distribution)

    def _history(self, study: "Study") -> History:
        with self._lock:
            history = self._histories.get(study)
            if history is None:
                history = self._histories[study] = History(study.direction)
        with history.lock:
            history.update(study.get_trials((TrialState.COMPLETE, TrialState.PRUNED)))
        return history

    def _split(self, study: "Study", history: History, rows: np.ndarray, cols: list[int]):
        """Good and bad centers (rows of the history, best first) plus running trials as liars."""
        n_good = self.gamma(len(rows))
        good, bad = rows[:n_good], rows[n_good:]
        values = history.values[:, cols]
        bad_centers = values[bad]
        bad_numbers = history.number[bad]
        if self.constant_liar:
            liars = _running_rows(study, history, cols)
            if liars is not None:
                bad_centers = np.vstack([bad_centers, liars[0]])
                bad_numbers = np.concatenate([bad_numbers, liars[1]])
        return values[good], history.number[good], bad_centers, bad_numbers

    def _estimators(self, history: History, good, good_no, bad, bad_no, cols: list[int]):
        space = history.space(cols)
        good = np.clip(good, space.low, space.high)
        bad = np.clip(bad, space.low, space.high)
        kw = dict(prior_weight=self.prior_weight, bandwidth_factor=self.bandwidth_factor)
        l_est = ParzenEstimator(good, self._weights_by_age(good_no), space, **kw)
        g_est = ParzenEstimator(bad, self._weights_by_age(bad_no), space, **kw) if len(bad) else None
        return l_est, g_est, space

    def _weights_by_age(self, numbers: np.ndarray) -> np.ndarray:
        order = np.argsort(numbers, kind="stable")
        w = np.empty(len(numbers))
        w[order] = self.weights(len(numbers))
        return w

    def _best_candidate(self, rng, l_est, g_est, space, avoid: Callable[[np.ndarray], bool]) -> np.ndarray:
        cands = l_est.sample(rng, self.n_ei_candidates)
        score = l_est.log_pdf(cands)
        if g_est is not None:
            score = score - g_est.log_pdf(cands)
        for idx in np.argsort(-score, kind="stable"):
            if not avoid(cands[idx]):
                return cands[idx]
        for _ in range(_MAX_REDRAWS):  # every candidate repeats a past trial: explore the prior
            cand = np.where(np.isnan(cands[0]), np.nan, space.low + rng.random(len(space.low)) * (space.high - space.low))
            cand = np.where(space.is_cat, np.floor(np.minimum(cand, space.high - 1e-9)), cand)
            if not avoid(cand):
                return cand
        return cands[int(np.argmax(score))]

    def _joint_proposal(self, study: "Study", history: History, rng) -> dict[str, float]:
        cols = list(range(len(history.dists)))
        names = list(history.columns)
        with history.lock:
            good, good_no, bad, bad_no = self._split(study, history, history.order(), cols)
        l_est, g_est, space = self._estimators(history, good, good_no, bad, bad_no, cols)

        def is_repeat(cand: np.ndarray) -> bool:
            return _key_of(cand, names, history.dists) in history.keys

        best = self._best_candidate(rng, l_est, g_est, space, is_repeat)
        return {name: best[c] for name, c in history.columns.items() if not np.isnan(best[c])}

    def _univariate(self, study, history: History, rng, name: str, distribution: Distribution) -> float:
        col = history.columns.get(name)
        if col is None or not compatible(history.dists[col], distribution):
            return sample_uniform_internal(rng, distribution)
        with history.lock:
            order = history.order()
            rows = order[~np.isnan(history.values[order, col])]
            if len(rows) < 2:
                return sample_uniform_internal(rng, distribution)
            good, good_no, bad, bad_no = self._split(study, history, rows, [col])
        bad_has = ~np.isnan(bad[:, 0])
        l_est, g_est, space = self._estimators(history, good, good_no, bad[bad_has], bad_no[bad_has], [col])
        value = self._best_candidate(rng, l_est, g_est, space, lambda c: False)[0]
        if not _inside(distribution, value):
            return sample_uniform_internal(rng, distribution)
        return distribution.to_internal(distribution.to_external(value))


def _inside(distribution: Distribution, internal: float) -> bool:
    if isinstance(distribution, CategoricalDistribution):
        return 0 <= internal < len(distribution.choices)
    low, high = distribution.internal_bounds
    return low <= internal <= high


def _key_of(cand: np.ndarray, names: list[str], dists: list[Distribution]) -> frozenset:
    params = {}
    for c, name in enumerate(names):
        if not np.isnan(cand[c]):
            d = dists[c]
            params[name] = d.to_external(min(cand[c], len(d.choices) - 1) if isinstance(d, CategoricalDistribution)
                                         else cand[c])
    return config_key(params)


def _running_rows(study: "Study", history: History, cols: list[int]):
    """Running trials' parameters so far, to be scored as if they had failed (constant liar)."""
    running = study.get_trials((TrialState.RUNNING,))
    if len(running) <= 1:
        return None
    rows, numbers = [], []
    inv = {c: name for name, c in history.columns.items()}
    for t in running:
        if not t.params:
            continue
        row = np.full(len(cols), np.nan)
        for j, c in enumerate(cols):
            name = inv[c]
            if name in t.params and compatible(t.distributions[name], history.dists[c]):
                row[j] = history.dists[c].to_internal(t.params[name])
        if not np.isnan(row).all():
            rows.append(row)
            numbers.append(t.number)
    if not rows:
        return None
    return np.array(rows), np.array(numbers)

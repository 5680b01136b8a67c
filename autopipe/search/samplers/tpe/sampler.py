"""Tree-structured Parzen Estimator: orchestration.

At a trial's start the sampler takes in the trials finished since the last trial. At the
trial's first suggestion it splits the history into good and bad trials, draws
candidates for *all* known parameters jointly from the good density l(x), and keeps the
candidate with the highest log l(x) - log g(x) that does not repeat a past
configuration. Later suggestions of the trial read from that joint proposal. A
parameter the proposal lacks is proposed by the same rule, over the trials that have it.

In a conditional space the proposal is made in stages. The parameters every trial has
(the branch choices, such as a model family) are decided first, by the ratio over those
columns alone; each branch's own parameters are then proposed when the trial first asks
for one of them, jointly with the parameters that always appear with it (its group),
from the trials that have that group, split into good and bad among themselves. Scored
in one go, a branch with more parameters wins by construction: the ratio of two
densities multiplies over dimensions, so a branch with four numeric parameters
outscores a branch with one whenever its kernels are a little tighter, and the search
locks onto it (measured: a random forest proposed in 160 of 200 trials on a table where
ridge regression was the best family by a clear margin).
"""

from __future__ import annotations

import threading
import weakref
from typing import TYPE_CHECKING, Callable

import numpy as np

from autopipe.exceptions import ParameterError
from autopipe.search.distributions import CategoricalDistribution, Distribution, compatible
from autopipe.search.samplers.base import BaseSampler, sample_uniform_internal
from autopipe.search.samplers.tpe import candidates
from autopipe.search.samplers.tpe.history import History, config_key
from autopipe.search.samplers.tpe.numerics import Space
from autopipe.search.samplers.tpe.parzen import ParzenEstimator
from autopipe.search.samplers.tpe.policies import (
    categorical_sharpness,
    categorical_smoothing,
    default_gamma,
    default_weights,
    good_evidence,
    magic_clip,
    neighbour_bandwidth,
    scott_bandwidth,
)

if TYPE_CHECKING:
    from autopipe.search.study import Study
    from autopipe.search.trial import Trial


class TPESampler(BaseSampler):
    """TPE over a joint, conditional space (see the module docstring).

    Evidence: completed trials by value; pruned trials by the value they would likely
    have reached (history.History.expected_loss), or, where no completed trial reported
    their step, after every completed one by how far they got; failed trials are ignored
    (their configurations are still never proposed again). Running trials of parallel
    workers count as bad observations (constant liar), so workers spread out.

    Reproducibility: every random draw of a trial comes from a stream seeded by
    ``(seed, trial number)``, so a seeded serial run repeats exactly. With parallel
    workers a trial's draws still do not depend on the thread that runs it, but the
    history it sees does: which trials had finished, and which were still running
    (the liars), when the trial started depends on completion order.

    Parameters beyond Optuna's: ``bandwidth`` is ``"neighbour"`` (each kernel as wide
    as the gap to its neighbours, per column) or ``"scott"`` (Scott's rule with
    ``bandwidth_factor``); ``categorical_sharpness`` (None = grows with the number of
    categorical parameters) sharpens categorical kernels; ``max_kernels`` caps the bad
    density's kernels (older bad trials are subsampled with their weights scaled up).
    """

    def __init__(self, seed: int | None = None, *, n_startup_trials: int = 10, n_ei_candidates: int = 48,
                 gamma: Callable[[int], int] = default_gamma, weights: Callable[[int], np.ndarray] = default_weights,
                 prior_weight: float = 1.0, bandwidth_factor: float = 0.2, categorical_sharpness: float | None = None,
                 multivariate: bool = True, constant_liar: bool = True, max_kernels: int = 300,
                 bandwidth: str = "neighbour") -> None:
        super().__init__(seed)
        if n_startup_trials < 0:
            raise ParameterError(f"'n_startup_trials' must be >= 0. Got {n_startup_trials} instead.")
        if n_ei_candidates < 1:
            raise ParameterError(f"'n_ei_candidates' must be >= 1. Got {n_ei_candidates} instead.")
        if bandwidth not in ("neighbour", "scott"):
            raise ParameterError(f"'bandwidth' must be 'neighbour' or 'scott'. Got {bandwidth!r} instead.")
        if max_kernels < 2:
            raise ParameterError(f"'max_kernels' must be >= 2. Got {max_kernels} instead.")
        self.n_startup_trials = n_startup_trials
        self.n_ei_candidates = n_ei_candidates
        self.gamma = gamma
        self.weights = weights
        self.prior_weight = prior_weight
        self.bandwidth_factor = bandwidth_factor
        self.categorical_sharpness = categorical_sharpness
        self.multivariate = multivariate
        self.constant_liar = constant_liar
        self.max_kernels = max_kernels
        self.bandwidth = bandwidth
        self._histories: "weakref.WeakKeyDictionary[Study, History]" = weakref.WeakKeyDictionary()
        self._plans: "weakref.WeakKeyDictionary[Trial, dict]" = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()

    def _plan(self, study: "Study", trial: "Trial") -> dict:
        """Per-trial state, made at the trial's first suggestion: the history synced once,
        the other running trials' parameters so far (liars) and configurations."""
        with self._lock:
            plan = self._plans.get(trial)
            if plan is not None:
                return plan
            history = self._histories.get(study)
            if history is None:
                history = self._histories[study] = History(study.direction)
        with history.lock:
            running = history.update(study.get_trials())
            others = [t for t in running if t.number != trial.number] if self.constant_liar else []
            liars = _liar_rows(history, others)
        plan = {"history": history, "liars": liars, "proposal": None,
                "running": {config_key(t.params) for t in others}}
        with self._lock:
            self._plans[trial] = plan
        return plan

    # -- sampling ------------------------------------------------------------------------
    def sample(self, study: "Study", trial: "Trial", name: str, distribution: Distribution) -> float:
        rng = self.rng_for(trial)
        plan = self._plan(study, trial)
        history: History = plan["history"]
        if plan["proposal"] is None and (self.multivariate or history.n < self.n_startup_trials):
            plan["proposal"] = self._joint_proposal(plan, rng)
        col = history.columns.get(name)
        proposal = plan["proposal"] or {}
        if name in proposal and compatible(history.dists[col], distribution):
            value = proposal[name]
            if _inside(distribution, value):
                return distribution.to_internal(distribution.to_external(value))
        if history.n < max(self.n_startup_trials, 1):
            return sample_uniform_internal(rng, distribution)
        return self._group(plan, rng, trial, name, distribution)

    def _joint_proposal(self, plan: dict, rng) -> dict[str, float]:
        """Internal values for every known parameter: from the prior during start-up,
        else the best of the EI candidates; never a configuration already tried or running."""
        history: History = plan["history"]
        with history.lock:
            space = history.space()
            names = list(history.columns)
            dists = list(history.dists)
            if not names:
                return {}
            width = len(names)
            root = np.flatnonzero(history.column_counts() == history.n)  # what every trial has
            conditional = 0 < len(root) < width

            def repeats(c: np.ndarray) -> bool:
                """A past or running configuration; in a conditional space also one whose branch
                choices alone were a whole past configuration (a branch without parameters)."""
                if _taken(plan, candidates.key_of(c, names, dists)):
                    return True
                return conditional and _taken(plan, candidates.key_of(_widen(c[root], root, width), names, dists))

            if history.n < max(self.n_startup_trials, 1):
                best = candidates.unseen_prior_draw(rng, space, np.ones(width, bool), repeats)
            else:
                cols = root if conditional else np.arange(width)  # conditional: the branch choices first
                sub = space.subspace(cols)
                l_est, g_est = self._estimators(history, history.order(), cols, sub, plan["liars"], rng)
                best = np.full(width, np.nan)
                best[cols] = self._best(rng, l_est, g_est, sub, lambda c: repeats(_widen(c, cols, width)))
        return {name: best[c] for c, name in enumerate(names) if not np.isnan(best[c])}

    def _group(self, plan: dict, rng, trial: "Trial", name: str, distribution: Distribution) -> float:
        """Propose ``name`` together with the parameters that always appear with it (one
        branch's parameters; just ``name`` when not multivariate), from the trials that
        have it; the group's other values wait in the trial's proposal."""
        history: History = plan["history"]
        col = history.columns.get(name)
        if col is None or not compatible(history.dists[col], distribution):
            return sample_uniform_internal(rng, distribution)
        with history.lock:
            order = history.order()
            values = history.values
            rows = order[~np.isnan(values[order, col])]
            if len(rows) < 2:
                return sample_uniform_internal(rng, distribution)
            cols = np.array([col])
            if self.multivariate:
                present = ~np.isnan(values)
                together = (present == present[:, [col]]).all(axis=0)  # in exactly the same trials
                held = [*trial.params, *(plan["proposal"] or {})]
                together[[history.columns[p] for p in held if p in history.columns]] = False
                together[col] = True
                cols = np.flatnonzero(together)
            space = history.space().subspace(cols)
            l_est, g_est = self._estimators(history, rows, cols, space, plan["liars"], rng)
            name_of = {c: n for n, c in history.columns.items()}
            names = [name_of[c] for c in cols]
            dists = [history.dists[c] for c in cols]
            done = config_key(trial.params)

            def repeats(cand: np.ndarray) -> bool:  # matters for the last parameters of a discrete space
                return _taken(plan, done | candidates.key_of(cand, names, dists))

            proposal = self._best(rng, l_est, g_est, space, repeats)
        plan["proposal"] = {**(plan["proposal"] or {}), **dict(zip(names, proposal))}
        value = proposal[list(cols).index(col)]
        if not _inside(distribution, value):
            return sample_uniform_internal(rng, distribution)
        return distribution.to_internal(distribution.to_external(value))

    # -- the model -------------------------------------------------------------------------
    def _estimators(self, history: History, rows: np.ndarray, cols: np.ndarray, space: Space, liars, rng):
        """l(x) from the best gamma(n) rows, g(x) from the rest plus the running trials."""
        n_good = self.gamma(len(rows))
        good, bad = rows[:n_good], rows[n_good:]
        good_w = self.weights(len(good))[history.age_rank(good)]
        bad_w = self.weights(len(bad))[history.age_rank(bad)]
        lx = np.zeros((0, len(cols)))
        if liars is not None:
            lx = _pad(liars[0], history.values.shape[1])[:, cols]
            lx = lx[~np.isnan(lx).all(axis=1)]
        keep, bad_w = candidates.thin(rng, bad_w, max(self.max_kernels - len(lx), self.max_kernels // 2))
        values = history.values
        good_x = values[np.ix_(good, cols)]
        bad_x = np.vstack([values[np.ix_(bad[keep], cols)], lx])
        bad_w = np.concatenate([bad_w, np.ones(len(lx))])
        univariate = len(cols) == 1
        if len(rows) == history.n:
            having = history.column_counts()[cols]
        else:
            having = (~np.isnan(values[np.ix_(rows, cols)])).sum(axis=0)
        evidence = good_evidence(having, (~np.isnan(good_x)).sum(axis=0))
        return (self._estimator(good_x, good_w, space, univariate, evidence),
                self._estimator(bad_x, bad_w, space, univariate, len(bad_x)))

    def _estimator(self, internal: np.ndarray, weights: np.ndarray, space: Space, univariate: bool,
                   evidence: np.ndarray | int) -> ParzenEstimator:
        """``evidence`` (per column or one number) sets the narrowest kernel: see magic_clip."""
        unit = np.clip(space.to_unit(internal), 0.0, np.where(space.is_cat, space.n_choices - 1, 1.0))
        k = len(unit)
        present = ~np.isnan(unit)
        if k and (univariate or self.bandwidth == "neighbour"):
            sigma = np.ones_like(unit)  # categorical columns do not use it
            num = ~space.is_cat
            sigma[:, num] = np.nan_to_num(neighbour_bandwidth(unit[:, num]), nan=1.0)
        else:
            sigma = scott_bandwidth(k, present.sum(axis=1, keepdims=True), self.bandwidth_factor)
        sigma = magic_clip(sigma, evidence, space.cell)
        sharp = self.categorical_sharpness
        if sharp is None:
            sharp = categorical_sharpness(int(space.is_cat.sum()))
        eps = categorical_smoothing(k, space.n_choices, self.prior_weight, sharp)
        return ParzenEstimator(unit, weights, space, sigma, eps, prior_weight=self.prior_weight)

    def _best(self, rng, l_est: ParzenEstimator, g_est: ParzenEstimator, space: Space,
              repeats: Callable[[np.ndarray], bool]) -> np.ndarray:
        """The EI candidate with the best log l - log g that is no repeat (internal values)."""
        unit = l_est.sample(rng, self.n_ei_candidates)
        internal = space.snap(space.from_unit(unit))
        unit = space.to_unit(internal)
        score = l_est.log_ratio(g_est, unit)
        for idx in np.argsort(-score, kind="stable"):
            if not repeats(internal[idx]):
                return internal[idx]
        present = ~np.isnan(internal[int(np.argmax(score))])
        return candidates.unseen_prior_draw(rng, space, present, repeats)


def _taken(plan: dict, key: frozenset) -> bool:
    return key in plan["history"].keys or key in plan["running"]


def _pad(rows: np.ndarray, width: int) -> np.ndarray:
    """Liar rows widened to the history's columns (another worker may have added some since)."""
    if rows.shape[1] >= width:
        return rows
    return np.hstack([rows, np.full((len(rows), width - rows.shape[1]), np.nan)])


def _widen(values: np.ndarray, cols: np.ndarray, width: int) -> np.ndarray:
    """A row of ``width`` columns holding ``values`` at ``cols`` and NaN (absent) elsewhere."""
    out = np.full(width, np.nan)
    out[cols] = values
    return out


def _inside(distribution: Distribution, internal: float) -> bool:
    if isinstance(distribution, CategoricalDistribution):
        return 0 <= internal < len(distribution.choices)
    low, high = distribution.internal_bounds
    return low <= internal <= high


def _liar_rows(history: History, running: list):
    """Running trials' parameters so far (internal values), scored as if they were bad."""
    rows = []
    for t in running:
        row = np.full(len(history.dists), np.nan)
        for name, value in t.params.items():
            c = history.columns.get(name)
            if c is not None and compatible(t.distributions[name], history.dists[c]):
                row[c] = history.dists[c].to_internal(value)
        if not np.isnan(row).all():
            rows.append(row)
    return (np.array(rows),) if rows else None

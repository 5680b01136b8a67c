"""Finished trials kept as growing arrays, updated incrementally.

Finished trials never change, so each is encoded once; a suggestion then costs array
operations over the history rather than a Python loop over all past trials.

Pruned trials are ranked by the value they would likely have reached: their last
reported value plus the typical change from that step to the end among completed
trials (the median over the completed trials that reported the step). With pruning on
CV folds most trials stop after one fold; ranking them all after every completed trial
would make TPE's good set "whatever completed", whatever its score, and the sampler
would chase the families that happen to complete instead of the ones that score well.
A pruned trial whose step no completed trial reported keeps the old rank: after every
completed trial, by how far it got, then by its last value. The changes are learned
from completed trials only, which were not stopped, so on average they started well
and their later steps fall back: the estimate errs towards placing a pruned trial too
low, the safe side for a sampler that should not chase stopped trials.
"""

from __future__ import annotations

import bisect
import threading

import numpy as np

from autopipe.search.distributions import CategoricalDistribution, Distribution, IntDistribution, compatible
from autopipe.search.frozen import FrozenTrial, StudyDirection, TrialState
from autopipe.search.samplers.tpe.numerics import CATEGORICAL, CONTINUOUS, GRID, LOG_INT, Space


class History:
    def __init__(self, direction: StudyDirection) -> None:
        self.sign = -1.0 if direction == StudyDirection.MAXIMIZE else 1.0
        self.columns: dict[str, int] = {}
        self.dists: list[Distribution] = []
        self._values = np.full((64, 4), np.nan)
        self._loss = np.zeros(64)
        self._pruned = np.zeros(64, bool)
        self._step = np.zeros(64)
        self._number = np.zeros(64, int)
        self.n = 0
        self.seen: set[int] = set()
        self.keys: set[frozenset] = set()
        self.lock = threading.Lock()
        self._scan_from = 0
        self._order: np.ndarray | None = None
        self._in_number_order = True  # rows arrived by trial number (serial runs): ranks need no sort
        self._position: np.ndarray | None = None  # else: each row's rank by number, cached
        self._counts = np.zeros(4, int)  # rows having each column
        self._space: Space | None = None
        # completed trials' change in loss from each reported step to their final value
        self._step_deltas: dict[float, list[float]] = {}
        self._offsets: dict[float, float] | None = None
        self._by_expected: np.ndarray | None = None  # the order by expected loss, for n rows

    # -- updating ----------------------------------------------------------------------
    def update(self, trials: list[FrozenTrial]) -> list[FrozenTrial]:
        """Take in newly finished trials; return the trials still running.

        ``trials`` is the study's list ordered by number. Finished trials never change,
        so the scan starts at the first trial that was unfinished last time: in a serial
        run that is the last trial or two, not the whole history.
        """
        running = []
        start = self._scan_from
        self._scan_from = None
        for i in range(start, len(trials)):
            t = trials[i]
            if not t.state.is_finished():
                if self._scan_from is None:
                    self._scan_from = i
                if t.state == TrialState.RUNNING:
                    running.append(t)
                continue
            if t.trial_id in self.seen:
                continue
            self.seen.add(t.trial_id)
            self.keys.add(config_key(t.params))  # failed configurations are not proposed again either
            if t.state == TrialState.FAIL:
                continue
            if t.state == TrialState.COMPLETE and t.value is None:
                continue
            if t.state == TrialState.PRUNED and t.value is None and not t.intermediate_values:
                continue
            self._append(t)
        if self._scan_from is None:
            self._scan_from = len(trials)
        return running

    def _append(self, t: FrozenTrial) -> None:
        self._grow_rows()
        row = self.n
        for name, dist in sorted(t.distributions.items()):  # same columns whatever the storage's order
            col = self._column(name, dist)
            if col is not None:
                self._values[row, col] = dist.to_internal(t.params[name])
                self._counts[col] += 1
        pruned = t.state == TrialState.PRUNED
        value = t.value if t.value is not None else t.intermediate_values[t.last_step]
        self._loss[row] = self.sign * value
        if not pruned:
            for step, reported in t.intermediate_values.items():
                if reported is not None and np.isfinite(reported):
                    self._step_deltas.setdefault(float(step), []).append(self.sign * (value - reported))
                    self._offsets = None
        self._pruned[row] = pruned
        self._step[row] = (t.last_step or 0) if pruned else np.inf
        if row and t.number < self._number[row - 1]:
            self._in_number_order = False  # parallel trials finished out of order
        self._number[row] = t.number
        self.n += 1
        self._position = None

    def _column(self, name: str, dist: Distribution) -> int | None:
        col = self.columns.get(name)
        if col is None:
            col = len(self.dists)
            self.columns[name] = col
            self.dists.append(dist)
            if col >= self._values.shape[1]:
                extra = np.full((self._values.shape[0], self._values.shape[1]), np.nan)
                self._values = np.hstack([self._values, extra])
                self._counts = np.concatenate([self._counts, np.zeros(len(self._counts), int)])
            return col
        if not compatible(self.dists[col], dist):
            return None
        if self.dists[col] != dist:
            self.dists[col] = _widest(self.dists[col], dist)
            self._space = None
        return col

    def _grow_rows(self) -> None:
        if self.n < self._values.shape[0]:
            return
        cap = 2 * self._values.shape[0]
        self._values = np.vstack([self._values, np.full(self._values.shape, np.nan)])
        self._loss = np.resize(self._loss, cap)
        self._pruned = np.resize(self._pruned, cap)
        self._step = np.resize(self._step, cap)
        self._number = np.resize(self._number, cap)

    # -- views ---------------------------------------------------------------------------
    @property
    def values(self) -> np.ndarray:
        return self._values[: self.n, : len(self.dists)]

    @property
    def number(self) -> np.ndarray:
        return self._number[: self.n]

    def column_counts(self) -> np.ndarray:
        """How many rows have each column (conditional parameters are absent elsewhere)."""
        return self._counts[: len(self.dists)]

    def order(self) -> np.ndarray:
        """Row indices best first: completed by loss, then pruned by how far they got
        (then by their last score); ties by arrival. Kept sorted as trials arrive: a new
        row is inserted by binary search instead of sorting the whole history again.
        Pruned trials whose step completed trials also reported are placed by their
        expected final loss instead (see the module docstring)."""
        n = self.n
        if self._by_expected is not None and len(self._by_expected) == n:
            return self._by_expected
        expected = self.expected_loss()
        if expected is not None:
            known = np.isfinite(expected)
            key = np.where(known, expected, -self._step[:n])
            self._order = None  # the incremental order below assumes the plain ranking
            self._by_expected = np.lexsort((self._loss[:n], key, ~known))
            return self._by_expected
        done = 0 if self._order is None else len(self._order)
        fresh = range(done, n)
        if done == n:
            return self._order
        if self._order is None or len(fresh) > 32 or np.isnan(self._loss[done:n]).any():
            self._order = np.lexsort((self._loss[:n], -self._step[:n], self._pruned[:n]))
            return self._order
        order = self._order
        for row in fresh:
            at = bisect.bisect_right(order, self._key(row), key=self._key)
            order = np.insert(order, at, row)
        self._order = order
        return order

    def expected_loss(self) -> np.ndarray | None:
        """Each row's loss, pruned rows moved by the median change completed trials made
        after the step they stopped at (NaN where no completed trial reported it); None
        when no pruned row can be placed this way."""
        n = self.n
        pruned = self._pruned[:n]
        if not self._step_deltas or not pruned.any():
            return None
        if self._offsets is None:
            self._offsets = {step: float(np.median(d)) for step, d in self._step_deltas.items()}
        steps, at = np.unique(self._step[:n][pruned], return_inverse=True)
        offset = np.array([self._offsets.get(float(s), np.nan) for s in steps])[at]
        if np.isnan(offset).all():
            return None
        out = self._loss[:n].copy()
        out[pruned] += offset
        return out

    def _key(self, row: int) -> tuple:
        return bool(self._pruned[row]), -float(self._step[row]), float(self._loss[row])

    def age_rank(self, rows: np.ndarray) -> np.ndarray:
        """Rank of each of ``rows`` by trial number among ``rows`` (0 = oldest), without a
        sort in the usual case where rows arrived in number order."""
        if self._in_number_order:
            position = rows
        else:
            if self._position is None:
                self._position = np.empty(self.n, int)
                self._position[np.argsort(self._number[: self.n], kind="stable")] = np.arange(self.n)
            position = self._position[rows]
        mask = np.zeros(self.n, bool)
        mask[position] = True
        return (np.cumsum(mask) - 1)[position]

    def space(self) -> Space:
        """The domain of every column; rebuilt only when a column is added or changes."""
        if self._space is None or len(self._space.low) != len(self.dists):
            self._space = self._build_space()
        return self._space

    def _build_space(self) -> Space:
        low, high, kind, n_choices, origin, step = [], [], [], [], [], []
        for d in self.dists:
            lo, hi, kd, nc, org, st = _domain(d)
            low.append(lo), high.append(hi), kind.append(kd), n_choices.append(nc), origin.append(org), step.append(st)
        return Space(np.array(low, float), np.array(high, float), np.array(kind, int), np.array(n_choices, int),
                     np.array(origin, float), np.array(step, float))


def _domain(d: Distribution) -> tuple:
    """(low, high, kind, n_choices, grid origin, grid step) of one column, internal space."""
    if isinstance(d, CategoricalDistribution):
        return 0.0, float(len(d.choices)), CATEGORICAL, len(d.choices), 0.0, 1.0
    lo, hi = d.internal_bounds
    if isinstance(d, IntDistribution):
        return (lo, hi, LOG_INT, 0, 0.0, 1.0) if d.log else (lo, hi, GRID, 0, float(d.low), float(d.step))
    if d.step is not None:
        return lo, hi, GRID, 0, float(d.low), float(d.step)
    return lo, hi, CONTINUOUS, 0, 0.0, 1.0


def config_key(params: dict) -> frozenset:
    return frozenset((k, v) for k, v in params.items())


def _widest(a: Distribution, b: Distribution) -> Distribution:
    """Keep the newest domain; a later trial may legitimately narrow or widen a range."""
    return b

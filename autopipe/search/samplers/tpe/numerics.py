"""Numerics under the Parzen estimator: the unit space, grids, truncated normals and
the feature maps that turn a mixture's log density into one matrix product.

Every numeric column is scaled to [0, 1] over its internal (log / step-widened) domain;
categoricals keep their choice index. A kernel's log density at a point is a sum over
columns of terms that are quadratic in the point's unit value (numeric) or a table
look-up (categorical), so with per-point features ``[u**2, u, 1]`` / one-hot and
per-kernel coefficients it is ``features(x) @ coefficients(kernels).T``: the whole
candidates x kernels matrix is one BLAS call instead of a loop over past trials.
"""

from __future__ import annotations

import contextlib
import math
import threading
from dataclasses import dataclass, field

import numpy as np
from scipy.special import ndtr, ndtri

LOG_SQRT_2PI = 0.5 * math.log(2 * math.pi)

CONTINUOUS, GRID, LOG_INT, CATEGORICAL = 0, 1, 2, 3


@dataclass(frozen=True)
class Space:
    """Internal bounds of each column, its kind and (for a linear grid) origin and step."""

    low: np.ndarray
    high: np.ndarray
    kind: np.ndarray
    n_choices: np.ndarray
    origin: np.ndarray
    step: np.ndarray
    _cat_offsets: np.ndarray = field(init=False, repr=False, compare=False)
    is_cat: np.ndarray = field(init=False, repr=False, compare=False)
    cat_cols: np.ndarray = field(init=False, repr=False, compare=False)
    num_cols: np.ndarray = field(init=False, repr=False, compare=False)
    onehot_col: np.ndarray = field(init=False, repr=False, compare=False)
    onehot_choice: np.ndarray = field(init=False, repr=False, compare=False)
    width: np.ndarray = field(init=False, repr=False, compare=False)
    cell: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        """Derived arrays, computed once: a space is built once per history change."""
        is_cat = self.kind == CATEGORICAL
        width = np.where(is_cat, 1.0, self.high - self.low)
        width = np.where(width > 0, width, 1.0)  # categoricals and single points
        offsets = np.concatenate([[0], np.cumsum(np.where(is_cat, self.n_choices, 0))])
        object.__setattr__(self, "is_cat", is_cat)
        object.__setattr__(self, "width", width)  # of the internal domain
        object.__setattr__(self, "cell", np.where(self.kind == GRID, self.step / width, 0.0))  # one grid cell, unit space
        object.__setattr__(self, "_cat_offsets", offsets)
        cat_cols = np.flatnonzero(is_cat)
        object.__setattr__(self, "cat_cols", cat_cols)
        object.__setattr__(self, "num_cols", np.flatnonzero(~is_cat))
        # one-hot features, in order: the categorical column and the choice each stands for
        sizes = self.n_choices[cat_cols].astype(int)
        object.__setattr__(self, "onehot_col", np.repeat(cat_cols, sizes))
        object.__setattr__(self, "onehot_choice", np.concatenate([np.arange(n) for n in sizes]) if len(sizes)
                           else np.zeros(0, int))

    def log_prior(self) -> np.ndarray:
        """Log density of the uniform prior of each column, in the internal space."""
        return np.where(self.is_cat, -np.log(np.maximum(self.n_choices, 1)), -np.log(self.width))

    def subspace(self, cols) -> "Space":
        return Space(self.low[cols], self.high[cols], self.kind[cols], self.n_choices[cols], self.origin[cols],
                     self.step[cols])

    # -- coordinates ----------------------------------------------------------------------
    def to_unit(self, internal: np.ndarray) -> np.ndarray:
        return np.where(self.is_cat, internal, (internal - self.low) / self.width)

    def from_unit(self, unit: np.ndarray) -> np.ndarray:
        return np.where(self.is_cat, unit, self.low + unit * self.width)

    def snap(self, internal: np.ndarray) -> np.ndarray:
        """Round internal values onto each column's grid (NaN stays NaN)."""
        out = internal.copy()
        grid = self.kind == GRID
        if grid.any():
            k = np.round((internal[:, grid] - self.origin[grid]) / self.step[grid])
            top = np.floor((self.high[grid] - 0.5 * self.step[grid] - self.origin[grid]) / self.step[grid] + 1e-9)
            out[:, grid] = self.origin[grid] + np.clip(k, 0, top) * self.step[grid]
        logi = self.kind == LOG_INT
        if logi.any():
            lo, hi = np.exp(self.low[logi]) + 0.5, np.exp(self.high[logi]) - 0.5
            out[:, logi] = np.log(np.clip(np.round(np.exp(internal[:, logi])), np.round(lo), np.round(hi)))
        return out

    # -- features ---------------------------------------------------------------------------
    @property
    def n_features(self) -> int:
        return 3 * int((~self.is_cat).sum()) + int(self._cat_offsets[-1])

    def features(self, unit: np.ndarray) -> np.ndarray:
        """Per-point features: ``[h u^2, h u, h]`` per numeric column (h = the point has
        the column), a one-hot block per categorical column (zeros when absent)."""
        num = self.num_cols
        here = ~np.isnan(unit)
        u = np.where(here, unit, 0.0)
        base = 3 * len(num)
        out = np.empty((unit.shape[0], self.n_features))
        un, h = u[:, num], here[:, num]
        out[:, 0:base:3] = un * un
        out[:, 1:base:3] = un
        out[:, 2:base:3] = h
        # absent -> NaN never equals a choice, so the block stays zero
        out[:, base:] = unit[:, self.onehot_col] == self.onehot_choice
        return out

    def cat_slice(self, p: int) -> slice:
        start = 3 * int((~self.is_cat).sum()) + int(self._cat_offsets[p])
        return slice(start, start + int(self.n_choices[p]))


# -- truncated normals on [0, 1] ----------------------------------------------------------
def truncnorm_log_norm(mu: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    """log(sigma * (Phi((1 - mu) / sigma) - Phi(-mu / sigma))): the normaliser on [0, 1]."""
    mass = ndtr((1.0 - mu) / sigma) - ndtr(-mu / sigma)
    return np.log(np.maximum(mass, 1e-300)) + np.log(sigma)


def truncnorm_sample(rng: np.random.Generator, mu: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    """One draw per (mu, sigma) from a normal truncated to [0, 1], by the inverse CDF."""
    ca, cb = ndtr(-mu / sigma), ndtr((1.0 - mu) / sigma)
    q = np.clip(ca + rng.random(mu.shape) * (cb - ca), 1e-15, 1 - 1e-15)
    return np.clip(mu + sigma * ndtri(q), 0.0, 1.0)


# -- BLAS threads -------------------------------------------------------------------------
_BLAS: list | None = None
_BLAS_LOCK = threading.Lock()


def _blas_libraries() -> list:
    """numpy's BLAS libraries (threadpoolctl controllers), found once: introspecting
    them on every product costs more than the product itself."""
    global _BLAS
    if _BLAS is None:
        with _BLAS_LOCK:
            if _BLAS is None:
                try:
                    from threadpoolctl import ThreadpoolController

                    _BLAS = list(ThreadpoolController().select(user_api="blas").lib_controllers)
                except Exception:  # noqa: BLE001 - without threadpoolctl the product still runs
                    _BLAS = []
    return _BLAS


@contextlib.contextmanager
def one_blas_thread():
    """Run BLAS on one thread inside the block: the candidates x kernels product is
    small, and on a busy machine a multi-threaded BLAS spends 20-50x longer waiting for
    its threads than computing (measured: 4.6 ms vs 0.09 ms for 24 x 1,000 kernels)."""
    saved = [(lib, lib.num_threads) for lib in _blas_libraries() if lib.num_threads != 1]
    for lib, _ in saved:
        lib.set_num_threads(1)
    try:
        yield
    finally:
        for lib, n in saved:
            lib.set_num_threads(n)

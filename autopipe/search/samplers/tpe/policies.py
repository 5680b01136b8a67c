"""Tunable TPE policies as plain functions: how many trials count as good, how much
each observation weighs, how wide each kernel is and how sharp a categorical kernel is.

Bandwidths are in the *unit* space the estimator works in: every numeric column is
scaled to [0, 1] over its internal (log / step-widened) domain.
"""

from __future__ import annotations

import math

import numpy as np


def default_gamma(n: int) -> int:
    """Number of 'good' trials among ``n`` observations: 15 %, at least 1, at most 25.

    Measured against Optuna's 10 % (20 seeds, 100 trials, median regret): rosenbrock4
    3.85 -> 3.23, mixed_int_log 0.0072 -> 0.0017, others within noise."""
    return min(max(1, math.ceil(0.15 * n)), 25)


def default_weights(n: int) -> np.ndarray:
    """Weight of each observation, oldest first: the 25 newest count fully, older ones
    fade linearly, so the model follows the search as it moves."""
    if n <= 25:
        return np.ones(n)
    return np.concatenate([np.linspace(1.0 / n, 1.0, n - 25), np.ones(25)])


def scott_bandwidth(n_kernels: int, n_dims: np.ndarray | int, factor: float) -> np.ndarray:
    """Scott's rule in the unit space: ``factor * n ** (-1 / (d + 4))``.

    ``n_dims`` may be one number per kernel (the parameters that kernel has), so a
    kernel of a small branch is not widened by the dimensions of the other branches.
    """
    n = max(n_kernels, 1)
    return factor * float(n) ** (-1.0 / (np.asarray(n_dims, float) + 4.0))


def neighbour_bandwidth(centers: np.ndarray, *, consider_endpoints: bool = False) -> np.ndarray:
    """Per-kernel widths, column by column: each kernel as wide as the larger gap to its
    sorted neighbours among the kernels that have the column (the domain ends count as
    neighbours, but with ``consider_endpoints=False`` the outermost kernels use their
    inner gap only, so a kernel near an edge is not widened by the empty border).
    Columns a kernel lacks get NaN. All columns at once: one sort, no Python loop."""
    k, d = centers.shape
    order = np.argsort(centers, axis=0, kind="stable")  # NaN (absent) sorts last
    ranked = np.take_along_axis(centers, order, axis=0)
    m = (~np.isnan(centers)).sum(axis=0)  # kernels having each column
    pts = np.vstack([np.zeros((1, d)), np.where(np.isnan(ranked), 1.0, ranked), np.ones((1, d))])
    gaps = np.diff(pts, axis=0)
    width = np.maximum(gaps[:-1], gaps[1:])
    if not consider_endpoints:
        cols = np.flatnonzero(m >= 2)
        width[0, cols] = gaps[1, cols]
        width[m[cols] - 1, cols] = gaps[m[cols] - 1, cols]
    width[np.arange(k)[:, None] >= m[None, :]] = np.nan
    out = np.empty_like(width)
    np.put_along_axis(out, order, width, axis=0)
    return out


def magic_clip(sigma: np.ndarray, n_kernels: int, min_width: np.ndarray | float = 0.0) -> np.ndarray:
    """Keep kernels between ``1 / min(100, n + 1)`` of the domain (never collapse to a
    point with few kernels) and the whole domain; never narrower than ``min_width``
    (one grid cell of a discrete column)."""
    low = np.maximum(1.0 / min(100.0, n_kernels + 1.0), min_width)
    return np.clip(sigma, low, 1.0)


def categorical_smoothing(n_kernels: int, n_choices, prior_weight: float, sharpness: float = 1.0):
    """Total probability a categorical kernel puts on the choices it did not observe
    (``n_choices`` may be an array: one value per column).

    Each choice gets a pseudo-count ``prior_weight / (n_kernels + 1) / sharpness`` next
    to the observed choice's count of 1, so kernels sharpen as good trials accumulate.
    """
    e = prior_weight / (n_kernels + 1.0) / sharpness
    return (n_choices - 1) * e / (1.0 + n_choices * e)


def categorical_sharpness(n_categorical: int, per: float = 4.0) -> float:
    """Sharpen categorical kernels in spaces with many categoricals, so that a draw from
    one kernel changes about as many of them as in a space with ``per`` categoricals:
    with 20 binary flags a smooth kernel flips a few flags per draw and wastes trials."""
    return max(1.0, n_categorical / per)

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


def magic_clip(sigma: np.ndarray, evidence: np.ndarray | float, min_width: np.ndarray | float = 0.0) -> np.ndarray:
    """Keep kernels between ``1 / min(100, evidence + 1)`` of the domain (never collapse
    to a point on little evidence) and the whole domain; never narrower than
    ``min_width`` (one grid cell of a discrete column). ``evidence`` is a number of
    observations, one per column or one for all."""
    low = np.maximum(1.0 / np.minimum(100.0, np.asarray(evidence, float) + 1.0), min_width)
    return np.clip(sigma, low, 1.0)


def good_evidence(n_having: np.ndarray, n_good_having: np.ndarray) -> np.ndarray:
    """The evidence behind the good density's narrowest kernel, per column: the geometric
    mean of the trials having the column and the good trials having it.

    Clipping by the good kernels alone (Optuna's rule) keeps them at least 1/26 of the
    domain wide once gamma is capped at 25, so late trials cannot refine the optimum.
    Measured (20 seeds, median regret vs Optuna's TPE, 100 / 300 trials): branin
    0.54 / 1.02 -> 0.19 / 0.12, rosenbrock4 1.06 / 1.09 -> 0.93 / 0.71, mixed_int_log
    1.44 / 9.5 -> 0.45 / 0.24, conditional_automl 0.03 / 0.71 -> 0.03 / 0.36. Clipping by
    all trials instead narrows too fast on conditional spaces (0.03 / 1.40 there)."""
    return np.sqrt(np.asarray(n_having, float) * np.maximum(np.asarray(n_good_having, float), 1.0))


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

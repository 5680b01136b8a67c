"""Tunable TPE policies as plain functions: how many trials count as good, how much
each observation weighs, and how wide each kernel is."""

from __future__ import annotations

import math

import numpy as np


def default_gamma(n: int) -> int:
    """Number of 'good' trials among ``n`` observations: 10 %, at least 1, at most 25."""
    return min(max(1, math.ceil(0.1 * n)), 25)


def default_weights(n: int) -> np.ndarray:
    """Weight of each observation, oldest first: the 25 newest count fully, older ones
    fade linearly, so the model follows the search as it moves."""
    if n <= 25:
        return np.ones(n)
    return np.concatenate([np.linspace(1.0 / n, 1.0, n - 25), np.ones(25)])


def scott_bandwidth(ranges: np.ndarray, n_kernels: int, n_dims: int, factor: float) -> np.ndarray:
    """Scott's rule per dimension, clipped so a few kernels never collapse to points
    (minimum range / min(100, n + 1)) nor exceed the whole range."""
    n = max(n_kernels, 1)
    sigma = factor * ranges * n ** (-1.0 / (n_dims + 4))
    low = ranges / min(100.0, n + 1.0)
    return np.clip(sigma, low, ranges)

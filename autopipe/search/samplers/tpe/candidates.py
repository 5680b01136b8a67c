"""Helpers of the orchestration: configuration keys, draws that avoid repeats, and the
thinning that caps how many kernels the bad density carries."""

from __future__ import annotations

import itertools
from typing import Callable

import numpy as np

from autopipe.search.distributions import CategoricalDistribution, Distribution
from autopipe.search.samplers.tpe.history import config_key
from autopipe.search.samplers.tpe.numerics import CATEGORICAL, CONTINUOUS, GRID, Space

_PRIOR_DRAWS = 64
_MAX_ENUMERATED = 1 << 16


def key_of(internal: np.ndarray, names: list[str], dists: list[Distribution]) -> frozenset:
    """The configuration key (as in the history) of an internal row; NaN = absent."""
    params = {}
    for c, name in enumerate(names):
        if not np.isnan(internal[c]):
            d = dists[c]
            x = min(internal[c], len(d.choices) - 1) if isinstance(d, CategoricalDistribution) else internal[c]
            params[name] = d.to_external(x)
    return config_key(params)


def unseen_prior_draw(rng: np.random.Generator, space: Space, present: np.ndarray,
                      repeats: Callable[[np.ndarray], bool]) -> np.ndarray:
    """A uniform draw over the ``present`` columns that is no repeat.

    Random draws first; when they all repeat (a small discrete space nearly used up),
    the remaining configurations are enumerated. Returns a repeat only when none is left.
    """
    unit = rng.random((_PRIOR_DRAWS, len(space.low)))
    unit = np.where(space.is_cat, np.floor(unit * space.n_choices), unit)
    draws = space.snap(space.from_unit(np.where(present, unit, np.nan)))
    for row in draws:
        if not repeats(row):
            return row
    return _enumerate_unseen(rng, space, present, repeats, fallback=draws[0])


def _enumerate_unseen(rng, space: Space, present: np.ndarray, repeats, fallback: np.ndarray) -> np.ndarray:
    cols = np.flatnonzero(present)
    if (space.kind[cols] == CONTINUOUS).any():
        return fallback
    levels = [rng.permutation(_levels(space, c)) for c in cols]
    if np.prod([float(len(v)) for v in levels]) > _MAX_ENUMERATED:
        return fallback
    row = np.full(len(space.low), np.nan)
    for combo in itertools.product(*levels):
        row[cols] = combo
        if not repeats(row):
            return row.copy()
    return fallback


def _levels(space: Space, c: int) -> np.ndarray:
    """Every internal value column ``c`` can take (a discrete column)."""
    if space.kind[c] == CATEGORICAL:
        return np.arange(space.n_choices[c], dtype=float)
    if space.kind[c] == GRID:
        top = np.floor((space.high[c] - 0.5 * space.step[c] - space.origin[c]) / space.step[c] + 1e-9)
        return space.origin[c] + np.arange(int(top) + 1) * space.step[c]
    low, high = round(np.exp(space.low[c]) + 0.5), round(np.exp(space.high[c]) - 0.5)
    return np.log(np.arange(low, high + 1, dtype=float))


def thin(rng: np.random.Generator, w: np.ndarray, cap: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices of at most ``cap`` kernels and their weights: the heaviest half kept, the
    rest an unbiased random sample whose weights are scaled up to carry the mass of the
    rows it stands for. Chosen before the rows are gathered, so a long history costs
    O(n) here rather than a copy and sort of every row."""
    n = len(w)
    if n <= cap:
        return np.arange(n), w
    n_head = cap // 2
    part = np.argpartition(-w, n_head - 1) if n_head else np.arange(n)
    head, tail = part[:n_head], part[n_head:]
    pick = rng.choice(tail, size=cap - n_head, replace=False)
    keep = np.concatenate([head, pick])
    scaled = w[keep].copy()
    scaled[n_head:] *= len(tail) / len(pick)
    return keep, scaled

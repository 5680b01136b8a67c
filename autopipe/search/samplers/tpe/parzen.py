"""A Parzen estimator over a mixed, conditional parameter vector.

Each observation is one kernel; a parameter it lacks (the trial took another branch of
a conditional space) is covered by the prior for that kernel, so all observations share
one joint model instead of being split into groups that never see each other. Numeric
parameters use truncated normals on the internal (log / step-widened) domain,
categoricals a smoothed one-hot kernel; one extra component is the prior itself.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import logsumexp, ndtr, ndtri

from autopipe.search.samplers.tpe.policies import scott_bandwidth

_LOG_SQRT_2PI = 0.5 * np.log(2 * np.pi)


@dataclass(frozen=True)
class Space:
    """Internal bounds of each column; ``n_choices`` is 0 for numeric columns."""

    low: np.ndarray
    high: np.ndarray
    n_choices: np.ndarray

    @property
    def is_cat(self) -> np.ndarray:
        return self.n_choices > 0

    def log_prior(self) -> np.ndarray:
        width = np.where(self.is_cat, self.n_choices, self.high - self.low)
        return -np.log(np.maximum(width, 1e-300))


class ParzenEstimator:
    def __init__(self, centers: np.ndarray, weights: np.ndarray, space: Space, *, prior_weight: float = 1.0,
                 bandwidth_factor: float = 0.2) -> None:
        self.mus = centers
        self.space = space
        k, d = centers.shape
        w = np.append(np.asarray(weights, float), prior_weight)
        self.log_w = np.log(w / w.sum())
        self.present = ~np.isnan(centers)
        ranges = space.high - space.low
        self.sigma = scott_bandwidth(ranges, k, max(d, 1), bandwidth_factor)
        mus = np.where(self.present, centers, 0.0)
        a = (space.low - mus) / self.sigma
        b = (space.high - mus) / self.sigma
        self.cdf_a, self.cdf_b = ndtr(a), ndtr(b)
        self.log_z = np.log(np.maximum(self.cdf_b - self.cdf_a, 1e-300)) + np.log(self.sigma)
        self.log_prior = space.log_prior()
        self._cat_tables = {p: self._cat_table(p, prior_weight) for p in np.flatnonzero(space.is_cat)}

    def _cat_table(self, p: int, prior_weight: float) -> np.ndarray:
        """log P(choice | kernel k) for column p: one-hot plus a prior pseudo-count."""
        k = self.mus.shape[0]
        nc = int(self.space.n_choices[p])
        table = np.full((k, nc), prior_weight / (k + 1))
        rows = np.flatnonzero(self.present[:, p])
        table[rows, self.mus[rows, p].astype(int)] += 1.0
        return np.log(table / table.sum(axis=1, keepdims=True))

    # -- density -----------------------------------------------------------------------
    def log_pdf(self, x: np.ndarray) -> np.ndarray:
        """Log density of each row of ``x`` (NaN = the parameter is absent)."""
        c = x.shape[0]
        k = self.mus.shape[0]
        total = np.tile(self.log_w, (c, 1))
        for p in range(x.shape[1]):
            xp = x[:, p]
            here = ~np.isnan(xp)
            if not here.any():
                continue
            if p in self._cat_tables:
                idx = np.where(here, xp, 0).astype(int)
                lk = self._cat_tables[p][:, idx].T
            else:
                z = (np.where(here, xp, 0.0)[:, None] - self.mus[None, :, p]) / self.sigma[p]
                lk = -0.5 * z * z - _LOG_SQRT_2PI - self.log_z[None, :, p]
            lk = np.where(self.present[None, :, p], lk, self.log_prior[p])
            total[:, :k] += np.where(here[:, None], lk, 0.0)
            total[:, k] += np.where(here, self.log_prior[p], 0.0)
        return logsumexp(total, axis=1)

    # -- sampling ----------------------------------------------------------------------
    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """Draw candidates; each takes the structure (which parameters exist) of its kernel."""
        k, d = self.mus.shape
        comp = rng.choice(k + 1, size=size, p=np.exp(self.log_w))
        from_prior = comp == k
        structure_of = np.where(from_prior, rng.integers(k, size=size), comp)
        out = np.full((size, d), np.nan)
        kern = np.where(from_prior, 0, comp)
        for p in range(d):
            here = self.present[structure_of, p]
            if p in self._cat_tables:
                vals = self._sample_cat(rng, p, kern, from_prior)
            else:
                vals = self._sample_num(rng, p, kern, from_prior)
            out[:, p] = np.where(here, vals, np.nan)
        return out

    def _sample_cat(self, rng: np.random.Generator, p: int, kern: np.ndarray, from_prior: np.ndarray) -> np.ndarray:
        probs = np.exp(self._cat_tables[p][kern])
        nc = probs.shape[1]
        probs[from_prior] = 1.0 / nc
        cum = np.cumsum(probs, axis=1)
        u = rng.random(len(kern))[:, None] * cum[:, -1:]
        return np.minimum((u > cum).sum(axis=1), nc - 1).astype(float)

    def _sample_num(self, rng: np.random.Generator, p: int, kern: np.ndarray, from_prior: np.ndarray) -> np.ndarray:
        lo, hi = self.space.low[p], self.space.high[p]
        u = rng.random(len(kern))
        # a kernel without this parameter falls back to the prior
        prior_like = from_prior | ~self.present[kern, p]
        ca, cb = self.cdf_a[kern, p], self.cdf_b[kern, p]
        q = np.clip(ca + u * (cb - ca), 1e-12, 1 - 1e-12)
        mus = np.nan_to_num(self.mus[kern, p])
        vals = mus + self.sigma[p] * ndtri(q)
        vals = np.where(prior_like, lo + u * (hi - lo), vals)
        return np.clip(vals, lo, hi)

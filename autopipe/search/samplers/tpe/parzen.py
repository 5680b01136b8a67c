"""A Parzen estimator over a mixed, conditional parameter vector.

Each observation is one kernel; a parameter it lacks (the trial took another branch of
a conditional space) is covered by the prior for that kernel, so all observations share
one joint model instead of being split into groups that never see each other. Numeric
parameters use truncated normals on the unit-scaled internal (log / step-widened)
domain, categoricals a kernel that keeps most of its mass on the observed choice; one
extra component is the prior itself (uniform).

Densities are reported in the internal space (they integrate to 1 over it); the log
density of many points is one matrix product, see :mod:`numerics`.
"""

from __future__ import annotations

import numpy as np

from autopipe.search.samplers.tpe.numerics import (
    LOG_SQRT_2PI,
    Space,
    one_blas_thread,
    truncnorm_log_norm,
    truncnorm_sample,
)


class ParzenEstimator:
    """Mixture of ``k`` kernels plus the prior.

    ``centers`` are unit-space rows (NaN = absent), ``sigma`` the numeric bandwidths
    (broadcast to ``(k, d)``), ``cat_eps[p]`` the mass a kernel of categorical column
    ``p`` spreads over the choices it did not observe.
    """

    def __init__(self, centers: np.ndarray, weights: np.ndarray, space: Space, sigma: np.ndarray,
                 cat_eps: np.ndarray, *, prior_weight: float = 1.0) -> None:
        k, d = centers.shape
        self.space = space
        self.present = ~np.isnan(centers)
        self.mus = np.where(self.present, centers, 0.5)
        self.sigma = np.broadcast_to(np.asarray(sigma, float), (k, d))
        self.cat_eps = np.asarray(cat_eps, float)
        w = np.append(np.asarray(weights, float), prior_weight)
        self.probs = w / w.sum()
        self.log_w = np.log(np.maximum(self.probs, 1e-300))
        self.coef = self._coefficients()

    # -- the feature map -------------------------------------------------------------------
    def _coefficients(self) -> np.ndarray:
        """Rows: kernels then the prior; columns: the space's features (see numerics)."""
        space, k = self.space, self.mus.shape[0]
        coef = np.zeros((k + 1, space.n_features))
        num = np.flatnonzero(~space.is_cat)
        log_width = np.log(space.width[num])
        if len(num):
            pres, mu, s = self.present[:, num], self.mus[:, num], self.sigma[:, num]
            inv2 = 1.0 / (s * s)
            log_norm = truncnorm_log_norm(mu, s)
            coef[:k, 0:3 * len(num):3] = np.where(pres, -0.5 * inv2, 0.0)
            coef[:k, 1:3 * len(num):3] = np.where(pres, mu * inv2, 0.0)
            coef[:k, 2:3 * len(num):3] = np.where(pres, -0.5 * mu * mu * inv2 - LOG_SQRT_2PI - log_norm, 0.0) - log_width
            coef[k, 2:3 * len(num):3] = -log_width
        for p in np.flatnonzero(space.is_cat):
            coef[:, space.cat_slice(p)] = self._cat_log_table(p)
        return coef

    def _cat_log_table(self, p: int) -> np.ndarray:
        """log P(choice | kernel) for categorical column ``p``, with the prior as last row."""
        k = self.mus.shape[0]
        nc = int(self.space.n_choices[p])
        if nc == 1:
            return np.zeros((k + 1, 1))
        eps = self.cat_eps[p]
        table = np.full((k + 1, nc), -np.log(nc))
        rows = np.flatnonzero(self.present[:, p])
        table[rows] = np.log(eps / (nc - 1))
        table[rows, self.mus[rows, p].astype(int)] = np.log1p(-eps)
        return table

    # -- density -----------------------------------------------------------------------------
    def log_pdf(self, unit: np.ndarray) -> np.ndarray:
        """Log density (internal space) of each unit-space row; NaN = the parameter is absent."""
        with one_blas_thread():
            scores = self.space.features(unit) @ self.coef.T
        scores += self.log_w
        top = scores.max(axis=1, keepdims=True)
        return top[:, 0] + np.log(np.exp(scores - top).sum(axis=1))

    # -- sampling ----------------------------------------------------------------------------
    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """Draw unit-space points; each takes the structure (which parameters exist) of
        its kernel, a draw from the prior that of a random kernel."""
        k, d = self.mus.shape
        comp = rng.choice(k + 1, size=size, p=self.probs)
        from_prior = comp == k
        kern = np.where(from_prior, rng.integers(max(k, 1), size=size), comp)
        out = np.full((size, d), np.nan)
        if k == 0:
            return out
        here = self.present[kern]
        uniform = rng.random((size, d))
        kernel_like = ~from_prior[:, None] & here
        num = ~self.space.is_cat
        vals = np.where(num, uniform, np.floor(uniform * self.space.n_choices))
        if num.any():
            draws = truncnorm_sample(rng, self.mus[kern][:, num], self.sigma[kern][:, num])
            vals[:, num] = np.where(kernel_like[:, num], draws, vals[:, num])
        for p in np.flatnonzero(self.space.is_cat):
            vals[:, p] = np.where(kernel_like[:, p], self._cat_draw(rng, p, kern), vals[:, p])
        out[here] = vals[here]
        return out

    def _cat_draw(self, rng: np.random.Generator, p: int, kern: np.ndarray) -> np.ndarray:
        """The kernel's choice with probability 1 - eps, otherwise one of the others."""
        nc = int(self.space.n_choices[p])
        own = self.mus[kern, p]
        if nc == 1:
            return own
        other = (own + 1 + rng.integers(nc - 1, size=len(kern))) % nc
        return np.where(rng.random(len(kern)) < self.cat_eps[p], other, own)

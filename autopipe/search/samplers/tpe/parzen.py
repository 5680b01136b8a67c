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
        coef = np.empty((k + 1, space.n_features))
        num = space.num_cols
        base = 3 * len(num)
        if len(num):
            log_width = np.log(space.width[num])
            pres, mu, s = self.present[:, num], self.mus[:, num], self.sigma[:, num]
            inv2 = np.where(pres, 1.0 / (s * s), 0.0)  # an absent column contributes 0
            log_norm = truncnorm_log_norm(mu, s)
            coef[:k, 0:base:3] = -0.5 * inv2
            coef[:k, 1:base:3] = mu * inv2
            coef[:k, 2:base:3] = np.where(pres, -0.5 * mu * mu * inv2 - LOG_SQRT_2PI - log_norm, 0.0) - log_width
            coef[k, 0:base] = 0.0
            coef[k, 2:base:3] = -log_width
        coef[:, base:] = self._cat_log_table()
        return coef

    def _cat_log_table(self) -> np.ndarray:
        """log P(choice | kernel) for every one-hot feature, the prior as last row: the
        observed choice keeps 1 - eps, the others share eps, an absent column is uniform."""
        space = self.space
        col, choice = space.onehot_col, space.onehot_choice
        nc = space.n_choices[col].astype(float)
        eps = self.cat_eps[col]
        with np.errstate(divide="ignore", invalid="ignore"):
            observed, other = np.log1p(-eps), np.log(eps / np.maximum(nc - 1, 1))
        uniform = -np.log(nc)
        kernels = np.where(self.mus[:, col] == choice, observed, other)
        kernels = np.where(self.present[:, col], kernels, uniform)
        return np.vstack([kernels, uniform])

    # -- density -----------------------------------------------------------------------------
    def log_pdf(self, unit: np.ndarray) -> np.ndarray:
        """Log density (internal space) of each unit-space row; NaN = the parameter is absent."""
        with one_blas_thread():
            scores = self.space.features(unit) @ self.coef.T
        return _logsumexp_rows(scores + self.log_w)

    def log_ratio(self, other: "ParzenEstimator", unit: np.ndarray) -> np.ndarray:
        """``log self(x) - log other(x)`` for each row: both mixtures in one product over
        features computed once (the EI score of TPE)."""
        k = len(self.log_w)
        with one_blas_thread():
            scores = self.space.features(unit) @ np.vstack([self.coef, other.coef]).T
        scores += np.concatenate([self.log_w, other.log_w])
        return _logsumexp_rows(scores[:, :k]) - _logsumexp_rows(scores[:, k:])

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
        cats = self.space.cat_cols
        if len(cats):
            vals[:, cats] = np.where(kernel_like[:, cats], self._cat_draw(rng, cats, kern), vals[:, cats])
        out[here] = vals[here]
        return out

    def _cat_draw(self, rng: np.random.Generator, cats: np.ndarray, kern: np.ndarray) -> np.ndarray:
        """Per categorical column: the kernel's choice with probability 1 - eps, otherwise
        one of the other choices uniformly."""
        nc = self.space.n_choices[cats]
        own = self.mus[kern][:, cats]
        shift = 1 + np.floor(rng.random(own.shape) * np.maximum(nc - 1, 1))
        other = np.where(nc > 1, (own + shift) % nc, own)
        return np.where(rng.random(own.shape) < self.cat_eps[cats], other, own)


def _logsumexp_rows(scores: np.ndarray) -> np.ndarray:
    top = scores.max(axis=1, keepdims=True)
    return top[:, 0] + np.log(np.exp(scores - top).sum(axis=1))

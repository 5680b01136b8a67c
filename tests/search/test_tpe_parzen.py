"""The Parzen estimator's numerics: densities integrate to one over their domain, log and
int domains are respected, categorical kernels put the promised mass where they should."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import ndtr

from autopipe.search.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from autopipe.search.samplers.tpe.history import _domain
from autopipe.search.samplers.tpe.numerics import Space
from autopipe.search.samplers.tpe.parzen import ParzenEstimator
from autopipe.search.samplers.tpe.policies import magic_clip, neighbour_bandwidth


def _space(*dists) -> Space:
    cols = list(zip(*[_domain(d) for d in dists]))
    return Space(*(np.array(c, dtype=int if i in (2, 3) else float) for i, c in enumerate(cols)))


def _estimator(space: Space, internal: np.ndarray, sigma=0.1, eps=0.1, weights=None) -> ParzenEstimator:
    unit = space.to_unit(internal)
    w = np.ones(len(unit)) if weights is None else weights
    return ParzenEstimator(unit, w, space, np.full(unit.shape, sigma), np.full(unit.shape[1], eps))


def _integral(est: ParzenEstimator, space: Space, n: int = 20001) -> float:
    x = np.linspace(space.low[0], space.high[0], n)
    pdf = np.exp(est.log_pdf(space.to_unit(x[:, None])))
    return float(np.sum((pdf[1:] + pdf[:-1]) / 2 * np.diff(x)))


@pytest.mark.parametrize("dist", [FloatDistribution(-3.0, 7.0), FloatDistribution(1e-4, 10.0, log=True),
                                  IntDistribution(1, 12), IntDistribution(1, 1000, log=True)],
                         ids=["float", "log-float", "int", "log-int"])
@pytest.mark.parametrize("sigma", [0.02, 0.3])
def test_density_integrates_to_one_over_the_internal_domain(dist, sigma):
    space = _space(dist)
    rng = np.random.default_rng(0)
    centers = space.snap(space.low + rng.random((7, 1)) * (space.high - space.low))
    centers[0, 0] = space.low[0]  # a kernel at the very edge is truncated, not leaking mass
    est = _estimator(space, centers, sigma=sigma, weights=rng.random(7) + 0.1)
    assert _integral(est, space) == pytest.approx(1.0, abs=2e-3)


def test_log_domain_kernels_are_symmetric_in_log_space():
    dist = FloatDistribution(1e-4, 1.0, log=True)
    space = _space(dist)
    est = _estimator(space, np.array([[np.log(1e-2)]]), sigma=0.05)
    lo, hi = est.log_pdf(space.to_unit(np.log([[1e-3], [1e-1]])))
    assert lo == pytest.approx(hi, rel=1e-9)  # one decade either side is the same distance


def test_samples_stay_inside_and_snap_onto_int_and_step_grids():
    dists = [IntDistribution(2, 20, step=3), FloatDistribution(0.0, 1.0, step=0.3), IntDistribution(1, 1000, log=True)]
    space = _space(*dists)
    rng = np.random.default_rng(1)
    centers = space.snap(space.low + rng.random((5, 3)) * (space.high - space.low))
    est = _estimator(space, centers, sigma=0.4)
    internal = space.snap(space.from_unit(est.sample(rng, 2000)))
    assert set(np.unique(internal[:, 0])) <= {2.0, 5.0, 8.0, 11.0, 14.0, 17.0, 20.0}
    assert set(np.round(np.unique(internal[:, 1]), 9)) <= {0.0, 0.3, 0.6, 0.9}
    ints = np.exp(internal[:, 2])
    assert np.allclose(ints, np.round(ints)) and ints.min() >= 1 and ints.max() <= 1000
    for d, col in zip(dists, internal.T):  # every snapped value round-trips through the distribution
        assert all(d.contains(d.to_external(v)) for v in col[:50])


def test_categorical_kernel_probabilities():
    space = _space(CategoricalDistribution(["a", "b", "c", "d"]))
    est = _estimator(space, np.array([[1.0]]), eps=0.3)
    probs = np.exp(est.log_pdf(np.arange(4.0)[:, None]))
    # half the weight on the kernel (0.7 on 'b', 0.1 on each other), half on the uniform prior
    assert probs == pytest.approx([0.5 * 0.1 + 0.125, 0.5 * 0.7 + 0.125, 0.175, 0.175])
    assert probs.sum() == pytest.approx(1.0)
    draws = est.sample(np.random.default_rng(0), 20000)[:, 0]
    freq = np.bincount(draws.astype(int), minlength=4) / len(draws)
    assert freq == pytest.approx(probs, abs=0.015)


def test_absent_parameter_is_covered_by_the_prior():
    """A kernel without column 1 (another branch) scores column 1 by the prior."""
    space = _space(FloatDistribution(0.0, 1.0), FloatDistribution(0.0, 4.0))
    with_both = _estimator(space, np.array([[0.5, 2.0]]), sigma=0.02)
    only_first = _estimator(space, np.array([[0.5, np.nan]]), sigma=0.02)
    x = space.to_unit(np.array([[0.5, 3.9]]))
    peak = 1 / (0.02 * np.sqrt(2 * np.pi) * (ndtr(25.0) - ndtr(-25.0)))  # kernel of column 0 at its centre
    # half the mass on the kernel (column 1 from the prior: density 1/4), half on the prior
    assert np.exp(only_first.log_pdf(x)[0]) == pytest.approx(0.5 * peak / 4 + 0.5 / 4)
    assert np.exp(with_both.log_pdf(x)[0]) == pytest.approx(0.5 / 4, rel=1e-6)  # its kernel is 23.75 sigma away
    point = np.array([[0.5, np.nan]])  # a point lacking column 1 is scored on column 0 alone
    assert with_both.log_pdf(point) == pytest.approx(only_first.log_pdf(point))


def test_neighbour_bandwidth_and_clip():
    x = np.array([[0.1], [0.2], [0.6], [np.nan]])
    sigma = neighbour_bandwidth(x)
    assert sigma[:3, 0] == pytest.approx([0.1, 0.4, 0.4])  # outermost kernels ignore the empty border
    assert np.isnan(sigma[3, 0])
    assert magic_clip(np.array([0.001, 2.0]), evidence=9) == pytest.approx([0.1, 1.0])
    assert magic_clip(np.array([0.001]), evidence=200, min_width=0.05) == pytest.approx([0.05])

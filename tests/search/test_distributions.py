"""Distributions: internal representation, membership, validation, JSON."""

from __future__ import annotations

import math

import numpy as np
import pytest

from autopipe.exceptions import ParameterError
from autopipe.search import CategoricalDistribution, FloatDistribution, IntDistribution
from autopipe.search.distributions import compatible, distribution_to_json, json_to_distribution

ROUND_TRIPS = [
    (FloatDistribution(-2.0, 3.0), [-2.0, 0.0, 0.1, 2.999, 3.0]),
    (FloatDistribution(1e-5, 10.0, log=True), [1e-5, 3.3e-3, 1.0, 10.0]),
    (FloatDistribution(0.0, 1.0, step=0.25), [0.0, 0.25, 0.75, 1.0]),
    (IntDistribution(-3, 7), [-3, 0, 7]),
    (IntDistribution(1, 1024, log=True), [1, 2, 37, 1024]),
    (IntDistribution(2, 20, step=3), [2, 5, 20]),
    (CategoricalDistribution(["a", 1, 1.5, None, True, False]), ["a", 1, 1.5, None, True, False]),
]


@pytest.mark.parametrize("dist,values", ROUND_TRIPS, ids=lambda d: type(d).__name__ if not isinstance(d, list) else "")
def test_internal_round_trip(dist, values):
    # A log-scaled float passes through exp(log(v)): exact to the last bit only up to rounding.
    # That the value a user gives reaches the objective and the storage unchanged is
    # checked end to end in test_storage_contract (enqueued values).
    lossy = isinstance(dist, FloatDistribution) and dist.log
    for v in values:
        back = dist.to_external(dist.to_internal(v))
        assert type(back) is type(v), (v, back)
        assert back == (pytest.approx(v, rel=1e-12) if lossy else v), (v, back)
        assert dist.contains(v)


def test_internal_representation():
    assert FloatDistribution(1e-3, 1.0, log=True).to_internal(0.01) == pytest.approx(math.log(0.01))
    assert IntDistribution(1, 100, log=True).internal_bounds == pytest.approx((math.log(0.5), math.log(100.5)))
    assert IntDistribution(0, 10, step=2).internal_bounds == (-1.0, 11.0)
    cat = CategoricalDistribution([1, True, "1"])
    assert [cat.to_internal(v) for v in (1, True, "1")] == [0.0, 1.0, 2.0]  # True is not 1 here
    assert cat.to_internal(1.0) == 0.0  # JSON may turn 1 into 1.0
    with pytest.raises(ParameterError):
        cat.to_internal("b")


def test_to_external_snaps_and_clips():
    d = FloatDistribution(0.0, 1.0, step=0.25)
    assert d.to_external(0.3) == 0.25 and d.to_external(-0.1) == 0.0 and d.to_external(1.1) == 1.0
    i = IntDistribution(0, 10, step=2)
    assert [i.to_external(x) for x in (-0.9, 0.9, 1.1, 9.7, 10.9)] == [0, 0, 2, 10, 10]
    assert IntDistribution(1, 100, log=True).to_external(math.log(100.4)) == 100


@pytest.mark.parametrize("dist", [IntDistribution(0, 10, step=3), FloatDistribution(0.0, 1.0, step=0.3),
                                  IntDistribution(1, 8, step=2)])
def test_to_external_stays_on_grid_when_high_is_off_grid(dist):
    """Every point of the internal range maps to a value the distribution contains,
    and to_external is idempotent (samplers, storages and reloads all apply it)."""
    low, high = dist.internal_bounds
    for x in np.linspace(low, high, 101):
        v = dist.to_external(float(x))
        k = (v - dist.low) / dist.step
        assert abs(k - round(k)) < 1e-9, (x, v)
        assert dist.contains(v)
        assert dist.to_external(dist.to_internal(v)) == v


def test_contains():
    f = FloatDistribution(-1.0, 1.0)
    assert [f.contains(v) for v in (-1.0, 0, 1.0, 1.01, float("nan"), "abc", None)] == \
           [True, True, True, False, False, False, False]
    i = IntDistribution(0, 10, step=2)
    assert [i.contains(v) for v in (0, 4, 4.0, 3, 4.5, 12, -2, "4", None)] == \
           [True, True, True, False, False, False, False, False, False]
    c = CategoricalDistribution(["a", None, False, 2])
    assert [c.contains(v) for v in ("a", None, False, 2, "b", 3)] == [True, True, True, True, False, False]


@pytest.mark.parametrize("make", [
    lambda: FloatDistribution(1.0, 0.0),
    lambda: IntDistribution(5, 4),
    lambda: FloatDistribution(0.0, 1.0, log=True),
    lambda: FloatDistribution(-1.0, 1.0, log=True),
    lambda: IntDistribution(0, 10, log=True),
    lambda: FloatDistribution(0.0, 1.0, step=0.0),
    lambda: FloatDistribution(0.1, 1.0, step=0.1, log=True),
    lambda: IntDistribution(0, 10, step=0),
    lambda: IntDistribution(1, 10, step=2, log=True),
    lambda: CategoricalDistribution([]),
    lambda: CategoricalDistribution([[1, 2]]),
])
def test_invalid_domains_raise(make):
    with pytest.raises(ParameterError):
        make()


def test_error_messages_name_the_bad_values():
    with pytest.raises(ParameterError, match="low=2.0, high=1.0"):
        FloatDistribution(2.0, 1.0)
    with pytest.raises(ParameterError, match="low=0"):
        IntDistribution(0, 5, log=True)


@pytest.mark.parametrize("dist", [d for d, _ in ROUND_TRIPS] + [FloatDistribution(0.5, 0.5), IntDistribution(3, 3)])
def test_json_round_trip(dist):
    back = json_to_distribution(distribution_to_json(dist))
    assert back == dist and type(back) is type(dist)
    if isinstance(dist, CategoricalDistribution):
        assert [type(c) for c in back.choices] == [type(c) for c in dist.choices]


def test_single_and_compatible():
    assert FloatDistribution(1.0, 1.0).single() and not FloatDistribution(1.0, 2.0).single()
    assert CategoricalDistribution(["only"]).single()
    assert compatible(FloatDistribution(0, 1), FloatDistribution(-5, 5))
    assert not compatible(FloatDistribution(0.1, 1), FloatDistribution(0.1, 1, log=True))
    assert not compatible(FloatDistribution(0, 1), IntDistribution(0, 1))
    assert not compatible(CategoricalDistribution(["a", "b"]), CategoricalDistribution(["b", "a"]))

"""The TPE history's incremental bookkeeping must agree with a from-scratch computation."""

import numpy as np
import pytest

from autopipe.search.distributions import FloatDistribution
from autopipe.search.frozen import FrozenTrial, StudyDirection, TrialState
from autopipe.search.samplers.tpe import candidates
from autopipe.search.samplers.tpe.history import History


def _trial(number: int, value: float, pruned_at: int | None) -> FrozenTrial:
    dist = FloatDistribution(0.0, 1.0)
    if pruned_at is None:
        t = FrozenTrial(number, TrialState.COMPLETE, value, {"x": 0.5}, {"x": dist})
    else:
        t = FrozenTrial(number, TrialState.PRUNED, None, {"x": 0.5}, {"x": dist})
        t.intermediate_values = {pruned_at: value}
    t.trial_id = number
    return t


def _from_scratch(h: History) -> np.ndarray:
    n = h.n
    return np.lexsort((h._loss[:n], -h._step[:n], h._pruned[:n]))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_incremental_order_matches_a_full_sort(seed):
    rng = np.random.default_rng(seed)
    h = History(StudyDirection.MINIMIZE)
    trials = []
    for number in range(120):
        pruned_at = None if rng.random() < 0.4 else int(rng.integers(0, 4))
        trials.append(_trial(number, float(np.round(rng.normal(), 1)), pruned_at))  # rounding makes ties
        h.update(trials)
        assert (h.order() == _from_scratch(h)).all(), number
    # best first: the first row is the completed trial with the lowest value
    complete = [t for t in trials if t.state == TrialState.COMPLETE]
    assert h._loss[h.order()[0]] == min(t.value for t in complete)


def test_age_rank_follows_trial_numbers_when_trials_finish_out_of_order():
    h = History(StudyDirection.MINIMIZE)
    numbers = [0, 1, 4, 2, 3, 6, 5]  # parallel workers finish out of order
    for i, number in enumerate(numbers):
        h.update([_trial(n, float(n), None) for n in numbers[: i + 1]])
    rows = np.array([6, 2, 3, 0])  # trial numbers 5, 4, 2, 0
    assert h.age_rank(rows).tolist() == [3, 2, 1, 0]


def test_thin_keeps_the_heaviest_half_and_preserves_total_weight_on_average():
    rng = np.random.default_rng(0)
    w = np.linspace(0.01, 1.0, 1000)
    keep, scaled = candidates.thin(rng, w, 100)
    assert len(keep) == 100 and len(set(keep.tolist())) == 100
    assert set(range(950, 1000)) <= set(keep[:50].tolist())  # the 50 heaviest rows
    totals = [candidates.thin(np.random.default_rng(s), w, 100)[1].sum() for s in range(200)]
    assert np.mean(totals) == pytest.approx(w.sum(), rel=0.02)


def _curve(number: int, values: list[float], complete: bool) -> FrozenTrial:
    """A trial that reported ``values`` at steps 0, 1, ...; complete ones end at the last value."""
    dist = FloatDistribution(0.0, 1.0)
    state = TrialState.COMPLETE if complete else TrialState.PRUNED
    t = FrozenTrial(number, state, values[-1] if complete else None, {"x": 0.5}, {"x": dist})
    t.intermediate_values = dict(enumerate(values))
    t.trial_id = number
    return t


def test_pruned_trials_rank_by_their_expected_final_value():
    h = History(StudyDirection.MINIMIZE)
    trials = [_curve(0, [1.0, 1.2], True),   # completed trials rose 0.2 after step 0
              _curve(1, [2.0, 2.2], True),
              _curve(2, [1.5], False),       # expected 1.7: between the two completed ones
              _curve(3, [0.1, 0.2, 0.3, 9.0], False)]  # step 3: no completed trial reported it
    h.update(trials)
    assert h.order().tolist() == [0, 2, 1, 3]
    assert h.expected_loss()[2] == pytest.approx(1.7)
    assert np.isnan(h.expected_loss()[3])


def test_maximised_values_move_pruned_trials_the_same_way():
    h = History(StudyDirection.MAXIMIZE)
    h.update([_curve(0, [0.9, 0.8], True), _curve(1, [0.5, 0.4], True), _curve(2, [0.95], False)])
    # 0.95 at step 0 less the completed trials' usual drop of 0.1 is 0.85: the best of all
    assert h.order().tolist() == [2, 0, 1]

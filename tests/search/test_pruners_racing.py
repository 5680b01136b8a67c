"""The racing pruner: a trial's chance to beat the incumbent under a prior learned from the search."""

from __future__ import annotations

import numpy as np
import pytest
from fold_trials import complete, running, screened

from autopipe.exceptions import ParameterError
from autopipe.search import RacingPruner, TrialState, create_study

INCUMBENT = [0.90, 0.80, 0.85, 0.88, 0.82]


def _search(direction="maximize", gaps=(-0.05, -0.04, -0.03, -0.06, -0.02, -0.08), **options):
    """An incumbent and complete trials below it by ``gaps``, with fold noise that differs per trial."""
    sign = 1.0 if direction == "maximize" else -1.0
    study = create_study(direction=direction, pruner=RacingPruner(**options))
    complete(study, [sign * s for s in INCUMBENT])
    rng = np.random.default_rng(0)
    for gap in gaps:
        complete(study, [sign * (s + gap + rng.normal(0, 0.01)) for s in INCUMBENT])
    return study, sign


def test_one_fold_far_below_the_incumbent_is_enough():
    study, _ = _search()
    assert running(study, [0.80]).should_prune()  # 0.10 below on fold 1: worse than any trial so far
    assert not running(study, [0.91]).should_prune()  # ahead on fold 1


def test_the_chance_falls_as_the_first_fold_gap_widens():
    study, _ = _search()
    pruner = study.pruner
    chances = [pruner.chance_to_beat(study, running(study, [0.90 + gap]).frozen()) for gap in (0.02, 0, -0.02, -0.05)]
    assert chances == sorted(chances, reverse=True)
    assert chances[0] > 0.5 > chances[-1]


def test_folds_that_tie_the_incumbent_outweigh_the_prior_as_they_accumulate():
    # every complete trial is below the incumbent (it is the best), so the prior leans
    # against a newcomer; a newcomer equal to it fold after fold approaches even odds
    study, _ = _search()
    chances = [study.pruner.chance_to_beat(study, running(study, INCUMBENT[:m]).frozen()) for m in (1, 2, 3, 4)]
    assert chances == sorted(chances)
    assert chances[0] < 0.3 and 0.3 < chances[-1] < 0.5


def test_the_prior_of_a_search_makes_a_tie_on_one_fold_weak_evidence():
    # every complete trial sits 0.05 below the incumbent: tying it on one fold does not
    # make a trial likely to beat it over all five
    study, _ = _search(gaps=(-0.05,) * 8)
    tie = running(study, [INCUMBENT[0]])
    assert study.pruner.chance_to_beat(study, tie.frozen()) < 0.5


def test_minimisation_is_mirrored():
    study, sign = _search(direction="minimize")
    assert sign == -1.0
    assert running(study, [-0.80]).should_prune()  # a loss 0.10 above the incumbent's
    assert not running(study, [-0.91]).should_prune()


def test_no_verdict_before_enough_complete_trials():
    study = create_study(direction="maximize", pruner=RacingPruner(n_startup_trials=5))
    for gap in (0.0, -0.05, -0.06):
        complete(study, [s + gap for s in INCUMBENT])
    assert not running(study, [0.1]).should_prune()


def test_copies_of_the_incumbent_give_no_noise_estimate():
    study = create_study(direction="maximize", pruner=RacingPruner())
    for _ in range(6):
        complete(study, INCUMBENT)
    assert study.pruner.chance_to_beat(study, running(study, [0.5]).frozen()) == 1.0


def test_screens_are_judged_by_halving():
    study = create_study(direction="maximize", pruner=RacingPruner())
    low = screened(study, (0.6, 0.7, 0.8, 0.9))
    low.report(0.65, -1)
    assert low.should_prune()


@pytest.mark.parametrize("kwargs, name", [({"alpha": 0}, "alpha"), ({"alpha": 1.5}, "alpha"),
                                          ({"n_startup_trials": 2}, "n_startup_trials"),
                                          ({"window": 3}, "window"), ({"noise_quantile": 0}, "noise_quantile"),
                                          ({"sentinel_after": 0}, "sentinel_after")])
def test_bad_settings_name_the_parameter(kwargs, name):
    with pytest.raises(ParameterError, match=name):
        RacingPruner(**kwargs)


def test_a_trial_after_a_run_of_stopped_trials_is_a_sentinel():
    study, _ = _search(sentinel_after=3)  # trials 0-6 complete
    for _ in range(3):
        t = running(study, [0.80])  # far below the incumbent
        assert t.should_prune()
        study.tell(t, TrialState.PRUNED)
    sentinel = running(study, [0.80])  # three stopped in a row: this one runs every fold
    assert not sentinel.should_prune()
    study.tell(sentinel, 0.80)
    assert running(study, [0.80]).should_prune()  # the sentinel completed: no sentinel needed
    never = create_study(direction="maximize", pruner=RacingPruner(sentinel_after=None))
    for gap in (0.0, -0.05, -0.04, -0.03, -0.06, -0.02, -0.08):
        complete(never, [s + gap for s in INCUMBENT])
    for _ in range(12):
        t = running(never, [0.80])
        assert t.should_prune()
        never.tell(t, TrialState.PRUNED)

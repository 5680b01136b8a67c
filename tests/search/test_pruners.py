"""Pruners: the median stopping rule aligned on steps, the pruner that never prunes."""

from __future__ import annotations

import pytest

from autopipe.exceptions import ParameterError, TrialPruned
from autopipe.search import MedianPruner, NopPruner, RandomSampler, TrialState, create_study


def _finished(study, values, state=TrialState.COMPLETE):
    """A trial that reported ``values`` at steps 0, 1, ... and then finished."""
    trial = study.ask()
    for step, v in enumerate(values):
        trial.report(v, step)
    study.tell(trial, values[-1] if state == TrialState.COMPLETE else state)


def _verdicts(study, values):
    """should_prune() after each report of a new running trial."""
    trial = study.ask()
    out = []
    for step, v in enumerate(values):
        trial.report(v, step)
        out.append(trial.should_prune())
    return out


def test_no_pruning_before_startup_trials_complete():
    study = create_study(pruner=MedianPruner(n_startup_trials=3, n_warmup_steps=0, n_min_trials=1))
    _finished(study, [1.0, 1.0])
    _finished(study, [1.0, 1.0])
    _finished(study, [0.5, 0.5], state=TrialState.PRUNED)  # pruned trials do not count towards start-up
    assert _verdicts(study, [100.0, 100.0]) == [False, False]
    _finished(study, [1.0, 1.0])
    assert _verdicts(study, [100.0, 100.0]) == [True, True]


def test_no_pruning_before_warmup_steps():
    study = create_study(pruner=MedianPruner(n_startup_trials=0, n_warmup_steps=2, n_min_trials=1))
    for _ in range(3):
        _finished(study, [1.0, 1.0, 1.0, 1.0])
    assert _verdicts(study, [50.0, 50.0, 50.0, 50.0]) == [False, False, True, True]


def test_prunes_when_worse_than_the_median_at_the_same_step():
    study = create_study(pruner=MedianPruner(n_startup_trials=0, n_min_trials=1))
    for v0, v1 in [(10, 1), (11, 2), (12, 3), (13, 4), (14, 5)]:
        _finished(study, [v0, v1])
    # step 0 median is 12, step 1 median is 3: 5.0 is good at step 0, bad at step 1
    assert _verdicts(study, [5.0, 5.0]) == [False, True]
    assert _verdicts(study, [12.0, 3.0]) == [False, False]  # equal to the median is kept
    assert _verdicts(study, [12.5, 2.5]) == [True, False]
    assert _verdicts(study, [0.0, 0.0, 99.0]) == [False, False, False]  # no peer reached step 2


def test_maximize_prunes_the_low_values():
    study = create_study(direction="maximize", pruner=MedianPruner(n_startup_trials=0, n_min_trials=1))
    for v in (1.0, 2.0, 3.0):
        _finished(study, [v])
    assert _verdicts(study, [1.5]) == [True]
    assert _verdicts(study, [2.5]) == [False]


def test_n_min_trials_peers_needed():
    study = create_study(pruner=MedianPruner(n_startup_trials=0, n_min_trials=3))
    _finished(study, [1.0])
    _finished(study, [1.0])
    assert _verdicts(study, [9.0]) == [False]
    _finished(study, [1.0])
    assert _verdicts(study, [9.0]) == [True]


def test_nop_pruner_never_prunes():
    study = create_study(pruner=NopPruner())
    for _ in range(6):
        _finished(study, [0.0, 0.0, 0.0])
    assert _verdicts(study, [1e9, 1e9, 1e9]) == [False, False, False]


@pytest.mark.parametrize("bad", [{"n_startup_trials": -1}, {"n_warmup_steps": -1}, {"n_min_trials": -1}])
def test_median_pruner_rejects_negative_settings(bad):
    with pytest.raises(ParameterError):
        MedianPruner(**bad)


def _stepwise(trial):
    """Intermediate values fall with the step; the final value is much higher."""
    x = trial.suggest_float("x", 0.0, 10.0)
    for step in range(4):
        trial.report(x - step, step)
        if trial.should_prune():
            raise TrialPruned()
    return x + 100.0


def test_pruned_trial_never_best():
    study = create_study(sampler=RandomSampler(0), pruner=MedianPruner(n_startup_trials=3, n_min_trials=1))
    study.optimize(_stepwise, n_trials=30)
    pruned = study.get_trials((TrialState.PRUNED,))
    complete = study.get_trials((TrialState.COMPLETE,))
    assert len(pruned) >= 5 and len(complete) >= 5
    assert min(t.value for t in pruned) < study.best_value  # a pruned trial looks better ...
    assert study.best_trial.state == TrialState.COMPLETE  # ... and is still never the best
    assert study.best_value == min(t.value for t in complete)
    assert all(t.value == t.intermediate_values[t.last_step] for t in pruned)


def test_optimize_with_nop_pruner_prunes_nothing():
    study = create_study(sampler=RandomSampler(0), pruner=NopPruner())
    study.optimize(_stepwise, n_trials=15)
    assert all(t.state == TrialState.COMPLETE and len(t.intermediate_values) == 4 for t in study.trials)

"""Fold pruners: the paired test against the incumbent and successive halving."""

from __future__ import annotations

import pytest
from fold_trials import complete, running, screened

from autopipe.exceptions import ParameterError
from autopipe.search import PairedFoldPruner, SuccessiveHalvingPruner, create_study
from autopipe.search.pruners._steps import per_step_scores


def test_per_step_scores_undo_running_means():
    study = create_study(direction="maximize")
    t = running(study, [0.9, 0.7, 0.8])
    assert per_step_scores(t.frozen()) == pytest.approx({0: 0.9, 1: 0.7, 2: 0.8})


def test_paired_pruner_stops_a_trial_worse_on_every_fold():
    study = create_study(direction="maximize", pruner=PairedFoldPruner(alpha=0.1))
    complete(study, [0.90, 0.80, 0.85, 0.88, 0.82])
    worse = running(study, [0.86, 0.77])  # ~0.035 below the incumbent on both folds
    assert worse.should_prune()


def test_paired_pruner_keeps_a_noisy_near_tie():
    study = create_study(direction="maximize", pruner=PairedFoldPruner(alpha=0.1))
    complete(study, [0.90, 0.80, 0.85, 0.88, 0.82])
    tie = running(study, [0.92, 0.78])  # better on one fold, worse on the other
    assert not tie.should_prune()
    one_fold = running(study, [0.5])  # never judged on a single fold
    assert not one_fold.should_prune()


def test_paired_pruner_respects_minimisation():
    study = create_study(direction="minimize", pruner=PairedFoldPruner(alpha=0.1))
    complete(study, [0.30, 0.40, 0.35])
    assert running(study, [0.34, 0.45, 0.39]).should_prune()
    assert not running(study, [0.29, 0.38]).should_prune()


def test_halving_keeps_the_top_half_at_each_rung():
    study = create_study(direction="maximize", pruner=SuccessiveHalvingPruner(reduction_factor=2, min_peers=4))
    for score in (0.1, 0.2, 0.3, 0.4, 0.5, 0.6):
        complete(study, [score] * 5)
    assert running(study, [0.15]).should_prune()      # rung at fold 1: bottom half
    assert not running(study, [0.55]).should_prune()  # top half continues
    mid = running(study, [0.55, 0.55, 0.55])          # fold 3 is not a rung for eta=2
    assert not mid.should_prune()


def test_screens_before_folds_use_the_median_rule():
    study = create_study(direction="maximize", pruner=PairedFoldPruner())
    low = screened(study, (0.6, 0.7, 0.8, 0.9))
    low.report(0.65, -1)
    assert low.should_prune()
    high = study.ask()
    high.report(0.85, -1)
    assert not high.should_prune()


def test_halving_window_compares_against_recent_trials_only():
    # early trials were poor, recent ones good: a new trial between the two groups
    # passes against all history but not against the recent window
    everything = create_study(direction="maximize", pruner=SuccessiveHalvingPruner(reduction_factor=2, min_peers=4))
    recent = create_study(direction="maximize",
                          pruner=SuccessiveHalvingPruner(reduction_factor=2, min_peers=4, window=4))
    for study in (everything, recent):
        for score in (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 0.85, 0.9, 0.95):
            complete(study, [score] * 5)
    assert not running(everything, [0.7]).should_prune()
    assert running(recent, [0.7]).should_prune()
    assert not running(recent, [0.92]).should_prune()


def test_halving_window_must_hold_the_minimum_peers():
    with pytest.raises(ParameterError, match="window"):
        SuccessiveHalvingPruner(min_peers=4, window=2)

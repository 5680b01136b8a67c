"""TPE orchestration: no repeated configurations in discrete spaces, seeded runs repeat,
running trials steer parallel proposals away (constant liar), failed trials are ignored."""

from __future__ import annotations

import math

import numpy as np
import pytest

from autopipe.search import NopPruner, TPESampler, TrialState, create_study


def _grid(trial):
    c = trial.suggest_categorical("c", ["a", "b", "c"])
    i = trial.suggest_int("i", 1, 4)
    return {"a": 0.0, "b": 1.0, "c": 2.0}[c] + abs(i - 2)


def test_small_discrete_space_is_covered_without_repeats():
    study = create_study(sampler=TPESampler(seed=0, n_startup_trials=4), pruner=NopPruner())
    study.optimize(_grid, n_trials=12)
    configs = {(t.params["c"], t.params["i"]) for t in study.trials}
    assert len(configs) == 12  # all 3 x 4 configurations, each once


def test_univariate_mode_avoids_repeats_through_its_last_parameter():
    """Independent sampling cannot see that a first choice has no unseen completion
    left, so coverage is not complete; the last parameter still dodges every repeat
    it can (random sampling covers about 8 of 12 in 12 trials)."""
    study = create_study(sampler=TPESampler(seed=0, n_startup_trials=4, multivariate=False), pruner=NopPruner())
    study.optimize(_grid, n_trials=12)
    assert len({(t.params["c"], t.params["i"]) for t in study.trials}) >= 9


def test_binary_mask_never_repeats():
    def mask(trial):
        return sum((-1 if i < 2 else 0.1) * trial.suggest_categorical(f"f{i}", [True, False]) for i in range(5))

    study = create_study(sampler=TPESampler(seed=3), pruner=NopPruner())
    study.optimize(mask, n_trials=32)
    configs = {tuple(sorted(t.params.items())) for t in study.trials}
    assert len(configs) == 32
    assert study.best_value == pytest.approx(-2.0)


def _quadratic(trial):
    x = trial.suggest_float("x", -5.0, 5.0)
    y = trial.suggest_float("y", 1e-3, 1e3, log=True)
    k = trial.suggest_categorical("k", ["p", "q", "r"])
    return (x - 1.0) ** 2 + math.log10(y) ** 2 + (k != "q")


def test_seeded_runs_repeat_exactly_and_seeds_differ():
    def run(seed):
        study = create_study(sampler=TPESampler(seed=seed), pruner=NopPruner())
        study.optimize(_quadratic, n_trials=30)
        return [t.params for t in study.trials]

    assert run(7) == run(7)
    assert run(7) != run(8)


def test_running_trials_are_avoided_by_parallel_proposals():
    """Trials asked but not told are liars: a second worker is not sent to the same place."""

    def spread(constant_liar: bool) -> float:
        study = create_study(sampler=TPESampler(seed=1, constant_liar=constant_liar), pruner=NopPruner())
        study.optimize(lambda t: (t.suggest_float("x", -5.0, 5.0) - 1.0) ** 2, n_trials=30)
        running = [study.ask() for _ in range(6)]
        xs = sorted(t.suggest_float("x", -5.0, 5.0) for t in running)
        return min(b - a for a, b in zip(xs, xs[1:]))

    with_liar, without = spread(True), spread(False)
    assert with_liar > 2 * without, (with_liar, without)


def test_running_discrete_configuration_is_not_proposed_twice():
    study = create_study(sampler=TPESampler(seed=2, n_startup_trials=5), pruner=NopPruner())
    study.optimize(_grid, n_trials=6)
    first, second = study.ask(), study.ask()
    a = (first.suggest_categorical("c", ["a", "b", "c"]), first.suggest_int("i", 1, 4))
    b = (second.suggest_categorical("c", ["a", "b", "c"]), second.suggest_int("i", 1, 4))
    assert a != b


def test_failed_trials_are_ignored_and_pruned_ones_count_after_completed():
    calls = []

    def objective(trial):
        x = trial.suggest_float("x", 0.0, 10.0)
        calls.append(x)
        if trial.number % 4 == 3:
            raise ValueError("boom")
        return x

    study = create_study(sampler=TPESampler(seed=0), pruner=NopPruner())
    study.optimize(objective, n_trials=40, catch=(ValueError,))
    states = [t.state for t in study.trials]
    assert states.count(TrialState.FAIL) == 10
    late = [t.params["x"] for t in study.trials[20:] if t.state == TrialState.COMPLETE]
    assert sorted(late)[len(late) // 2] < 2.5  # the model still learns from the completed trials


def test_a_branch_with_fewer_parameters_is_not_outscored_by_dimension():
    """Branch "a" (one parameter) is always better than branch "b" (five): scored jointly,
    the five-dimensional density ratio of "b" grows with its dimension and the sampler
    splits its trials about 60/40; deciding the branch on its own ratio first, it goes
    where the better values are."""

    def objective(t):
        if t.suggest_categorical("family", ["a", "b"]) == "a":
            return 0.01 * t.suggest_float("a.x", 0, 1)
        return 0.05 + 0.01 * sum(t.suggest_float(f"b.x{i}", 0, 1) for i in range(5))

    shares = []
    for seed in range(3):
        study = create_study(direction="minimize", sampler=TPESampler(seed=seed))
        study.optimize(objective, n_trials=80)
        shares.append(np.mean([t.params["family"] == "a" for t in study.trials[30:]]))
    assert min(shares) > 0.8


def test_a_branch_without_parameters_is_tried_once():
    def objective(t):
        if t.suggest_categorical("family", ["a", "b"]) == "a":
            return 0.0  # the best value, and nothing left to tune
        return 1.0 + t.suggest_float("x", 0, 1)

    for seed in range(3):
        study = create_study(direction="minimize", sampler=TPESampler(seed=seed))
        study.optimize(objective, n_trials=40)
        assert sum(t.params == {"family": "a"} for t in study.trials) == 1

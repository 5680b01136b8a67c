"""TPE must learn: on small problems it beats random search on the median over seeds.

Seeds are fixed, so these are deterministic; the margins seen when they were written
are noted beside each test.
"""

from __future__ import annotations

import statistics

import pytest

from autopipe.search import NopPruner, RandomSampler, TPESampler, create_study

SEEDS = range(5)


def _sphere(trial):
    return sum(trial.suggest_float(f"x{i}", -5.0, 5.0) ** 2 for i in range(3))


def _mixed(trial):
    c = trial.suggest_categorical("c", ["a", "b", "c", "d"])
    x = trial.suggest_float("x", -5.0, 5.0)
    return {"a": 2.0, "b": 0.0, "c": 3.0, "d": 1.0}[c] + (x - 1.5) ** 2


def _conditional(trial):
    if trial.suggest_categorical("family", ["a", "b"]) == "a":
        return (trial.suggest_float("x", -5.0, 5.0) - 1.0) ** 2
    return (trial.suggest_int("y", 1, 50) - 30) ** 2 / 100 + 0.5


def _median_best(make_sampler, objective, n_trials: int, seeds=SEEDS) -> float:
    bests = []
    for seed in seeds:
        study = create_study(sampler=make_sampler(seed), pruner=NopPruner())
        study.optimize(objective, n_trials=n_trials)
        bests.append(study.best_value)
    return statistics.median(bests)


def _tpe(seed):
    return TPESampler(seed=seed)


def _tpe_univariate(seed):
    return TPESampler(seed=seed, multivariate=False)


def _random(seed):
    return RandomSampler(seed=seed)


@pytest.mark.parametrize("make_tpe", [_tpe, _tpe_univariate], ids=["multivariate", "univariate"])
@pytest.mark.parametrize("objective", [_sphere, _mixed], ids=["sphere", "mixed"])
def test_tpe_beats_random(make_tpe, objective):
    # seen (multivariate / univariate): sphere random 1.20, tpe 0.13 / 0.29;
    # mixed random 0.031, tpe 4e-4 / 4e-4. The factor 2 catches a TPE barely better than
    # random (univariate sphere once fell to 0.90 with a too-wide one-kernel bandwidth).
    tpe = _median_best(make_tpe, objective, 60)
    random = _median_best(_random, objective, 60)
    assert tpe < 0.5 * random, (tpe, random)


def test_tpe_beats_random_on_a_conditional_space():
    # Random search's best here spans 1e-5 .. 1e-1 from seed to seed, so a median over 5
    # seeds is within noise (seen: 2.8e-4 vs 2.3e-4); over 10 seeds: tpe 4.3e-5, random 4.4e-4.
    tpe = _median_best(_tpe, _conditional, 80, seeds=range(10))
    random = _median_best(_random, _conditional, 80, seeds=range(10))
    assert tpe < random, (tpe, random)

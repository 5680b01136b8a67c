"""Every sampler, on every storage, through the same battery.

20 trials per run: past TPE's 10 start-up trials, so its model is exercised too.
"""

from __future__ import annotations

import math
from collections import Counter

import pytest

from autopipe.exceptions import ParameterError
from autopipe.search import RandomSampler
from autopipe.search.storage.rdb import RDBStorage

N_TRIALS = 20
CHOICES = ["a", 1, 2.5, None, True, False]


def _same(a, b) -> bool:
    """Equal and of the same type: True is not 1, 1 is not 1.0."""
    return type(a) is type(b) and (a == b or (a is None and b is None))


def _on_grid(value, low, step) -> bool:
    k = (value - low) / step
    return abs(k - round(k)) < 1e-9


def _wide_space(trial) -> dict:
    return {
        "f": trial.suggest_float("f", -2.5, 3.0),
        "flog": trial.suggest_float("flog", 1e-4, 10.0, log=True),
        "fstep": trial.suggest_float("fstep", 0.0, 1.0, step=0.25),
        "i": trial.suggest_int("i", -3, 7),
        "ilog": trial.suggest_int("ilog", 1, 1000, log=True),
        "istep": trial.suggest_int("istep", 2, 20, step=3),
        "cat": trial.suggest_categorical("cat", CHOICES),
    }


def _wide_loss(p: dict) -> float:
    return (p["f"] ** 2 + abs(math.log10(p["flog"])) + p["fstep"] + abs(p["i"]) + math.log(p["ilog"])
            + p["istep"] / 10 + CHOICES.index(p["cat"]))


def _check_wide(p: dict) -> None:
    assert type(p["f"]) is float and -2.5 <= p["f"] <= 3.0
    assert type(p["flog"]) is float and 1e-4 <= p["flog"] <= 10.0
    assert type(p["fstep"]) is float and p["fstep"] in (0.0, 0.25, 0.5, 0.75, 1.0)
    assert type(p["i"]) is int and -3 <= p["i"] <= 7
    assert type(p["ilog"]) is int and 1 <= p["ilog"] <= 1000
    assert type(p["istep"]) is int and p["istep"] in range(2, 21, 3)
    assert any(_same(p["cat"], c) for c in CHOICES)


def test_values_stay_in_their_domains(make_sampler, storage, new_study):
    seen = []

    def objective(trial):
        p = _wide_space(trial)
        seen.append(p)
        return _wide_loss(p)

    study = new_study(storage, make_sampler(0))
    study.optimize(objective, n_trials=N_TRIALS)
    stored = [t.params for t in study.trials]
    assert len(seen) == len(stored) == N_TRIALS
    for live, kept in zip(seen, stored):
        _check_wide(live)
        assert live.keys() == kept.keys()
        assert all(_same(live[k], kept[k]) for k in live), (live, kept)
    for name in ("f", "flog", "i", "ilog", "istep"):  # the sampler explores, it does not stick to one value
        assert len({p[name] for p in seen}) >= 3, name
    assert len({repr(p["cat"]) for p in seen}) >= 3


def test_step_grid_kept_when_high_is_off_grid(make_sampler, new_study):
    """(high - low) need not be a multiple of step: values must still lie on low + k * step."""
    seen = []

    def objective(trial):
        x = trial.suggest_float("x", 0.0, 1.0, step=0.3)
        n = trial.suggest_int("n", 0, 10, step=3)
        seen.append((x, n))
        return abs(x - 1.0) + abs(n - 10)  # pushes the sampler towards the top of each range

    study = new_study(None, make_sampler(3))
    study.optimize(objective, n_trials=40)
    xs = sorted({x for x, _ in seen})
    ns = sorted({n for _, n in seen})
    assert all(_on_grid(x, 0.0, 0.3) and 0.0 <= x <= 1.0 for x in xs), xs
    assert set(ns) <= {0, 3, 6, 9}, ns


def test_random_prior_is_uniform_over_an_off_grid_step(new_study):
    """Each grid point owns one cell: the last point must not also absorb the cell of ``high``."""
    study = new_study(None, RandomSampler(seed=0))
    study.optimize(lambda t: t.suggest_int("n", 0, 10, step=3) + t.suggest_float("x", 0.0, 1.0, step=0.3),
                   n_trials=2000)
    for name in ("n", "x"):
        counts = Counter(round(t.params[name], 6) for t in study.trials)
        assert len(counts) == 4
        shares = {k: v / 2000 for k, v in counts.items()}
        assert all(abs(share - 0.25) < 0.03 for share in shares.values()), (name, shares)


def test_conditional_space(make_sampler, storage, new_study):
    def objective(trial):
        branch = trial.suggest_categorical("branch", ["a", "b"])
        if branch == "a":
            x = trial.suggest_float("x", -5.0, 5.0)
            return (x - 1.0) ** 2
        y = trial.suggest_int("y", 1, 50)
        if y > 25:
            z = trial.suggest_float("z", 0.1, 10.0, log=True)
            return (y - 30) ** 2 / 100 + z
        return (y - 30) ** 2 / 100 + 0.5

    study = new_study(storage, make_sampler(1))
    study.optimize(objective, n_trials=N_TRIALS + 5)
    keys = [frozenset(t.params) for t in study.trials]
    allowed = {frozenset({"branch", "x"}), frozenset({"branch", "y"}), frozenset({"branch", "y", "z"})}
    assert set(keys) <= allowed
    assert {t.params["branch"] for t in study.trials} == {"a", "b"}
    for t in study.trials:
        assert t.params.keys() == t.distributions.keys()
        if "z" in t.params:
            assert t.params["y"] > 25 and 0.1 <= t.params["z"] <= 10.0
        if "y" in t.params and "z" not in t.params:
            assert t.params["y"] <= 25
    assert all(t.state.name == "COMPLETE" for t in study.trials)


def test_repeated_suggestion_returns_same_value(make_sampler, storage, new_study):
    def objective(trial):
        first = _wide_space(trial)
        second = _wide_space(trial)
        assert all(_same(first[k], second[k]) for k in first)
        with pytest.raises(ParameterError):
            trial.suggest_int("f", -2, 3)  # same name, another kind of domain
        assert trial.params == first
        return _wide_loss(first)

    study = new_study(storage, make_sampler(2))
    study.optimize(objective, n_trials=15)
    assert [t.state.name for t in study.trials] == ["COMPLETE"] * 15
    assert all(len(t.params) == 7 for t in study.trials)


def _run_mixed(storage, sampler, name, new_study, n_trials=N_TRIALS):
    def objective(trial):
        p = _wide_space(trial)
        if p["cat"] == "a":
            p["extra"] = trial.suggest_float("extra", 0.0, 1.0)
        return _wide_loss(p) + p.get("extra", 0.0)

    study = new_study(storage, sampler, study_name=name)
    study.optimize(objective, n_trials=n_trials)
    return [t.params for t in study.trials], [t.value for t in study.trials]


def test_same_seed_repeats_exactly(make_sampler, storage, new_study):
    params_a, values_a = _run_mixed(storage, make_sampler(42), "first", new_study)
    params_b, values_b = _run_mixed(storage, make_sampler(42), "second", new_study)
    assert len(params_a) == N_TRIALS
    assert params_a == params_b
    assert [[repr(v) for v in p.values()] for p in params_a] == [[repr(v) for v in p.values()] for p in params_b]
    assert values_a == values_b


def test_same_seed_same_sequence_whatever_the_storage(make_sampler, tmp_path, new_study):
    """The draws may not depend on the order in which a storage returns a trial's params
    (suggestion order in memory, by name from SQLite, plan-dependent on PostgreSQL)."""
    memory, _ = _run_mixed(None, make_sampler(42), "memory", new_study, n_trials=14)
    storage = RDBStorage(f"sqlite:///{tmp_path / 'seed.db'}")
    try:
        sqlite, _ = _run_mixed(storage, make_sampler(42), "sqlite", new_study, n_trials=14)
    finally:
        storage.close()
    assert memory == sqlite


def test_different_seed_differs(make_sampler, storage, new_study):
    params_a, _ = _run_mixed(storage, make_sampler(1), "first", new_study, n_trials=13)
    params_b, _ = _run_mixed(storage, make_sampler(2), "second", new_study, n_trials=13)
    assert sum(a["f"] != b["f"] for a, b in zip(params_a, params_b)) == 13  # start-up and model-driven trials

"""FixedTrial replays a params dict through an objective, exactly, and refuses bad ones."""

from __future__ import annotations

import pytest

from autopipe.exceptions import ParameterError
from autopipe.search import FixedTrial, NopPruner, RandomSampler, create_study


def _space(trial):
    p = {
        "lr": trial.suggest_float("lr", 1e-5, 1.0, log=True),
        "frac": trial.suggest_float("frac", 0.0, 1.0, step=0.1),
        "depth": trial.suggest_int("depth", 1, 12),
        "leaves": trial.suggest_int("leaves", 2, 256, log=True),
        "kind": trial.suggest_categorical("kind", ["gbm", None, True, 3]),
    }
    if p["kind"] == "gbm":
        p["alpha"] = trial.suggest_float("alpha", -1.0, 1.0)
    return p


def _loss(p):
    return p["lr"] + p["frac"] + p["depth"] + p["leaves"] / 100 + p.get("alpha", 0.0)


GIVEN = {"lr": 0.003, "frac": 0.5, "depth": 4, "leaves": 31, "kind": "gbm", "alpha": 0.25}


def test_replays_params_exactly():
    trial = FixedTrial(GIVEN)
    p = _space(trial)
    assert p == GIVEN
    assert [type(v) for v in p.values()] == [float, float, int, int, str, float]
    assert trial.params == GIVEN
    assert set(trial.distributions) == set(GIVEN)
    assert trial.suggest_float("lr", 1e-5, 1.0, log=True) == 0.003  # asking again gives the same value


@pytest.mark.parametrize("kind", [None, True, 3])
def test_categorical_types_kept(kind):
    p = _space(FixedTrial({**GIVEN, "kind": kind}))
    assert p["kind"] == kind and type(p["kind"]) is type(kind)
    assert "alpha" not in p


def test_replaying_best_params_gives_best_value():
    study = create_study(sampler=RandomSampler(5), pruner=NopPruner())
    study.optimize(lambda t: _loss(_space(t)), n_trials=20)
    assert _loss(_space(FixedTrial(study.best_params))) == study.best_value
    for t in study.trials:
        assert _space(FixedTrial(t.params)) == t.params


def test_missing_value_raises():
    params = {k: v for k, v in GIVEN.items() if k != "depth"}
    with pytest.raises(ParameterError, match="depth"):
        _space(FixedTrial(params))


def test_missing_value_of_a_single_valued_domain_is_its_only_value():
    trial = FixedTrial({})
    assert trial.suggest_int("n", 3, 3) == 3
    assert trial.suggest_categorical("c", ["only"]) == "only"


@pytest.mark.parametrize("name,value", [
    ("lr", 2.0), ("lr", 0.0), ("frac", -0.1), ("depth", 13), ("depth", 4.5), ("depth", "4"),
    ("leaves", 1), ("kind", "xgb"), ("alpha", float("nan")),
])
def test_out_of_domain_raises(name, value):
    with pytest.raises(ParameterError, match=name):
        _space(FixedTrial({**GIVEN, name: value}))


def test_off_step_int_raises():
    trial = FixedTrial({"n": 5})
    with pytest.raises(ParameterError):
        trial.suggest_int("n", 0, 10, step=2)


def test_report_and_prune_are_inert():
    trial = FixedTrial({})
    trial.report(0.5, 0)
    trial.set_user_attr("k", [1])
    assert trial.intermediate_values == {0: 0.5} and trial.user_attrs == {"k": [1]}
    assert trial.should_prune() is False

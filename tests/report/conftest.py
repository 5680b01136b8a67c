"""Small stand-ins for a study, a schema and a metric, shaped like the real ones.

They carry only the attributes the report reads, so these tests stay fast and do not
depend on the search engine or on fitting any model.
"""

from __future__ import annotations

import datetime as dt
import enum
from types import SimpleNamespace

import pytest

NASTY_COLUMNS = ["income: net [EUR]", "<script>alert(1)</script>", 'say "hi" & \'bye\'']


class State(enum.Enum):
    RUNNING = 0
    COMPLETE = 1
    PRUNED = 2
    FAIL = 3
    WAITING = 4


class Direction(str, enum.Enum):
    MINIMIZE = "minimize"
    MAXIMIZE = "maximize"


T0 = dt.datetime(2024, 1, 1, 12, 0, 0)


def make_trial(number, state, value=None, fold_scores=(), family="lightgbm", **params):
    means = {i: sum(fold_scores[: i + 1]) / (i + 1) for i in range(len(fold_scores))}
    start = T0 + dt.timedelta(seconds=10 * number)
    finished = state not in ("RUNNING", "WAITING")
    return SimpleNamespace(
        number=number, state=State[state], value=value,
        params={"family": family, "selection": "none", **params},
        intermediate_values=means,
        user_attrs={"fold_scores": list(fold_scores), "duration_s": 1.5 + number}
        if finished else {},
        datetime_start=start,
        datetime_complete=start + dt.timedelta(seconds=2) if finished else None,
    )


def make_study(direction="maximize", trials=None):
    if trials is None:
        trials = mixed_trials()
    return SimpleNamespace(direction=Direction(direction), trials=trials)


def mixed_trials():
    """Seven trials: four complete, two pruned (one with a high partial score), one failed."""
    return [
        make_trial(0, "COMPLETE", 0.80, [0.79, 0.81, 0.80], family="linear", **{"linear.C": 1.0}),
        make_trial(1, "PRUNED", None, [0.99], family="knn"),
        make_trial(2, "COMPLETE", 0.90, [0.88, 0.92, 0.90], **{"lightgbm.learning_rate": 0.05}),
        make_trial(3, "FAIL", None, [], family="xgboost"),
        make_trial(4, "COMPLETE", 0.85, [0.84, 0.86, 0.85], family="random_forest"),
        make_trial(5, "PRUNED", None, [0.70, 0.72], family="linear"),
        make_trial(6, "COMPLETE", 0.92, [0.91, 0.93, 0.92], **{"lightgbm.learning_rate": 0.1}),
    ]


def make_schema():
    cols = [
        SimpleNamespace(name=NASTY_COLUMNS[0], kind="numeric", dtype="float64",
                        n_missing=3, n_unique=90, used=True, reason=None),
        SimpleNamespace(name=NASTY_COLUMNS[1], kind="categorical", dtype="object",
                        n_missing=0, n_unique=4, used=True, reason=None),
        SimpleNamespace(name=NASTY_COLUMNS[2], kind="id-like", dtype="int64",
                        n_missing=0, n_unique=100, used=False, reason="unique per row (id-like)"),
        SimpleNamespace(name="constant", kind="constant", dtype="int64",
                        n_missing=0, n_unique=1, used=False, reason="a single value"),
    ]
    return SimpleNamespace(columns=cols, target="churn", task="binary",
                           classes=["no", "yes"], n_rows=100)


@pytest.fixture
def schema():
    return make_schema()


@pytest.fixture
def metric():
    return SimpleNamespace(name="roc_auc", direction="maximize")


@pytest.fixture
def study():
    return make_study()


@pytest.fixture
def settings():
    return {"time_budget": 60, "n_trials": None, "cv": 3, "sampler": "TPESampler",
            "pruner": "MedianPruner", "seed": 0, "class_balance": {"no": 0.7, "yes": 0.3}}


@pytest.fixture
def summary(schema, study, metric, settings):
    from autopipe.report import build_summary

    return build_summary(schema=schema, study=study, metric=metric, best_pipeline="Pipeline(steps=[...])",
                         settings=settings, elapsed_s=12.5, versions={"autopipe": "0.1.0"})


@pytest.fixture
def trial_factory():
    return make_trial


@pytest.fixture
def study_factory():
    return make_study


@pytest.fixture
def nasty_columns():
    return list(NASTY_COLUMNS)

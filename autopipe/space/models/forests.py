"""Random forest and extra trees: robust defaults, little tuning needed.

Ranges (``<family>`` is "random_forest" or "extra_trees"): ``n_estimators`` in
[50, 300] (log), ``max_features`` in [0.1, 1.0], ``min_samples_leaf`` in [1, 20] (log),
``bootstrap`` in {True, False} for extra trees only (random forest always bootstraps).
"""

from __future__ import annotations

from sklearn.ensemble import (
    ExtraTreesClassifier,
    ExtraTreesRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)

from autopipe.space.models.guarded import guard

_CLASSES = {
    ("random_forest", False): RandomForestClassifier,
    ("random_forest", True): RandomForestRegressor,
    ("extra_trees", False): ExtraTreesClassifier,
    ("extra_trees", True): ExtraTreesRegressor,
}


def default_params(family: str) -> list[dict]:
    params = {f"{family}.n_estimators": 200, f"{family}.max_features": 0.5,
              f"{family}.min_samples_leaf": 1}
    if family == "extra_trees":
        params[f"{family}.bootstrap"] = False
    return [params]


def suggest_forest(family: str, trial, task: str, *, random_state=0, n_jobs=1):
    """Build a forest of ``family`` from the trial's draws."""
    params = {
        "n_estimators": trial.suggest_int(f"{family}.n_estimators", 50, 300, log=True),
        "max_features": trial.suggest_float(f"{family}.max_features", 0.1, 1.0),
        "min_samples_leaf": trial.suggest_int(f"{family}.min_samples_leaf", 1, 20, log=True),
    }
    if family == "extra_trees":
        params["bootstrap"] = trial.suggest_categorical(f"{family}.bootstrap", [False, True])
    cls = _CLASSES[(family, task == "regression")]
    return guard(cls(**params, random_state=random_state, n_jobs=n_jobs), random_state=random_state)

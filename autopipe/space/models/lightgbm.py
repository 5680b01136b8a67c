"""LightGBM: fast leaf-wise boosting.

Ranges: ``lightgbm.n_estimators`` in [50, 1000] (log; an upper bound: boosting stops
early on an inner split of the training rows), ``lightgbm.learning_rate`` in
[0.01, 0.3] (log), ``lightgbm.num_leaves`` in [7, 127] (log),
``lightgbm.min_child_samples`` in [5, 100] (log), ``lightgbm.subsample`` in [0.5, 1.0]
(row bagging every iteration), ``lightgbm.colsample_bytree`` in [0.4, 1.0],
``lightgbm.reg_lambda`` in [1e-8, 10] (log).
"""

from __future__ import annotations

from lightgbm import LGBMClassifier, LGBMRegressor

from autopipe.space.models.guarded import guard

NAME = "lightgbm"
DEFAULT_PARAMS = [
    {"lightgbm.n_estimators": 100, "lightgbm.learning_rate": 0.1, "lightgbm.num_leaves": 31,
     "lightgbm.min_child_samples": 20, "lightgbm.subsample": 1.0,
     "lightgbm.colsample_bytree": 1.0, "lightgbm.reg_lambda": 1e-8},
    {"lightgbm.n_estimators": 300, "lightgbm.learning_rate": 0.03, "lightgbm.num_leaves": 15,
     "lightgbm.min_child_samples": 10, "lightgbm.subsample": 0.8,
     "lightgbm.colsample_bytree": 0.7, "lightgbm.reg_lambda": 1.0},
]


def suggest(trial, task: str, *, n_rows: int, random_state=0, n_jobs=1):
    """Build the estimator from the trial's draws."""
    params = {
        "n_estimators": trial.suggest_int("lightgbm.n_estimators", 50, 1000, log=True),
        "learning_rate": trial.suggest_float("lightgbm.learning_rate", 0.01, 0.3, log=True),
        "num_leaves": trial.suggest_int("lightgbm.num_leaves", 7, 127, log=True),
        "min_child_samples": trial.suggest_int("lightgbm.min_child_samples", 5, 100, log=True),
        "subsample": trial.suggest_float("lightgbm.subsample", 0.5, 1.0),
        "colsample_bytree": trial.suggest_float("lightgbm.colsample_bytree", 0.4, 1.0),
        "reg_lambda": trial.suggest_float("lightgbm.reg_lambda", 1e-8, 10.0, log=True),
    }
    cls = LGBMRegressor if task == "regression" else LGBMClassifier
    model = cls(**params, subsample_freq=1, random_state=random_state, n_jobs=n_jobs, verbose=-1)
    return guard(model, random_state=random_state)

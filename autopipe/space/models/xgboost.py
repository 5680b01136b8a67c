"""XGBoost: depth-wise histogram boosting.

Ranges: ``xgboost.n_estimators`` in [50, 1000] (log; an upper bound: boosting stops
early on an inner split of the training rows), ``xgboost.learning_rate`` in
[0.01, 0.3] (log), ``xgboost.max_depth`` in [2, 10], ``xgboost.min_child_weight`` in
[0.5, 20] (log), ``xgboost.subsample`` in [0.5, 1.0], ``xgboost.colsample_bytree`` in
[0.4, 1.0], ``xgboost.reg_lambda`` in [1e-3, 10] (log).
"""

from __future__ import annotations

from xgboost import XGBClassifier, XGBRegressor

from autopipe.space.models.guarded import guard

NAME = "xgboost"
DEFAULT_PARAMS = [
    {"xgboost.n_estimators": 200, "xgboost.learning_rate": 0.1, "xgboost.max_depth": 6,
     "xgboost.min_child_weight": 1.0, "xgboost.subsample": 1.0,
     "xgboost.colsample_bytree": 1.0, "xgboost.reg_lambda": 1.0},
]


def suggest(trial, task: str, *, n_rows: int, random_state=0, n_jobs=1):
    """Build the estimator from the trial's draws."""
    params = {
        "n_estimators": trial.suggest_int("xgboost.n_estimators", 50, 1000, log=True),
        "learning_rate": trial.suggest_float("xgboost.learning_rate", 0.01, 0.3, log=True),
        "max_depth": trial.suggest_int("xgboost.max_depth", 2, 10),
        "min_child_weight": trial.suggest_float("xgboost.min_child_weight", 0.5, 20.0, log=True),
        "subsample": trial.suggest_float("xgboost.subsample", 0.5, 1.0),
        "colsample_bytree": trial.suggest_float("xgboost.colsample_bytree", 0.4, 1.0),
        "reg_lambda": trial.suggest_float("xgboost.reg_lambda", 1e-3, 10.0, log=True),
    }
    cls = XGBRegressor if task == "regression" else XGBClassifier
    model = cls(**params, tree_method="hist", random_state=random_state, n_jobs=n_jobs, verbosity=0)
    return guard(model, random_state=random_state)

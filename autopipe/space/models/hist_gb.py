"""scikit-learn's histogram gradient boosting: strong and dependency-free.

Ranges: ``hist_gb.learning_rate`` in [0.01, 0.3] (log), ``hist_gb.max_iter`` in
[50, 500] (log), ``hist_gb.max_leaf_nodes`` in [7, 127] (log),
``hist_gb.min_samples_leaf`` in [5, 100] (log), ``hist_gb.l2_regularization`` in
[1e-8, 10] (log). Early stopping stays off so the iteration count is what was searched.
"""

from __future__ import annotations

from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

NAME = "hist_gb"
DEFAULT_PARAMS = [
    {"hist_gb.learning_rate": 0.1, "hist_gb.max_iter": 100, "hist_gb.max_leaf_nodes": 31,
     "hist_gb.min_samples_leaf": 20, "hist_gb.l2_regularization": 1e-8},
]


def suggest(trial, task: str, *, n_rows: int, random_state=0, n_jobs=1):
    """Build the estimator from the trial's draws."""
    params = {
        "learning_rate": trial.suggest_float("hist_gb.learning_rate", 0.01, 0.3, log=True),
        "max_iter": trial.suggest_int("hist_gb.max_iter", 50, 500, log=True),
        "max_leaf_nodes": trial.suggest_int("hist_gb.max_leaf_nodes", 7, 127, log=True),
        "min_samples_leaf": trial.suggest_int("hist_gb.min_samples_leaf", 5, 100, log=True),
        "l2_regularization": trial.suggest_float(
            "hist_gb.l2_regularization", 1e-8, 10.0, log=True
        ),
    }
    cls = HistGradientBoostingRegressor if task == "regression" else HistGradientBoostingClassifier
    return cls(**params, early_stopping=False, random_state=random_state)

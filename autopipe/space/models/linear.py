"""Linear family: logistic regression (classification) or ridge (regression).

Ranges: ``linear.C`` in [1e-4, 1e4] (log; separable classes want a large C) with ``linear.class_weight`` in
{"none", "balanced"} for classification; ``linear.alpha`` in [1e-4, 1e3] (log) for
regression. A fast, well-calibrated baseline that shines on one-hot, scaled data.
"""

from __future__ import annotations

from sklearn.linear_model import LogisticRegression, Ridge

NAME = "linear"
DEFAULT_PARAMS = [
    {"linear.C": 1.0, "linear.class_weight": "none", "linear.alpha": 1.0},
]


def suggest(trial, task: str, *, n_rows: int, random_state=0, n_jobs=1):
    """Build the estimator from the trial's draws."""
    if task == "regression":
        return Ridge(alpha=trial.suggest_float("linear.alpha", 1e-4, 1e3, log=True))
    c = trial.suggest_float("linear.C", 1e-4, 1e4, log=True)
    weight = trial.suggest_categorical("linear.class_weight", ["none", "balanced"])
    return LogisticRegression(
        C=c,
        class_weight=None if weight == "none" else weight,
        max_iter=5000,
        random_state=random_state,
    )

"""k-nearest neighbours: only offered for small tables (prediction cost grows with rows).

Ranges: ``knn.n_neighbors`` in [1, min(50, n_rows // 3)] (log), ``knn.weights`` in
{"uniform", "distance"}, ``knn.p`` in {1, 2} (Manhattan or Euclidean). The upper bound
on neighbours keeps it below the size of a training fold.
"""

from __future__ import annotations

from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor

NAME = "knn"
MAX_ROWS = 5000
DEFAULT_PARAMS = [
    {"knn.n_neighbors": 15, "knn.weights": "distance", "knn.p": 2},
]


def max_neighbors(n_rows: int) -> int:
    return max(1, min(50, n_rows // 3))


def suggest(trial, task: str, *, n_rows: int, random_state=0, n_jobs=1):
    """Build the estimator from the trial's draws."""
    k = trial.suggest_int("knn.n_neighbors", 1, max_neighbors(n_rows), log=True)
    weights = trial.suggest_categorical("knn.weights", ["uniform", "distance"])
    p = trial.suggest_categorical("knn.p", [1, 2])
    cls = KNeighborsRegressor if task == "regression" else KNeighborsClassifier
    return cls(n_neighbors=k, weights=weights, p=p, n_jobs=n_jobs)

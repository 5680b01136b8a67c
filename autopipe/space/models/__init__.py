"""One module per model family; each has ``suggest(trial, task, ...)`` and ``DEFAULT_PARAMS``."""

from autopipe.space.models import (
    extra_trees,
    hist_gb,
    knn,
    lightgbm,
    linear,
    random_forest,
    xgboost,
)

MODULES = {
    m.NAME: m for m in (linear, knn, random_forest, extra_trees, hist_gb, lightgbm, xgboost)
}
FAMILIES = tuple(MODULES)


def available_families(task: str, n_rows: int) -> list[str]:
    """Families offered for this task and table size (k-NN only for small tables)."""
    return [f for f in FAMILIES if f != "knn" or n_rows <= knn.MAX_ROWS]

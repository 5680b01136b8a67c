"""Extra-trees family; ranges documented in ``forests``."""

from __future__ import annotations

from autopipe.space.models.forests import default_params, suggest_forest

NAME = "extra_trees"
DEFAULT_PARAMS = default_params(NAME)


def suggest(trial, task: str, *, n_rows: int, random_state=0, n_jobs=1):
    """Build the estimator from the trial's draws."""
    return suggest_forest(NAME, trial, task, random_state=random_state, n_jobs=n_jobs)

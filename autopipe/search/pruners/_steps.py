"""Helpers shared by pruners: per-step scores from running means, peers at a step."""

from __future__ import annotations

import numpy as np

from autopipe.search.frozen import FrozenTrial, StudyDirection


def per_step_scores(trial: FrozenTrial, first_step: int = 0) -> dict[int, float]:
    """Recover each step's own score from the running means reported after each step.

    autopipe reports, after fold i, the mean of folds 0..i; fold i's score is then
    (i + 1) * mean_i - i * mean_{i-1}. Steps below ``first_step`` (row-sample screens)
    are not folds and are left out.
    """
    out: dict[int, float] = {}
    previous = 0.0
    for step in sorted(s for s in trial.intermediate_values if s >= first_step):
        k = step - first_step
        mean = trial.intermediate_values[step]
        out[step] = (k + 1) * mean - k * previous
        previous = mean
    return out


def better_is_higher(direction: StudyDirection) -> bool:
    return direction == StudyDirection.MAXIMIZE


def signed(values: np.ndarray | float, direction: StudyDirection):
    """Values turned so that higher is always better."""
    return values if better_is_higher(direction) else -np.asarray(values)


def worse_than_median(study, trial: FrozenTrial, step: int, min_peers: int = 3) -> bool:
    """True when ``trial``'s value at ``step`` is worse than the median of the finished
    trials' values at that same step (False while fewer than ``min_peers`` got there)."""
    from autopipe.search.frozen import TrialState

    finished = study.get_trials((TrialState.COMPLETE, TrialState.PRUNED))
    peers = [t.intermediate_values[step] for t in finished if step in t.intermediate_values]
    if len(peers) < min_peers:
        return False
    return bool(signed(trial.intermediate_values[step], study.direction)
                < signed(float(np.median(peers)), study.direction))

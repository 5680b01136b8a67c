"""Median stopping rule, aligned on steps (for autopipe: on CV folds).

Negative steps are row-sample screens that come before the folds (large tables); the
same rule applies there, without warm-up. A trial is stopped at step s when its running value is worse than the median of the
running values that other finished trials had at the same step s. Comparing at the
same step matters for cross-validation: a running mean after 2 folds is only
comparable with other running means after the same 2 folds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from autopipe.exceptions import ParameterError
from autopipe.search.frozen import FrozenTrial, TrialState
from autopipe.search.pruners._steps import worse_than_median
from autopipe.search.pruners.base import BasePruner

if TYPE_CHECKING:
    from autopipe.search.study import Study


class MedianPruner(BasePruner):
    def __init__(self, n_startup_trials: int = 5, n_warmup_steps: int = 0, n_min_trials: int = 3) -> None:
        for name, v in (("n_startup_trials", n_startup_trials), ("n_warmup_steps", n_warmup_steps),
                        ("n_min_trials", n_min_trials)):
            if v < 0:
                raise ParameterError(f"'{name}' of MedianPruner must be >= 0. Got {v} instead.")
        self.n_startup_trials = n_startup_trials
        self.n_warmup_steps = n_warmup_steps
        self.n_min_trials = max(1, n_min_trials)

    def prune(self, study: "Study", trial: FrozenTrial) -> bool:
        step = trial.last_step
        if step is None or 0 <= step < self.n_warmup_steps:  # negative steps are screens: no warm-up
            return False
        if len(study.get_trials((TrialState.COMPLETE,))) < self.n_startup_trials:
            return False
        return worse_than_median(study, trial, step, self.n_min_trials)

"""Paired test against the incumbent on the same folds.

Every trial is scored on the same CV folds, so a running trial and the best complete
trial (the incumbent) can be compared fold by fold. The per-fold differences d_i are
paired: fold difficulty cancels out. The trial is stopped when a one-sided paired
t-test rejects "the trial is at least as good as the incumbent" at level ``alpha``
(the chance of stopping a trial that is truly as good is at most about alpha), or, with
``wilcoxon=True``, by the exact signed-rank test, which needs >= 4 folds to reject at
alpha=0.1. A ``min_delta`` margin keeps near-ties alive. Negative steps (row-sample
screens before the folds) use the median rule at that step.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from scipy import stats

from autopipe.exceptions import ParameterError
from autopipe.search.frozen import FrozenTrial, TrialState
from autopipe.search.pruners._steps import per_step_scores, signed, worse_than_median
from autopipe.search.pruners.base import BasePruner

if TYPE_CHECKING:
    from autopipe.search.study import Study


class PairedFoldPruner(BasePruner):
    def __init__(self, alpha: float = 0.1, min_steps: int = 2, min_delta: float = 0.0,
                 wilcoxon: bool = False, n_startup_trials: int = 1) -> None:
        if not 0 < alpha < 1:
            raise ParameterError(f"'alpha' of PairedFoldPruner must be in (0, 1). Got {alpha} instead.")
        if min_steps < 2:
            raise ParameterError(f"'min_steps' of PairedFoldPruner must be >= 2. Got {min_steps} instead.")
        self.alpha = alpha
        self.min_steps = min_steps
        self.min_delta = min_delta
        self.wilcoxon = wilcoxon
        self.n_startup_trials = n_startup_trials

    def prune(self, study: "Study", trial: FrozenTrial) -> bool:
        if trial.last_step is not None and trial.last_step < 0:  # a row-sample screen, not a fold
            return worse_than_median(study, trial, trial.last_step)
        mine = per_step_scores(trial)
        if len(mine) < self.min_steps:
            return False
        complete = study.get_trials((TrialState.COMPLETE,))
        if len(complete) < self.n_startup_trials:
            return False
        incumbent = per_step_scores(study.best_trial)
        shared = [s for s in mine if s in incumbent]
        if len(shared) < self.min_steps:
            return False
        diff = signed(np.array([mine[s] - incumbent[s] for s in shared]), study.direction) + self.min_delta
        return self._p_value(diff) < self.alpha

    def _p_value(self, diff: np.ndarray) -> float:
        """One-sided p-value for H0: mean difference >= 0 (the trial is not worse)."""
        if np.all(diff == 0):
            return 1.0
        if self.wilcoxon:
            return float(stats.wilcoxon(diff, alternative="less", zero_method="zsplit").pvalue)
        if np.ptp(diff) == 0:  # identical non-zero differences: a sure sign
            return 0.0 if diff[0] < 0 else 1.0
        return float(stats.ttest_1samp(diff, 0.0, alternative="less").pvalue)

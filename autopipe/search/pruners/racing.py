"""Racing against the incumbent on the same folds, with a prior learned from the search.

After m of K folds, a running trial's per-fold gaps to the incumbent (the best complete
trial) are d_1..d_m; the question is whether its K-fold mean could still end above the
incumbent's. Two things learned from the recent complete trials answer it:

- the fold noise: how much a trial's per-fold gap to the incumbent wanders around its
  own mean (sigma, a quantile of the per-trial standard deviations);
- the prior: where a trial's mean gap usually lies (mu0, tau), since most proposals of
  a search are worse than its best. One fold that ties the incumbent is weak evidence
  against that prior; one fold far below it is strong.

With a normal prior N(mu0, tau^2) on the trial's mean gap mu and fold gaps
N(mu, sigma^2), the posterior of mu is normal, and so is the final K-fold mean gap
(the m seen folds plus K - m unseen ones). The trial stops when the chance that this
final gap is positive falls below ``alpha``. This is empirical Bayes (Robbins 1956;
Efron & Morris 1973) used for racing (Maron & Moore 1994): the prior is what lets a
single fold decide, where a plain paired test needs several folds to reach any verdict.

Only complete trials inform the prior. Pruning keeps the weakest trials from
completing, so the learned prior sits closer to the incumbent than the truth and the
rule errs towards letting trials run. The price: once most trials stop after one fold,
the complete trials are old ones and the prior ages with them; a sampler that has moved
close to the incumbent then sees its near-ties stopped unless their first fold is ahead.
So a trial that comes after ``sentinel_after`` stopped trials in a row is a sentinel and
is never stopped: sentinels are a fair sample of what the sampler proposes now, they
keep the complete trials, and with them the prior, current, and a near-tie among them
can still become the incumbent (the same hedge as Hyperband's bracket that stops
nothing; Li et al. 2017). While the rule lets trials complete anyway, no sentinel is
needed, so short searches save as much as without them.
(Priors read off the recent trials' first folds, pruned ones included, were measured
too: the first fold carries the incumbent's own luck on it; reports/pruning.md, notes.)

Row-sample screens (negative steps, large tables) are judged by successive halving, as
they are not folds. The defaults (``alpha=0.2``, sigma at the 90th percentile,
``sentinel_after=9``) come from benchmarks/pruning.py: 52 % of the fold fits saved in
50-trial searches (60 % without sentinels) at no median loss of hold-out score.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
from scipy.stats import norm

from autopipe.exceptions import ParameterError
from autopipe.search.frozen import FrozenTrial, StudyDirection, TrialState
from autopipe.search.pruners._steps import per_step_scores
from autopipe.search.pruners.base import BasePruner
from autopipe.search.pruners.halving import SuccessiveHalvingPruner

if TYPE_CHECKING:
    from autopipe.search.study import Study


class RacingPruner(BasePruner):
    def __init__(self, alpha: float = 0.2, n_startup_trials: int = 5, window: int = 100,
                 noise_quantile: float = 0.9, sentinel_after: int | None = 9) -> None:
        if not 0 < alpha < 1:
            raise ParameterError(f"'alpha' of RacingPruner must be in (0, 1). Got {alpha} instead.")
        if n_startup_trials < 3:
            raise ParameterError(f"'n_startup_trials' of RacingPruner must be >= 3. Got {n_startup_trials} instead.")
        if window < n_startup_trials:
            raise ParameterError(f"'window' of RacingPruner must be >= n_startup_trials ({n_startup_trials}). "
                                 f"Got {window} instead.")
        if not 0 < noise_quantile <= 1:
            raise ParameterError(f"'noise_quantile' of RacingPruner must be in (0, 1]. Got {noise_quantile} instead.")
        self.alpha = alpha
        self.n_startup_trials = n_startup_trials
        self.window = window
        if sentinel_after is not None and sentinel_after < 1:
            raise ParameterError(f"'sentinel_after' of RacingPruner must be None or >= 1. Got {sentinel_after} instead.")
        self.noise_quantile = noise_quantile
        self.sentinel_after = sentinel_after
        self._screens = SuccessiveHalvingPruner(min_resource=1, reduction_factor=2)

    def prune(self, study: "Study", trial: FrozenTrial) -> bool:
        step = trial.last_step
        if step is None:
            return False
        if step < 0:
            return self._screens.prune(study, trial)
        finished = study.get_trials((TrialState.COMPLETE, TrialState.PRUNED))
        complete = [t for t in finished if t.state == TrialState.COMPLETE]
        if len(complete) < self.n_startup_trials or self._is_sentinel(trial, finished):
            return False
        return self.chance_to_beat(study, trial, complete) < self.alpha

    def _is_sentinel(self, trial: FrozenTrial, finished: list[FrozenTrial]) -> bool:
        """True when the ``sentinel_after`` finished trials just before this one were all stopped."""
        if self.sentinel_after is None:
            return False
        before = [t for t in finished if t.number < trial.number][-self.sentinel_after:]
        return len(before) == self.sentinel_after and all(t.state == TrialState.PRUNED for t in before)

    def chance_to_beat(self, study: "Study", trial: FrozenTrial, complete: list[FrozenTrial] | None = None) -> float:
        """P(the trial's final K-fold mean beats the incumbent's), under the learned prior;
        1.0 while there is not enough to judge by."""
        if complete is None:
            complete = study.get_trials((TrialState.COMPLETE,))
        incumbent = study.best_trial
        best = per_step_scores(incumbent)
        steps = sorted(best)
        mine = per_step_scores(trial)
        seen = [s for s in steps if s in mine]
        k, m = len(steps), len(seen)
        if m == 0 or m >= k:
            return 1.0
        sign = 1.0 if study.direction == StudyDirection.MAXIMIZE else -1.0
        b = np.array([best[s] for s in steps])
        peers = []
        for t in complete[-self.window:]:
            scores = per_step_scores(t)
            if t.number != incumbent.number and all(s in scores for s in steps):
                peers.append([scores[s] for s in steps])
        if len(peers) < self.n_startup_trials - 1:
            return 1.0
        gaps = sign * (np.asarray(peers) - b)
        spread = gaps.std(axis=1, ddof=1)
        spread = spread[spread > 0]  # exact copies of the incumbent say nothing about noise
        if spread.size == 0:
            return 1.0
        sigma2 = float(np.quantile(spread, self.noise_quantile)) ** 2
        means = gaps.mean(axis=1)
        mu0 = float(means.mean())
        # the prior is never tighter than the noise of one K-fold mean
        tau2 = max(float(means.var(ddof=1)) - sigma2 / k, sigma2 / k)
        d = sign * (np.array([mine[s] for s in seen]) - b[[steps.index(s) for s in seen]])
        post_var = 1.0 / (1.0 / tau2 + m / sigma2)
        post_mean = post_var * (mu0 / tau2 + d.sum() / sigma2)
        final_mean = (d.sum() + (k - m) * post_mean) / k
        final_var = ((k - m) ** 2 * post_var + (k - m) * sigma2) / k**2
        return float(norm.sf(0.0, loc=final_mean, scale=math.sqrt(final_var)))

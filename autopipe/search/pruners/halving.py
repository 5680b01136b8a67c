"""Successive halving over steps (asynchronous: no waiting for a full rung).

Rungs sit at steps min_resource * eta**k - 1 (folds 1, 3, 9... for eta=3, or 1, 2, 4
for eta=2). A trial reaching a rung continues only if its running value is within the
top 1/eta of the values recorded at that rung so far; otherwise it stops there.

With ``window``, only the ``window`` most recent trials at the rung are the competition.
A model-based sampler improves its proposals as it goes, so against all values ever
recorded (early random trials included) most late trials pass every rung; against the
recent ones the pressure stays at 1/eta.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from autopipe.exceptions import ParameterError
from autopipe.search.frozen import FrozenTrial, TrialState
from autopipe.search.pruners._steps import signed
from autopipe.search.pruners.base import BasePruner

if TYPE_CHECKING:
    from autopipe.search.study import Study


class SuccessiveHalvingPruner(BasePruner):
    def __init__(self, min_resource: int = 1, reduction_factor: int = 2, min_peers: int = 4,
                 window: int | None = None) -> None:
        if window is not None and window < min_peers:
            raise ParameterError(f"'window' must be None or >= min_peers ({min_peers}). Got {window} instead.")
        if min_resource < 1:
            raise ParameterError(f"'min_resource' must be >= 1. Got {min_resource} instead.")
        if reduction_factor < 2:
            raise ParameterError(f"'reduction_factor' must be >= 2. Got {reduction_factor} instead.")
        self.min_resource = min_resource
        self.eta = reduction_factor
        self.min_peers = min_peers
        self.window = window

    def _is_rung(self, step: int) -> bool:
        r = (step + 1) / self.min_resource
        if r < 1:
            return False
        k = round(math.log(r, self.eta))
        return self.min_resource * self.eta ** k == step + 1

    def prune(self, study: "Study", trial: FrozenTrial) -> bool:
        step = trial.last_step
        if step is None or (step >= 0 and not self._is_rung(step)):  # every screen (step < 0) is a rung
            return False
        others = study.get_trials((TrialState.COMPLETE, TrialState.PRUNED, TrialState.RUNNING))
        values = [t.intermediate_values[step] for t in others
                  if step in t.intermediate_values and t.number != trial.number]
        if len(values) < self.min_peers:
            return False
        if self.window is not None:
            values = values[-self.window:]  # trials come in number order: the most recent last
        scores = np.sort(signed(np.array(values), study.direction))[::-1]
        keep = max(1, math.ceil((len(scores) + 1) / self.eta))
        cutoff = scores[min(keep, len(scores)) - 1]
        return float(signed(trial.intermediate_values[step], study.direction)) < cutoff

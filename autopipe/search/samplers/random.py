"""Random search: every parameter drawn from its prior, independently."""

from __future__ import annotations

from typing import TYPE_CHECKING

from autopipe.search.distributions import Distribution
from autopipe.search.samplers.base import BaseSampler, sample_uniform_internal

if TYPE_CHECKING:
    from autopipe.search.study import Study
    from autopipe.search.trial import Trial


class RandomSampler(BaseSampler):
    def sample(self, study: "Study", trial: "Trial", name: str, distribution: Distribution) -> float:
        return sample_uniform_internal(self.rng_for(trial), distribution)

"""TPE: orchestration (sampler), density model (parzen), history arrays, policies."""

from autopipe.search.samplers.tpe.policies import default_gamma, default_weights
from autopipe.search.samplers.tpe.sampler import TPESampler

__all__ = ["TPESampler", "default_gamma", "default_weights"]

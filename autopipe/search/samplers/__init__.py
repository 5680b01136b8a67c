"""Samplers propose parameter values from the history of a study."""

from autopipe.search.samplers.base import BaseSampler
from autopipe.search.samplers.random import RandomSampler
from autopipe.search.samplers.tpe import TPESampler

__all__ = ["BaseSampler", "RandomSampler", "TPESampler"]

"""Pruners: policies that stop unpromising trials early."""

from autopipe.search.pruners.base import BasePruner, NopPruner
from autopipe.search.pruners.median import MedianPruner

__all__ = ["BasePruner", "MedianPruner", "NopPruner"]

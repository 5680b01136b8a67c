"""Pruners: policies that stop unpromising trials early (for autopipe: between CV folds)."""

from autopipe.search.pruners.base import BasePruner, NopPruner
from autopipe.search.pruners.halving import SuccessiveHalvingPruner
from autopipe.search.pruners.median import MedianPruner
from autopipe.search.pruners.paired import PairedFoldPruner
from autopipe.search.pruners.racing import RacingPruner

__all__ = ["BasePruner", "MedianPruner", "NopPruner", "PairedFoldPruner", "RacingPruner", "SuccessiveHalvingPruner"]

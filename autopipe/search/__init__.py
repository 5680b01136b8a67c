"""autopipe's optimisation engine: define-by-run studies, TPE, pruners and storages.

Usable on its own for any objective; the names follow the conventions of the field so an
objective written for another define-by-run engine runs here unchanged.
"""

from autopipe.exceptions import TrialPruned
from autopipe.search.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from autopipe.search.frozen import FrozenTrial, StudyDirection, TrialState
from autopipe.search.pruners import (
    BasePruner,
    MedianPruner,
    NopPruner,
    PairedFoldPruner,
    RacingPruner,
    SuccessiveHalvingPruner,
)
from autopipe.search.samplers import BaseSampler, RandomSampler, TPESampler
from autopipe.search.storage import BaseStorage, InMemoryStorage, get_storage
from autopipe.search.study import Study, create_study, load_study
from autopipe.search.trial import FixedTrial, Trial

__all__ = [
    "BasePruner", "BaseSampler", "BaseStorage", "CategoricalDistribution", "FixedTrial", "FloatDistribution",
    "FrozenTrial", "InMemoryStorage", "IntDistribution", "MedianPruner", "NopPruner", "PairedFoldPruner",
    "RacingPruner", "RandomSampler", "Study", "StudyDirection", "SuccessiveHalvingPruner", "TPESampler", "Trial",
    "TrialPruned", "TrialState", "create_study", "get_storage", "load_study",
]

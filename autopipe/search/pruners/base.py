"""A pruner answers one question: should this running trial stop now?"""

from __future__ import annotations

import abc
from typing import TYPE_CHECKING

from autopipe.search.frozen import FrozenTrial

if TYPE_CHECKING:
    from autopipe.search.study import Study


class BasePruner(abc.ABC):
    @abc.abstractmethod
    def prune(self, study: "Study", trial: FrozenTrial) -> bool:
        """True when ``trial`` (a snapshot of a running trial) should be stopped."""


class NopPruner(BasePruner):
    """Never prunes: every trial runs to the end."""

    def prune(self, study: "Study", trial: FrozenTrial) -> bool:
        return False

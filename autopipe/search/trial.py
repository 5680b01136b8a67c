"""The live trial handed to an objective: suggest parameters, report, ask to prune."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Sequence

from autopipe.exceptions import ParameterError
from autopipe.search.distributions import (
    CategoricalDistribution,
    Distribution,
    FloatDistribution,
    IntDistribution,
    compatible,
)
from autopipe.search.frozen import FrozenTrial

if TYPE_CHECKING:
    from autopipe.search.study import Study


class Trial:
    """One evaluation of the objective. Parameters are chosen when first suggested
    (define-by-run), so the space may branch on earlier choices."""

    def __init__(self, study: "Study", trial_id: int, number: int, fixed_params: dict[str, Any] | None = None):
        self.study = study
        self._trial_id = trial_id
        self.number = number
        self._fixed = dict(fixed_params or {})
        self._params: dict[str, Any] = {}
        self._distributions: dict[str, Distribution] = {}
        self._intermediate: dict[int, float] = {}
        self._user_attrs: dict[str, Any] = {}
        self.study.sampler.before_trial(study, self)

    # -- suggestions ------------------------------------------------------------------
    def suggest_float(self, name: str, low: float, high: float, *, log: bool = False, step: float | None = None) -> float:
        return self._suggest(name, FloatDistribution(low, high, log=log, step=step))

    def suggest_int(self, name: str, low: int, high: int, *, log: bool = False, step: int = 1) -> int:
        return self._suggest(name, IntDistribution(int(low), int(high), log=log, step=int(step)))

    def suggest_categorical(self, name: str, choices: Sequence[Any]) -> Any:
        return self._suggest(name, CategoricalDistribution(choices))

    def _suggest(self, name: str, distribution: Distribution) -> Any:
        if name in self._params:
            if not compatible(self._distributions[name], distribution):
                raise ParameterError(
                    f"Parameter {name!r} was suggested twice in trial {self.number} with different domains: "
                    f"{self._distributions[name]} then {distribution}."
                )
            return self._params[name]
        if name in self._fixed and distribution.contains(self._fixed[name]):
            value = _as_given(distribution, self._fixed[name])
        elif distribution.single():
            value = _only_value(distribution)
        else:
            value = distribution.to_external(self.study.sampler.sample(self.study, self, name, distribution))
        self.study._storage.set_trial_param(self._trial_id, name, value, distribution)
        self._params[name] = value
        self._distributions[name] = distribution
        return value

    # -- reporting and pruning ------------------------------------------------------
    def report(self, value: float, step: int) -> None:
        """Record the running score after ``step`` (for autopipe: after each CV fold)."""
        value = float(value)
        if math.isnan(value):
            return
        if step in self._intermediate:
            return
        self._intermediate[int(step)] = value
        self.study._storage.set_trial_intermediate_value(self._trial_id, int(step), value)

    def should_prune(self) -> bool:
        return bool(self.study.pruner.prune(self.study, self.frozen()))

    def set_user_attr(self, key: str, value: Any) -> None:
        self._user_attrs[key] = value
        self.study._storage.set_trial_attr(self._trial_id, key, value)

    # -- views --------------------------------------------------------------------------
    @property
    def params(self) -> dict[str, Any]:
        return dict(self._params)

    @property
    def distributions(self) -> dict[str, Distribution]:
        return dict(self._distributions)

    @property
    def user_attrs(self) -> dict[str, Any]:
        return dict(self._user_attrs)

    @property
    def intermediate_values(self) -> dict[int, float]:
        return dict(self._intermediate)

    def frozen(self) -> FrozenTrial:
        """A snapshot for pruners, which must only ever see read-only records."""
        from autopipe.search.frozen import TrialState

        return FrozenTrial(
            number=self.number,
            state=TrialState.RUNNING,
            value=None,
            params=dict(self._params),
            distributions=dict(self._distributions),
            intermediate_values=dict(self._intermediate),
            user_attrs=dict(self._user_attrs),
            trial_id=self._trial_id,
        )


class FixedTrial:
    """Replays a params dict through an objective or space function, without a study.

    Used to rebuild the best pipeline from stored params and to test space functions.
    """

    def __init__(self, params: dict[str, Any], number: int = 0):
        self._fixed = dict(params)
        self.number = number
        self.params: dict[str, Any] = {}
        self.distributions: dict[str, Distribution] = {}
        self.user_attrs: dict[str, Any] = {}
        self.intermediate_values: dict[int, float] = {}

    def suggest_float(self, name: str, low: float, high: float, *, log: bool = False, step: float | None = None) -> float:
        return self._suggest(name, FloatDistribution(low, high, log=log, step=step))

    def suggest_int(self, name: str, low: int, high: int, *, log: bool = False, step: int = 1) -> int:
        return self._suggest(name, IntDistribution(int(low), int(high), log=log, step=int(step)))

    def suggest_categorical(self, name: str, choices: Sequence[Any]) -> Any:
        return self._suggest(name, CategoricalDistribution(choices))

    def _suggest(self, name: str, distribution: Distribution) -> Any:
        if name in self.params:
            return self.params[name]
        if name not in self._fixed:
            if distribution.single():
                value = _only_value(distribution)
            else:
                raise ParameterError(f"FixedTrial has no value for parameter {name!r}.")
        else:
            value = self._fixed[name]
            if not distribution.contains(value):
                raise ParameterError(f"Value {value!r} of parameter {name!r} is outside its domain {distribution}.")
            value = _as_given(distribution, value)
        self.params[name] = value
        self.distributions[name] = distribution
        return value

    def report(self, value: float, step: int) -> None:
        self.intermediate_values[int(step)] = float(value)

    def should_prune(self) -> bool:
        return False

    def set_user_attr(self, key: str, value: Any) -> None:
        self.user_attrs[key] = value


def _as_given(distribution: Distribution, value: Any) -> Any:
    """The fixed value itself in the distribution's type (no log/exp round trip)."""
    if isinstance(distribution, CategoricalDistribution):
        return distribution.choices[int(distribution.to_internal(value))]
    if isinstance(distribution, IntDistribution):
        return int(value)
    if distribution.step is not None:
        return distribution.to_external(distribution.to_internal(value))
    return float(value)


def _only_value(distribution: Distribution) -> Any:
    if isinstance(distribution, CategoricalDistribution):
        return distribution.choices[0]
    return distribution.low

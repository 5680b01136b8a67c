"""Parameter distributions: the domain of one searched parameter.

Samplers work in an *internal* representation: floats for numeric parameters (the log
of the value when ``log=True``) and the index of the choice for categoricals. The
conversion lives here so that samplers and storages never special-case a type.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any, Sequence

from autopipe.exceptions import ParameterError


@dataclass(frozen=True)
class FloatDistribution:
    low: float
    high: float
    log: bool = False
    step: float | None = None

    def __post_init__(self) -> None:
        _check_range(self.low, self.high, self.log)
        if self.step is not None and self.log:
            raise ParameterError("A float parameter cannot have both 'step' and 'log=True'.")
        if self.step is not None and self.step <= 0:
            raise ParameterError(f"'step' must be > 0. Got {self.step} instead.")
        if self.step is not None:  # the grid's last point, when high is not on it
            n = math.floor((self.high - self.low) / self.step + 1e-9)
            object.__setattr__(self, "high", float(self.low + n * self.step))

    def to_internal(self, value: Any) -> float:
        return math.log(value) if self.log else float(value)

    def to_external(self, x: float) -> float:
        value = math.exp(x) if self.log else float(x)
        if self.step is not None:
            value = self.low + round((value - self.low) / self.step) * self.step
        return float(min(max(value, self.low), self.high))

    def contains(self, value: Any) -> bool:
        try:
            return self.low <= float(value) <= self.high
        except (TypeError, ValueError):
            return False

    def single(self) -> bool:
        return self.low == self.high

    @property
    def internal_bounds(self) -> tuple[float, float]:
        """For a stepped float, widened by half a step so each grid point owns a cell."""
        if self.log:
            return math.log(self.low), math.log(self.high)
        half = 0.5 * self.step if self.step is not None else 0.0
        return float(self.low) - half, float(self.high) + half

    @property
    def internal_step(self) -> float | None:
        return self.step


@dataclass(frozen=True)
class IntDistribution:
    low: int
    high: int
    log: bool = False
    step: int = 1

    def __post_init__(self) -> None:
        _check_range(self.low, self.high, self.log)
        if self.step < 1:
            raise ParameterError(f"'step' of an int parameter must be >= 1. Got {self.step} instead.")
        if self.log and self.step != 1:
            raise ParameterError("An int parameter cannot have both 'step' != 1 and 'log=True'.")
        object.__setattr__(self, "high", int(self.low + (self.high - self.low) // self.step * self.step))

    def to_internal(self, value: Any) -> float:
        return math.log(value) if self.log else float(value)

    def to_external(self, x: float) -> int:
        value = math.exp(x) if self.log else x
        value = self.low + round((value - self.low) / self.step) * self.step
        return int(min(max(value, self.low), self.high))

    def contains(self, value: Any) -> bool:
        try:
            v = int(value)
        except (TypeError, ValueError):
            return False
        return v == value and self.low <= v <= self.high and (v - self.low) % self.step == 0

    def single(self) -> bool:
        return self.low == self.high

    @property
    def internal_bounds(self) -> tuple[float, float]:
        """Bounds widened by half a step, so every integer owns an equal-width cell."""
        if self.log:
            return math.log(self.low - 0.5), math.log(self.high + 0.5)
        return self.low - 0.5 * self.step, self.high + 0.5 * self.step

    @property
    def internal_step(self) -> float | None:
        return None if self.log else float(self.step)


@dataclass(frozen=True)
class CategoricalDistribution:
    choices: tuple

    def __init__(self, choices: Sequence[Any]) -> None:
        choices = tuple(choices)
        if not choices:
            raise ParameterError("A categorical parameter needs at least one choice.")
        for c in choices:
            if c is not None and not isinstance(c, (bool, int, float, str)):
                raise ParameterError(
                    f"Categorical choices must be None, bool, int, float or str. Got {type(c).__name__}: {c!r}."
                )
        object.__setattr__(self, "choices", choices)

    def to_internal(self, value: Any) -> float:
        for i, c in enumerate(self.choices):
            if c == value and type(c) is type(value):
                return float(i)
        for i, c in enumerate(self.choices):  # 1 == 1.0 style matches from JSON round trips
            if c == value:
                return float(i)
        raise ParameterError(f"{value!r} is not one of the choices {list(self.choices)}.")

    def to_external(self, x: float) -> Any:
        return self.choices[int(x)]

    def contains(self, value: Any) -> bool:
        return any(c == value for c in self.choices)

    def single(self) -> bool:
        return len(self.choices) == 1


Distribution = FloatDistribution | IntDistribution | CategoricalDistribution


def _check_range(low: float, high: float, log: bool) -> None:
    if low > high:
        raise ParameterError(f"'low' must be <= 'high'. Got low={low}, high={high}.")
    if log and low <= 0:
        raise ParameterError(f"A log-scaled parameter needs low > 0. Got low={low}.")


def compatible(a: Distribution, b: Distribution) -> bool:
    """Two suggestions of one name must describe the same kind of domain."""
    if type(a) is not type(b):
        return False
    if isinstance(a, CategoricalDistribution):
        return a.choices == b.choices
    return a.log == b.log


def to_stored(distribution: Distribution, value: Any) -> float:
    """A float that gives back exactly ``value``: the choice index, or the number itself."""
    if isinstance(distribution, CategoricalDistribution):
        return distribution.to_internal(value)
    return float(value)


def from_stored(distribution: Distribution, stored: float) -> Any:
    if isinstance(distribution, CategoricalDistribution):
        return distribution.choices[int(stored)]
    if isinstance(distribution, IntDistribution):
        return int(round(stored))
    return float(stored)


def distribution_to_json(d: Distribution) -> str:
    if isinstance(d, FloatDistribution):
        attrs = {"low": d.low, "high": d.high, "log": d.log, "step": d.step}
        return json.dumps({"type": "float", **attrs})
    if isinstance(d, IntDistribution):
        return json.dumps({"type": "int", "low": d.low, "high": d.high, "log": d.log, "step": d.step})
    return json.dumps({"type": "categorical", "choices": list(d.choices)})


def json_to_distribution(text: str) -> Distribution:
    d = json.loads(text)
    kind = d.pop("type")
    if kind == "float":
        return FloatDistribution(**d)
    if kind == "int":
        return IntDistribution(**d)
    return CategoricalDistribution(d["choices"])

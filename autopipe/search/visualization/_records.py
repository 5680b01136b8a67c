"""A plain view of a study that every plot reads: from a live study or from saved JSON.

The plots take a ``Study`` (anything with ``trials`` and ``direction``), or the
``{"direction": ..., "trials": [...], "params": {...}}`` dict that ``to_dict`` writes
(and the report keeps in its summary), so a page can be redrawn without the study.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

COMPLETE = "COMPLETE"
PRUNED = "PRUNED"


@dataclass(frozen=True)
class ParamInfo:
    """How a parameter was sampled: 'float', 'int' or 'categorical'; log scale; choices."""

    kind: str
    log: bool = False
    choices: tuple = ()


@dataclass
class TrialRecord:
    number: int
    state: str
    value: float | None
    params: dict[str, Any]
    intermediate: dict[int, float] = field(default_factory=dict)
    fold_scores: list[float] = field(default_factory=list)

    @property
    def family(self) -> str:
        return str(self.params.get("family", "trial"))


@dataclass
class StudyRecords:
    direction: str
    trials: list[TrialRecord]
    params: dict[str, ParamInfo]

    @property
    def maximize(self) -> bool:
        return self.direction == "maximize"

    def completed(self) -> list[TrialRecord]:
        return [t for t in self.trials if t.state == COMPLETE and _finite(t.value)]

    def ranked(self) -> list[TrialRecord]:
        """Completed trials, best first (earliest first on ties)."""
        sign = -1.0 if self.maximize else 1.0
        return sorted(self.completed(), key=lambda t: (sign * t.value, t.number))

    def param_names(self) -> list[str]:
        """Parameters seen in completed trials that took more than one value, in first-seen order."""
        seen: dict[str, set] = {}
        for t in self.completed():
            for name, value in t.params.items():
                seen.setdefault(name, set()).add(repr(value))
        return [name for name, values in seen.items() if len(values) > 1]


def records_of(study: Any) -> StudyRecords:
    """Accept a StudyRecords, a study, or the dict written by ``to_dict``."""
    if isinstance(study, StudyRecords):
        return study
    if isinstance(study, dict):
        return _from_dict(study)
    if hasattr(study, "trials") and hasattr(study, "direction"):
        return _from_study(study)
    raise TypeError(f"Expected a study or its saved records. Got {type(study).__name__} instead.")


def to_dict(records: StudyRecords) -> dict:
    """JSON-able form of the records (see the module docstring)."""
    return {
        "direction": records.direction,
        "params": {k: {"kind": p.kind, "log": p.log, "choices": list(p.choices)}
                   for k, p in records.params.items()},
        "trials": [{"number": t.number, "state": t.state, "value": t.value, "params": t.params,
                    "intermediate": {str(k): v for k, v in t.intermediate.items()},
                    "fold_scores": t.fold_scores} for t in records.trials],
    }


def _direction(value: Any) -> str:
    text = str(getattr(value, "value", value)).lower()
    return "maximize" if text == "maximize" else "minimize"


def _from_study(study: Any) -> StudyRecords:
    params: dict[str, ParamInfo] = {}
    trials = []
    for t in study.trials:
        state = getattr(t.state, "name", str(t.state))
        if state == "WAITING":
            continue
        for name, dist in (getattr(t, "distributions", None) or {}).items():
            params.setdefault(name, _info(dist))
        attrs = getattr(t, "user_attrs", None) or {}
        trials.append(TrialRecord(
            number=int(t.number), state=state,
            value=float(t.value) if _finite(t.value) else None,
            params=dict(t.params or {}),
            intermediate={int(k): float(v) for k, v in (t.intermediate_values or {}).items() if _finite(v)},
            fold_scores=[float(s) for s in attrs.get("fold_scores") or []],
        ))
    _guess_missing(params, trials)
    return StudyRecords(_direction(study.direction), sorted(trials, key=lambda t: t.number), params)


def _from_dict(data: dict) -> StudyRecords:
    params = {k: ParamInfo(p.get("kind", "float"), bool(p.get("log")), tuple(p.get("choices") or ()))
              for k, p in (data.get("params") or {}).items()}
    trials = [TrialRecord(
        number=int(t["number"]), state=str(t["state"]), value=t.get("value"), params=dict(t.get("params") or {}),
        intermediate={int(k): float(v) for k, v in (t.get("intermediate") or {}).items() if _finite(v)},
        fold_scores=[float(s) for s in t.get("fold_scores") or []],
    ) for t in data.get("trials") or []]
    _guess_missing(params, trials)
    return StudyRecords(_direction(data.get("direction")), trials, params)


def _info(dist: Any) -> ParamInfo:
    name = type(dist).__name__
    if name.startswith("Categorical"):
        return ParamInfo("categorical", False, tuple(dist.choices))
    kind = "int" if name.startswith("Int") else "float"
    return ParamInfo(kind, bool(getattr(dist, "log", False)))


def _guess_missing(params: dict[str, ParamInfo], trials: list[TrialRecord]) -> None:
    """Parameters without a recorded distribution: numbers are floats, anything else categorical."""
    for t in trials:
        for name, value in t.params.items():
            if name in params:
                continue
            numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
            params[name] = ParamInfo("float") if numeric else ParamInfo("categorical")
    for name, info in list(params.items()):
        if info.kind == "categorical" and not info.choices:
            values = {repr(t.params[name]): t.params[name] for t in trials if name in t.params}
            params[name] = ParamInfo("categorical", False, tuple(sorted(values.values(), key=repr)))


def _finite(value: Any) -> bool:
    try:
        return value is not None and math.isfinite(float(value))
    except (TypeError, ValueError):
        return False

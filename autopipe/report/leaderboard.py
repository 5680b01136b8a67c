"""One row per trial, best first, so people and files see the same ranking.

Completed trials are ranked by their cross-validated score. Trials that did not
complete follow, in this order: pruned (those that got through more folds first),
failed, running, waiting. A pruned trial's score is the mean over the folds it
finished, so it is shown but never ranked above a completed trial.
"""

from __future__ import annotations

import json
import math
from typing import Any, Iterable

import pandas as pd

from autopipe.exceptions import ParameterError

COLUMNS = [
    "rank", "trial", "state", "score", "folds_done", "fold_scores",
    "family", "selection", "duration_s", "params",
]
_STATE_ORDER = {"COMPLETE": 0, "PRUNED": 1, "FAIL": 2, "RUNNING": 3, "WAITING": 4}


def leaderboard(trials: Iterable[Any], direction: str) -> pd.DataFrame:
    """Return the trials as a DataFrame sorted best first (see the module docstring).

    Queued trials that never started (WAITING) are not results and are left out.
    """
    sign = _sign(direction)
    rows = [_row(t) for t in trials if _state_name(t) != "WAITING"]
    rows.sort(key=lambda r: _sort_key(r, sign))
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank
    return pd.DataFrame(rows, columns=COLUMNS)


def normalise_direction(direction: Any) -> str:
    """Accept "maximize"/"minimize" or a str-valued enum of them."""
    text = str(getattr(direction, "value", direction)).lower()
    if text not in ("maximize", "minimize"):
        raise ParameterError(
            f"The 'direction' must be 'maximize' or 'minimize'. Got {direction!r} instead."
        )
    return text


def fold_scores_of(trial: Any) -> list[float]:
    """Per-fold scores as recorded by the evaluator; empty if it recorded none."""
    scores = (trial.user_attrs or {}).get("fold_scores")
    return [float(s) for s in scores] if scores is not None else []


def format_fold_scores(scores: list[float]) -> str:
    return " ".join(f"{s:.4g}" for s in scores)


def _sign(direction: Any) -> int:
    return 1 if normalise_direction(direction) == "maximize" else -1


def _row(trial: Any) -> dict[str, Any]:
    state = trial.state.name
    scores = fold_scores_of(trial)
    params = dict(trial.params or {})
    return {
        "trial": int(trial.number),
        "state": state,
        "score": _score(trial, state, scores),
        "folds_done": len(scores) if scores else len(trial.intermediate_values or {}),
        "fold_scores": format_fold_scores(scores),
        "family": params.get("family"),
        "selection": params.get("selection"),
        "duration_s": _duration(trial),
        "params": json.dumps(params, sort_keys=True, default=str),
    }


def _score(trial: Any, state: str, scores: list[float]) -> float | None:
    """The final value if complete; the running mean over finished folds if pruned."""
    if state == "COMPLETE":
        value = trial.value
    elif state == "PRUNED":
        steps = trial.intermediate_values or {}
        value = steps[max(steps)] if steps else (sum(scores) / len(scores) if scores else None)
    else:
        value = None
    if value is None or not math.isfinite(float(value)):
        return None
    return float(value)


def _duration(trial: Any) -> float | None:
    recorded = (trial.user_attrs or {}).get("duration_s")
    if recorded is not None:
        return float(recorded)
    start, end = getattr(trial, "datetime_start", None), getattr(trial, "datetime_complete", None)
    if start is None or end is None:
        return None
    return (end - start).total_seconds()


def _sort_key(row: dict[str, Any], sign: int) -> tuple:
    group = _STATE_ORDER.get(row["state"], len(_STATE_ORDER))
    score = row["score"]
    # Missing scores sort after present ones inside a group; ties keep trial order.
    by_score = (score is None, -sign * score if score is not None else 0.0)
    if row["state"] == "PRUNED":
        return (group, -row["folds_done"], *by_score, row["trial"])
    if row["state"] == "COMPLETE":
        return (group, *by_score, row["trial"])
    return (group, row["trial"])


def _state_name(trial: Any) -> str:
    state = trial.state
    return getattr(state, "name", str(state))

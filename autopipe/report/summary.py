"""Collect everything the report shows into one plain, JSON-able dict.

Keeping the summary separate from the HTML means it can be tested without a browser,
saved next to the page as ``summary.json`` and re-rendered later. It must work for a
study that has no completed trial yet (``best`` is then None).
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections import Counter
from typing import Any

from autopipe.report._jsonable import to_jsonable
from autopipe.report.diagnostics import oof_diagnostics, target_summary
from autopipe.report.leaderboard import fold_scores_of, leaderboard, normalise_direction
from autopipe.report.model_info import feature_importance, pipeline_diagram, reproducibility

SUMMARY_FORMAT = 2
LEADERBOARD_TOP = 50
SURVIVAL_TOP = 10
FOLDS_TOP = 10
_STATES = ("COMPLETE", "PRUNED", "FAIL", "RUNNING", "WAITING")


def build_summary(
    *, schema: Any, study: Any, metric: Any, best_pipeline: Any,
    settings: dict, elapsed_s: float, versions: dict, oof: dict | None = None,
) -> dict:
    """Return the report's content as plain JSON values (see the module docstring).

    ``oof`` is the model's out-of-fold record (``model.oof_``); without it the page
    says why there are no diagnostics.
    """
    from autopipe.search.visualization import records_of, to_dict

    settings = dict(settings or {})
    direction = normalise_direction(study.direction)
    trials = list(study.trials)
    best = _best_trial(trials, direction)
    board = leaderboard(trials, direction)
    records = records_of(study)
    task = getattr(schema, "task", None)
    classes = _list_or_none(getattr(schema, "classes", None))
    summary = {
        "format": SUMMARY_FORMAT,
        "generated_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "metric": {"name": str(metric.name), "direction": direction},
        "data": _data(schema, settings),
        "search": _search(trials, settings, elapsed_s),
        "best": _best(best),
        "ensemble": ensemble_of(settings.get("ensemble_used"), trials),
        "pipeline": _pipeline(best_pipeline),
        "leaderboard": board.head(LEADERBOARD_TOP).to_dict("records"),
        "history": history(trials, direction),
        "feature_survival": feature_survival(trials, direction),
        "study": to_dict(records),
        "families": families(trials, direction),
        "importance": _importance(records),
        "top_folds": top_folds(trials, direction),
        "feature_importance": feature_importance(best_pipeline),
        "diagnostics": oof_diagnostics(oof, task, classes, seed=int(settings.get("seed") or 0)),
        "reproducibility": reproducibility(settings, versions, str(metric.name), getattr(schema, "target", None),
                                           task),
        "settings": settings,
        "versions": dict(versions or {}),
    }
    summary["data"]["target_summary"] = target_summary(oof, task, classes)
    return to_jsonable(summary)


def families(trials: list[Any], direction: str) -> list[dict]:
    """Per model family: trials by state and the best completed score, best family first."""
    sign = 1.0 if normalise_direction(direction) == "maximize" else -1.0
    rows: dict[str, dict] = {}
    for t in trials:
        family = str((t.params or {}).get("family"))
        if t.state.name == "WAITING" or family == "None":
            continue
        row = rows.setdefault(family, {"family": family, "best": None, "best_trial": None,
                                       "complete": 0, "pruned": 0, "failed": 0})
        key = {"COMPLETE": "complete", "PRUNED": "pruned", "FAIL": "failed"}.get(t.state.name)
        if key:
            row[key] += 1
        if t.state.name == "COMPLETE" and _finite(t.value) and (
                row["best"] is None or sign * float(t.value) > sign * row["best"]):
            row["best"], row["best_trial"] = float(t.value), t.number
    return sorted(rows.values(), key=lambda r: (r["best"] is None, -sign * (r["best"] or 0.0), r["family"]))


def top_folds(trials: list[Any], direction: str, top: int = FOLDS_TOP) -> list[dict]:
    """Per-fold scores of the best completed trials, best first."""
    reverse = normalise_direction(direction) == "maximize"
    ranked = sorted(_completed(trials), key=lambda t: (float(t.value), -t.number), reverse=reverse)
    return [{"trial": t.number, "family": (t.params or {}).get("family"), "score": float(t.value),
             "fold_scores": fold_scores_of(t)} for t in ranked[:top] if fold_scores_of(t)]


def _importance(records: Any) -> dict:
    from autopipe.search.visualization import METHOD, param_importances

    try:
        values = param_importances(records)
    except Exception as exc:  # noqa: BLE001 - a report must not fail on its analysis
        return {"method": METHOD, "values": {}, "error": f"{type(exc).__name__}: {exc}"}
    return {"method": METHOD, "values": values}


def _list_or_none(value: Any) -> list | None:
    return None if value is None else list(value)


def history(trials: list[Any], direction: str) -> list[dict]:
    """Completed trials in order, each with the best value seen so far."""
    better = max if normalise_direction(direction) == "maximize" else min
    points, best_so_far = [], None
    for trial in sorted(_completed(trials), key=lambda t: t.number):
        value = float(trial.value)
        best_so_far = value if best_so_far is None else better(best_so_far, value)
        points.append({
            "number": trial.number, "value": value, "best": best_so_far,
            "family": (trial.params or {}).get("family"),
            "params": trial.params or {},
        })
    return points


def feature_survival(trials: list[Any], direction: str, top: int = SURVIVAL_TOP) -> list[dict]:
    """How often each feature was kept among the best completed trials that recorded it."""
    reverse = normalise_direction(direction) == "maximize"
    ranked = sorted(_completed(trials), key=lambda t: t.value, reverse=reverse)
    kept = [t.user_attrs["selected_features"] for t in ranked
            if (t.user_attrs or {}).get("selected_features") is not None][:top]
    if not kept:
        return []
    counts = Counter(name for names in kept for name in set(names))
    return [{"name": name, "share": n / len(kept), "n_trials": len(kept)}
            for name, n in sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0])))]


def _completed(trials: list[Any]) -> list[Any]:
    return [t for t in trials if t.state.name == "COMPLETE" and _finite(t.value)]


def _finite(value: Any) -> bool:
    try:
        return value is not None and math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


def _best_trial(trials: list[Any], direction: str) -> Any | None:
    """The best completed trial (earliest on ties), never a pruned or partial one."""
    done = sorted(_completed(trials), key=lambda t: t.number)
    if not done:
        return None
    pick = max if direction == "maximize" else min
    return pick(done, key=lambda t: float(t.value))


def _best(trial: Any | None) -> dict | None:
    if trial is None:
        return None
    params = dict(trial.params or {})
    attrs = trial.user_attrs or {}
    return {
        "trial": trial.number,
        "score": float(trial.value),
        "family": params.get("family"),
        "selection": params.get("selection"),
        "params": params,
        "fold_scores": fold_scores_of(trial),
        "duration_s": attrs.get("duration_s"),
        "selected_features": attrs.get("selected_features"),
    }


def ensemble_of(facts: dict | None, trials: list[Any]) -> dict | None:
    """What predicts when the weighted ensemble beat the best single trial: its members
    (trial, family, share of the weight) and both out-of-fold scores; None otherwise."""
    if not facts or not facts.get("members"):
        return None
    family = {t.number: (t.params or {}).get("family") for t in trials}
    total = sum(facts["members"].values())
    members = [{"trial": int(k), "family": family.get(int(k)), "weight": c / total}
               for k, c in sorted(facts["members"].items(), key=lambda kv: -kv[1])]
    return {"members": members, "oof_score": facts.get("oof_score"),
            "best_single_oof_score": facts.get("best_single_oof_score"),
            "cross_validated_gain": facts.get("cross_validated_gain")}


def _search(trials: list[Any], settings: dict, elapsed_s: float) -> dict:
    counts = Counter(t.state.name for t in trials)
    ordered = {state: counts.pop(state, 0) for state in _STATES}
    return {
        "n_trials": len(trials) - ordered["WAITING"],  # queued but never started: not a trial yet
        "counts": {**ordered, **counts},
        "elapsed_s": float(elapsed_s),
        "time_budget_s": settings.get("time_budget"),
        "n_trials_budget": settings.get("n_trials"),
        "cv_folds": settings.get("cv"),
        "sampler": settings.get("sampler"),
        "pruner": settings.get("pruner"),
        "seed": settings.get("seed"),
    }


def _data(schema: Any, settings: dict) -> dict:
    columns = [_column(c) for c in getattr(schema, "columns", None) or []]
    kinds = Counter(c["kind"] for c in columns)
    missing = [c for c in columns if c["missing"]]
    return {
        "missing": {"columns": len(missing), "cells": sum(int(c["missing"]) for c in missing),
                    "top": sorted(({"name": c["name"], "missing": c["missing"]} for c in missing),
                                  key=lambda c: -c["missing"])[:15]},
        "rows": getattr(schema, "n_rows", None),
        "n_columns": len(columns),
        "target": getattr(schema, "target", None),
        "task": getattr(schema, "task", None),
        "classes": getattr(schema, "classes", None),
        "class_balance": settings.get("class_balance"),
        "kinds": [{"kind": k, "count": n, "used": sum(c["used"] for c in columns if c["kind"] == k)}
                  for k, n in sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0]))],
        "columns": columns,
        "dropped": [{"name": c["name"], "reason": c["reason"]} for c in columns if not c["used"]],
    }


def _column(column: Any) -> dict:
    return {
        "name": str(column.name),
        "kind": str(getattr(getattr(column, "kind", None), "value", getattr(column, "kind", None))),
        "dtype": str(getattr(column, "dtype", "")),
        "missing": getattr(column, "n_missing", None),
        "unique": getattr(column, "n_unique", None),
        "used": bool(getattr(column, "used", True)),
        "reason": getattr(column, "reason", None),
    }


def _pipeline(pipeline: Any) -> dict | None:
    """A text description and, for sklearn pipelines, the list of named steps."""
    if pipeline is None:
        return None
    steps = [{"name": str(name), "estimator": type(step).__name__}
             for name, step in getattr(pipeline, "steps", [])]
    return {"class": type(pipeline).__name__, "steps": steps, "text": _text(pipeline),
            "html": pipeline_diagram(pipeline)}


def _text(pipeline: Any) -> str:
    if isinstance(pipeline, (list, tuple, dict)):
        return json.dumps(to_jsonable(pipeline), indent=2)
    return str(pipeline)

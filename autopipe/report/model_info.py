"""The final pipeline in the report: a diagram, its feature importance, how to reproduce it."""

from __future__ import annotations

import platform
import re
from typing import Any

import numpy as np

_EXTERNAL_HREF = re.compile(r"""\shref\s*=\s*(["'])(?:https?:)?//[^"']*\1""", re.I)


def pipeline_diagram(pipeline: Any) -> str | None:
    """scikit-learn's self-contained HTML diagram (inline CSS/JS, data: icons), with the
    links to the online documentation removed so the page never points off-line."""
    from sklearn.base import BaseEstimator

    if not isinstance(pipeline, BaseEstimator):
        return None
    from sklearn.utils import estimator_html_repr

    return _EXTERNAL_HREF.sub("", estimator_html_repr(pipeline))


def feature_importance(pipeline: Any) -> dict | None:
    """The final model's own importance, summed back onto the original columns.

    Boosters give total gain, forests impurity decrease, linear models the mean |coef|
    on their scaled inputs; an encoded column (one-hot level, date part, missing flag)
    counts for the column it came from. None for models without one (k-NN).
    """
    steps = dict(getattr(pipeline, "steps", []) or [])
    if not {"preprocess", "model"} <= set(steps):
        return None
    model = steps["model"]
    values, method = _native(model)
    if values is None:
        return None
    try:
        from autopipe.space.preprocessing import output_sources

        sources = output_sources(steps["preprocess"])
    except Exception:  # noqa: BLE001 - an unfamiliar preprocessor: no mapping, no section
        return None
    selector = steps.get("select")
    if selector is not None and selector != "passthrough":
        mask = selector.get_support()
        sources = [s for s, keep in zip(sources, mask) if keep]
    if len(sources) != len(values):
        return None
    totals: dict[str, float] = {}
    for name, value in zip(sources, values):
        totals[str(name)] = totals.get(str(name), 0.0) + float(value)
    grand = sum(totals.values())
    ranked = sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))
    return {"method": method, "values": [{"name": n, "importance": v / grand if grand > 0 else 0.0}
                                         for n, v in ranked]}


def _native(model: Any) -> tuple[np.ndarray | None, str]:
    booster = getattr(model, "booster_", None)
    if booster is not None and hasattr(booster, "feature_importance"):  # LightGBM
        return np.asarray(booster.feature_importance(importance_type="gain"), float), "total gain (LightGBM)"
    if type(model).__module__.startswith("xgboost"):
        scores = model.get_booster().get_score(importance_type="total_gain")
        n = int(getattr(model, "n_features_in_", 0))
        return np.array([scores.get(f"f{i}", 0.0) for i in range(n)]), "total gain (XGBoost)"
    if hasattr(model, "feature_importances_"):
        try:
            values = np.asarray(model.feature_importances_, float)
        except (AttributeError, ValueError):  # HistGradientBoosting has no impurity importance
            return None, ""
        return values, "mean decrease in impurity"
    coef = getattr(model, "coef_", None)
    if coef is not None:
        coef = np.abs(np.asarray(coef, float))
        return (coef.mean(axis=0) if coef.ndim == 2 else coef), "mean |coefficient| on scaled inputs"
    return None, ""


def reproducibility(settings: dict, versions: dict, metric_name: str, target: Any, task: Any) -> dict:
    """Seed, the command that ran (when the CLI recorded it) and the equivalent Python call."""
    args = [f"target={target!r}"]
    for key in ("time_budget", "n_trials", "cv", "seed"):
        if settings.get(key) is not None:
            args.append(f"{key}={settings[key]!r}")
    args.append(f"metric={metric_name!r}")
    if task is not None:
        args.append(f"task={task!r}")
    if settings.get("column_kinds"):
        args.append(f"column_kinds={settings['column_kinds']!r}")
    return {
        "seed": settings.get("seed"),
        "command": settings.get("command"),
        "python": f"autopipe.fit(data, {', '.join(args)})",
        "platform": f"{platform.system()} {platform.machine()}",
        "versions": dict(versions or {}),
        "note": "Same seed, data, versions and trial budget give the same trials; a time budget stops "
                "after as many trials as fit in it, which depends on the machine.",
    }

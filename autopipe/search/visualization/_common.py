"""Shared pieces of the plots: colours by family, hover text, numeric codes for parameters."""

from __future__ import annotations

import html
import json
import math
from typing import Any

import numpy as np

from autopipe.search.visualization._records import ParamInfo, StudyRecords, TrialRecord

MAX_HOVER_PARAMS = 25
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
           "#bcbd22", "#17becf")
LAYOUT = {"template": "plotly_white", "margin": {"l": 60, "r": 20, "t": 40, "b": 50}}


def family_colors(trials: list[TrialRecord]) -> dict[str, str]:
    families = sorted({t.family for t in trials})
    return {f: PALETTE[i % len(PALETTE)] for i, f in enumerate(families)}


def value_title(records: StudyRecords, target_name: str) -> str:
    return f"{target_name} ({'higher' if records.maximize else 'lower'} is better)"


def hover_params(params: dict) -> str:
    """Params as escaped 'name = value' lines (the family is shown as the trace name)."""
    lines = [f"{html.escape(str(k))} = {html.escape(short(v))}"
             for k, v in sorted(params.items(), key=lambda kv: str(kv[0])) if k != "family"]
    if len(lines) > MAX_HOVER_PARAMS:
        lines = lines[:MAX_HOVER_PARAMS] + [f"... {len(lines) - MAX_HOVER_PARAMS} more"]
    return "<br>".join(lines)


def short(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return value if isinstance(value, str) else json.dumps(value, default=str)


def encode(info: ParamInfo, values: list[Any]) -> np.ndarray:
    """Numbers for a parameter's values: log10 on log scales, the choice index for
    categories, NaN where the trial did not have the parameter."""
    out = np.full(len(values), np.nan)
    keys = [repr(c) for c in info.choices]
    for i, v in enumerate(values):
        if v is None and info.kind != "categorical":
            continue
        if info.kind == "categorical":
            out[i] = keys.index(repr(v)) if repr(v) in keys else np.nan
        else:
            try:
                x = float(v)
            except (TypeError, ValueError):
                continue
            out[i] = math.log10(x) if info.log and x > 0 else (np.nan if info.log else x)
    return out


_MISSING = object()


def column(records: StudyRecords, name: str, trials: list[TrialRecord]) -> np.ndarray:
    values = [t.params.get(name, _MISSING) for t in trials]
    codes = encode(records.params[name], [None if v is _MISSING else v for v in values])
    codes[[v is _MISSING for v in values]] = np.nan
    return codes


def axis_for(info: ParamInfo, name: str) -> dict:
    """Axis settings: category ticks, or a log axis, titled by the parameter's name."""
    if info.kind == "categorical":
        return {"title": name, "tickvals": list(range(len(info.choices))),
                "ticktext": [short(c) for c in info.choices]}
    return {"title": name, "type": "log"} if info.log else {"title": name}


def empty_figure(message: str):
    import plotly.graph_objects as go

    fig = go.Figure()
    fig.add_annotation(text=html.escape(message), showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
    fig.update_layout(**LAYOUT, height=200, xaxis={"visible": False}, yaxis={"visible": False})
    return fig


def pick_params(records: StudyRecords, params: list[str] | None, limit: int | None = None) -> list[str]:
    names = records.param_names() if params is None else [p for p in params if p in records.params]
    return names if limit is None else names[:limit]

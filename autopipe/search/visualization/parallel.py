"""Parallel coordinates: each completed trial as a line through its parameters and value."""

from __future__ import annotations

from typing import Any

import numpy as np
import plotly.graph_objects as go

from autopipe.search.visualization._common import LAYOUT, column, empty_figure, pick_params, short
from autopipe.search.visualization._records import ParamInfo, StudyRecords, records_of

NOT_USED = "n/a"


def plot_parallel_coordinate(study: Any, *, params: list[str] | None = None,
                             target_name: str = "objective value", max_params: int = 8) -> go.Figure:
    """One axis per parameter (``n/a`` marks trials whose branch did not use it) and
    one for the objective; lines coloured by the objective."""
    records = records_of(study)
    done = records.completed()
    names = _default_params(records, done) if params is None else pick_params(records, params)
    names = names[:max_params]
    if not done or not names:
        return empty_figure("No completed trial with a varying parameter yet.")
    values = [t.value for t in done]
    dims = [{"label": target_name, "values": values}]
    dims += [_dimension(records.params[n], n, column(records, n, done)) for n in names]
    fig = go.Figure(go.Parcoords(
        dimensions=dims,
        line={"color": values, "colorscale": "Viridis", "reversescale": not records.maximize,
              "showscale": True, "colorbar": {"title": {"text": target_name}}},
    ))
    fig.update_layout(**{**LAYOUT, "margin": {"l": 80, "r": 60, "t": 60, "b": 30}}, height=460)
    return fig


def _default_params(records: StudyRecords, done: list) -> list[str]:
    """The family first, then parameters by how many completed trials used them."""
    names = pick_params(records, None)
    counts = {n: sum(n in t.params for t in done) for n in names}
    return sorted(names, key=lambda n: (n != "family", -counts[n], names.index(n)))


def _dimension(info: ParamInfo, name: str, codes: np.ndarray) -> dict:
    present = codes[~np.isnan(codes)]
    if info.kind == "categorical":
        tickvals, ticktext = list(range(len(info.choices))), [short(c) for c in info.choices]
        low, high = 0.0, float(max(len(info.choices) - 1, 1))
    else:
        low, high = (float(present.min()), float(present.max())) if present.size else (0.0, 1.0)
        if high == low:
            high = low + 1.0
        tickvals = list(np.linspace(low, high, 5))
        ticktext = [short(10 ** v if info.log else v) for v in tickvals]
    gap = (high - low) * 0.15
    if np.isnan(codes).any():
        tickvals, ticktext = [low - gap] + tickvals, [NOT_USED] + ticktext
        low -= gap
    filled = np.where(np.isnan(codes), low, codes)
    return {"label": name, "values": filled.tolist(), "range": [low, high],
            "tickvals": tickvals, "ticktext": ticktext}

"""Slice plot: the objective against each parameter, one panel per parameter."""

from __future__ import annotations

import math
from typing import Any

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from autopipe.search.visualization._common import LAYOUT, axis_for, empty_figure, pick_params, short, value_title
from autopipe.search.visualization._records import records_of

COLUMNS = 3


def plot_slice(study: Any, *, params: list[str] | None = None, target_name: str = "objective value",
               max_params: int = 12) -> go.Figure:
    """Completed trials' values against each parameter (only trials that used it),
    coloured by trial number so early and late trials can be told apart."""
    records = records_of(study)
    done = records.completed()
    names = pick_params(records, params, max_params)
    if not done or not names:
        return empty_figure("No completed trial with a varying parameter yet.")
    rows = math.ceil(len(names) / COLUMNS)
    fig = make_subplots(rows=rows, cols=min(COLUMNS, len(names)), shared_yaxes=True,
                        horizontal_spacing=0.06, vertical_spacing=0.6 / rows)
    last = max(t.number for t in done)
    for i, name in enumerate(names):
        row, col = divmod(i, COLUMNS)
        info = records.params[name]
        used = [t for t in done if name in t.params]
        x = [t.params[name] if info.kind != "categorical" else short(t.params[name]) for t in used]
        fig.add_trace(go.Scatter(
            x=x, y=[t.value for t in used], mode="markers", showlegend=False,
            marker={"size": 6, "color": [t.number for t in used], "colorscale": "Blues", "cmin": 0,
                    "cmax": max(last, 1), "line": {"width": 0.5, "color": "#555"}},
            hovertemplate=f"trial %{{text}}<br>{name} = %{{x}}<br>value %{{y:.5g}}<extra></extra>",
            text=[t.number for t in used],
        ), row=row + 1, col=col + 1)
        axis = axis_for(info, name)
        if info.kind == "categorical":
            axis = {"title": name, "type": "category"}
        fig.update_xaxes(**axis, row=row + 1, col=col + 1)
    fig.update_yaxes(title_text=value_title(records, target_name), col=1)
    fig.update_layout(**LAYOUT, height=260 * rows + 60)
    return fig

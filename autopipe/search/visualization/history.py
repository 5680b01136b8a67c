"""Optimisation history: every completed trial coloured by family, and the best so far."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from autopipe.search.visualization._common import LAYOUT, empty_figure, family_colors, hover_params, value_title
from autopipe.search.visualization._records import records_of


def plot_optimization_history(study: Any, *, target_name: str = "objective value") -> go.Figure:
    """Completed trials as points (one trace per family, parameters on hover) and the
    best-so-far step line."""
    records = records_of(study)
    done = sorted(records.completed(), key=lambda t: t.number)
    if not done:
        return empty_figure("No completed trial yet.")
    fig = go.Figure()
    colors = family_colors(done)
    for family, color in colors.items():
        points = [t for t in done if t.family == family]
        fig.add_trace(go.Scatter(
            x=[t.number for t in points], y=[t.value for t in points], mode="markers", name=family,
            marker={"size": 8, "opacity": 0.8, "color": color},
            text=[hover_params(t.params) for t in points],
            hovertemplate="trial %{x}<br>value %{y:.5g}<br>%{text}<extra>%{fullData.name}</extra>",
        ))
    better = max if records.maximize else min
    best, line = None, []
    for t in done:
        best = t.value if best is None else better(best, t.value)
        line.append(best)
    fig.add_trace(go.Scatter(
        x=[t.number for t in done], y=line, mode="lines", name="best so far",
        line={"shape": "hv", "color": "#222", "width": 2}, hovertemplate="best so far %{y:.5g}<extra></extra>",
    ))
    fig.update_layout(**LAYOUT, height=420, xaxis_title="trial", yaxis_title=value_title(records, target_name),
                      legend={"orientation": "h", "y": 1.1, "x": 0}, title=None)
    return fig

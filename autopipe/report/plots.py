"""Plotly figures for the report, and the one inline copy of plotly.js they need.

Figures are rendered as HTML fragments without the library; the page embeds the
bundle once, so it opens offline and several plots do not multiply its 4.8 MB.
"""

from __future__ import annotations

import html
import json
from functools import lru_cache

import plotly.graph_objects as go
import plotly.io as pio
import plotly.offline

MAX_HOVER_PARAMS = 25
_CONFIG = {"displaylogo": False, "responsive": True}


@lru_cache(maxsize=1)
def plotlyjs() -> str:
    """The plotly.js bundle shipped with the installed plotly package."""
    return plotly.offline.get_plotlyjs()


def figure_html(fig: go.Figure) -> str:
    """A <div> plus the script that draws ``fig``; expects plotly.js on the page."""
    return pio.to_html(fig, include_plotlyjs=False, full_html=False, config=_CONFIG)


def history_figure(history: list[dict], metric: str, direction: str) -> go.Figure:
    """Each completed trial as a point coloured by family, plus the best-so-far step line."""
    fig = go.Figure()
    families = sorted({str(p.get("family")) for p in history})
    for family in families:
        points = [p for p in history if str(p.get("family")) == family]
        fig.add_trace(go.Scatter(
            x=[p["number"] for p in points], y=[p["value"] for p in points],
            mode="markers", name=family, marker={"size": 8, "opacity": 0.8},
            text=[_hover_params(p.get("params") or {}) for p in points],
            hovertemplate="trial %{x}<br>score %{y:.5g}<br>%{text}<extra>%{fullData.name}</extra>",
        ))
    fig.add_trace(go.Scatter(
        x=[p["number"] for p in history], y=[p["best"] for p in history],
        mode="lines", line={"shape": "hv", "color": "#222", "width": 2},
        name="best so far", hovertemplate="best so far %{y:.5g}<extra></extra>",
    ))
    better = "higher" if direction == "maximize" else "lower"
    fig.update_layout(
        template="plotly_white", height=420, margin={"l": 60, "r": 20, "t": 30, "b": 50},
        xaxis_title="trial", yaxis_title=f"{metric} ({better} is better)",
        legend={"orientation": "h", "y": 1.08, "x": 0},
    )
    return fig


def _hover_params(params: dict) -> str:
    """Params as escaped 'name = value' lines (the family is the trace name already)."""
    lines = [f"{html.escape(str(k))} = {html.escape(_short(v))}"
             for k, v in sorted(params.items(), key=lambda kv: str(kv[0])) if k != "family"]
    if len(lines) > MAX_HOVER_PARAMS:
        lines = lines[:MAX_HOVER_PARAMS] + [f"... {len(lines) - MAX_HOVER_PARAMS} more"]
    return "<br>".join(lines)


def _short(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return value if isinstance(value, str) else json.dumps(value, default=str)

"""Plotly figures for the report, and the one inline copy of plotly.js they need.

Figures about the search come from ``autopipe.search.visualization`` (the same plots
any study gets); the ones here are about the run: families, folds, the final model.
Figures are rendered as HTML fragments without the library; the page embeds the
bundle once, so it opens offline and several plots do not multiply its 4.8 MB.
"""

from __future__ import annotations

from functools import lru_cache

import plotly.graph_objects as go
import plotly.io as pio
import plotly.offline

from autopipe.search.visualization._common import LAYOUT, PALETTE

_CONFIG = {"displaylogo": False, "responsive": True}


@lru_cache(maxsize=1)
def plotlyjs() -> str:
    """The plotly.js bundle shipped with the installed plotly package."""
    return plotly.offline.get_plotlyjs()


def figure_html(fig: go.Figure) -> str:
    """A <div> plus the script that draws ``fig``; expects plotly.js on the page."""
    return pio.to_html(fig, include_plotlyjs=False, full_html=False, config=_CONFIG)


def families_figure(families: list[dict], metric: str, maximize: bool) -> go.Figure:
    """Best completed score per family as bars, with trial counts on hover."""
    rows = [f for f in families if f.get("best") is not None]
    fig = go.Figure(go.Bar(
        x=[f["family"] for f in rows], y=[f["best"] for f in rows],
        marker={"color": [PALETTE[i % len(PALETTE)] for i in range(len(rows))]},
        customdata=[[f["best_trial"], f["complete"], f["pruned"], f["failed"]] for f in rows],
        hovertemplate=("%{x}: best %{y:.5g} (trial %{customdata[0]})<br>complete %{customdata[1]}, "
                       "pruned %{customdata[2]}, failed %{customdata[3]}<extra></extra>"),
    ))
    values = [f["best"] for f in rows]
    if values:
        low, high = min(values), max(values)
        pad = (high - low) * 0.5 or abs(high) * 0.05 or 1.0
        fig.update_yaxes(range=[low - pad, high + pad * 0.3])
    fig.update_layout(**LAYOUT, height=340, yaxis_title=f"best {metric} ({'higher' if maximize else 'lower'} "
                                                          "is better)")
    return fig


def folds_figure(top: list[dict], metric: str) -> go.Figure:
    """Each fold's score for the best trials: one line per trial across the folds."""
    fig = go.Figure()
    for i, row in enumerate(top):
        scores = row["fold_scores"]
        fig.add_trace(go.Scatter(
            x=list(range(1, len(scores) + 1)), y=scores, mode="lines+markers",
            name=f"#{i + 1} trial {row['trial']} ({row['family']})",
            line={"color": PALETTE[i % len(PALETTE)], "width": 2.5 if i == 0 else 1.2},
            hovertemplate=f"trial {row['trial']}<br>fold %{{x}}: %{{y:.5g}}<extra></extra>",
        ))
    fig.update_layout(**LAYOUT, height=380, xaxis={"title": "fold", "dtick": 1}, yaxis_title=metric,
                      legend={"font": {"size": 11}})
    return fig


def feature_importance_figure(values: list[dict], method: str, top: int = 25) -> go.Figure:
    items = values[:top][::-1]
    fig = go.Figure(go.Bar(
        x=[v["importance"] for v in items], y=[v["name"] for v in items], orientation="h",
        marker={"color": "#2ca02c"}, hovertemplate="%{y}: %{x:.1%}<extra></extra>",
    ))
    fig.update_layout(**LAYOUT, height=max(240, 24 * len(items) + 90), xaxis={"tickformat": ".0%",
                      "title": f"share of {method}"}, yaxis={"automargin": True})
    return fig

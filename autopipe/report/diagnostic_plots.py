"""Figures of the out-of-fold diagnostics (see ``diagnostics``): confusion matrix,
ROC and precision-recall curves, residuals against predictions."""

from __future__ import annotations

import plotly.graph_objects as go

from autopipe.search.visualization._common import LAYOUT, PALETTE


def confusion_figure(diag: dict) -> go.Figure:
    labels = diag["classes"]
    counts = diag["confusion"]
    totals = [sum(row) or 1 for row in counts]
    share = [[n / t for n in row] for row, t in zip(counts, totals)]
    fig = go.Figure(go.Heatmap(
        z=share, x=labels, y=labels, colorscale="Blues", zmin=0, zmax=1, customdata=counts,
        text=[[str(n) for n in row] for row in counts], texttemplate="%{text}",
        hovertemplate="true %{y}, predicted %{x}: %{customdata} rows (%{z:.1%} of the class)<extra></extra>",
        colorbar={"title": {"text": "share of true class"}, "tickformat": ".0%"},
    ))
    side = min(560, 160 + 40 * len(labels))
    fig.update_layout(**LAYOUT, height=side, xaxis={"title": "predicted", "type": "category"},
                      yaxis={"title": "true", "type": "category", "autorange": "reversed"})
    return fig


def roc_figure(diag: dict) -> go.Figure:
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=[0, 1], y=[0, 1], mode="lines", name="chance",
                             line={"dash": "dash", "color": "#999"}, hoverinfo="skip"))
    for i, curve in enumerate(diag.get("roc") or []):
        fig.add_trace(go.Scatter(
            x=curve["x"], y=curve["y"], mode="lines", name=f"{curve['label']} (AUC {curve['auc']:.3f})",
            line={"color": PALETTE[i % len(PALETTE)]},
            hovertemplate="false positive rate %{x:.3f}<br>true positive rate %{y:.3f}<extra></extra>",
        ))
    fig.update_layout(**LAYOUT, height=400, xaxis={"title": "false positive rate", "range": [0, 1]},
                      yaxis={"title": "true positive rate", "range": [0, 1.02]}, legend={"x": 0.45, "y": 0.05})
    return fig


def pr_figure(diag: dict) -> go.Figure:
    fig = go.Figure()
    for i, curve in enumerate(diag.get("pr") or []):
        color = PALETTE[i % len(PALETTE)]
        fig.add_trace(go.Scatter(
            x=curve["x"], y=curve["y"], mode="lines", name=f"{curve['label']} (AP {curve['ap']:.3f})",
            line={"color": color}, hovertemplate="recall %{x:.3f}<br>precision %{y:.3f}<extra></extra>",
        ))
        fig.add_trace(go.Scatter(x=[0, 1], y=[curve["prevalence"]] * 2, mode="lines", showlegend=False,
                                 line={"dash": "dot", "color": color, "width": 1}, hoverinfo="skip"))
    fig.update_layout(**LAYOUT, height=400, xaxis={"title": "recall", "range": [0, 1]},
                      yaxis={"title": "precision", "range": [0, 1.02]}, legend={"x": 0.02, "y": 0.05})
    return fig


def residuals_figure(diag: dict, target: str) -> go.Figure:
    fig = go.Figure(go.Scatter(  # SVG, not WebGL: works without a GPU
        x=diag["pred"], y=diag["residual"], mode="markers", customdata=diag["actual"],
        marker={"size": 4, "opacity": 0.5, "color": "#1f77b4"},
        hovertemplate="predicted %{x:.5g}<br>actual %{customdata:.5g}<br>residual %{y:.5g}<extra></extra>",
    ))
    fig.add_hline(y=0, line={"color": "#222", "width": 1})
    fig.update_layout(**LAYOUT, height=420, xaxis_title=f"out-of-fold prediction of {target}",
                      yaxis_title="residual (actual - predicted)", showlegend=False)
    return fig

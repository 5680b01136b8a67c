"""Intermediate values: the running score each trial reported fold by fold."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from autopipe.search.visualization._common import LAYOUT, empty_figure, value_title
from autopipe.search.visualization._records import COMPLETE, PRUNED, records_of

_STYLE = {COMPLETE: {"color": "#1f77b4", "width": 1.5}, PRUNED: {"color": "#d62728", "width": 1, "dash": "dot"}}


def plot_intermediate_values(study: Any, *, target_name: str = "intermediate value",
                             max_trials: int = 200) -> go.Figure:
    """One line per trial over its reported steps (folds, for autopipe's own search):
    completed trials solid, pruned ones dotted red, so one sees where pruning cut."""
    records = records_of(study)
    trials = [t for t in records.trials if t.intermediate][-max_trials:]
    if not trials:
        return empty_figure("No trial reported intermediate values.")
    fig = go.Figure()
    shown: set[str] = set()
    for t in trials:
        steps = sorted(t.intermediate)
        legend = t.state not in shown
        shown.add(t.state)
        fig.add_trace(go.Scatter(
            x=[s + 1 for s in steps], y=[t.intermediate[s] for s in steps], mode="lines+markers",
            name=t.state.lower(), legendgroup=t.state, showlegend=legend,
            line=_STYLE.get(t.state, {"color": "#7f7f7f", "width": 1}), marker={"size": 4},
            hovertemplate=f"trial {t.number} ({t.family})<br>step %{{x}}: %{{y:.5g}}<extra>{t.state.lower()}</extra>",
        ))
    fig.update_layout(**LAYOUT, height=380, xaxis_title="step (fold)", xaxis={"dtick": 1},
                      yaxis_title=value_title(records, target_name), legend={"orientation": "h", "y": 1.1})
    return fig

"""Contour: the objective over two parameters, interpolated between completed trials."""

from __future__ import annotations

from typing import Any

import numpy as np
import plotly.graph_objects as go

from autopipe.search.visualization._common import LAYOUT, axis_for, column, empty_figure, value_title
from autopipe.search.visualization._records import StudyRecords, records_of

GRID = 60


def plot_contour(study: Any, *, params: list[str] | None = None, target_name: str = "objective value") -> go.Figure:
    """Interpolated objective over ``params`` (two names; by default the two numeric
    parameters used by most completed trials), with the trials drawn on top."""
    records = records_of(study)
    names = _pick_pair(records) if params is None else list(params)
    if len(names) != 2 or any(n not in records.params for n in names):
        return empty_figure("A contour needs two parameters that completed trials varied.")
    done = [t for t in records.completed() if all(n in t.params for n in names)]
    x, y = (column(records, n, done) for n in names)
    keep = ~(np.isnan(x) | np.isnan(y))
    x, y = x[keep], y[keep]
    z = np.array([t.value for t in done], dtype=float)[keep]
    numbers = [t.number for t, k in zip(done, keep) if k]
    if len(z) < 3 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return empty_figure(f"Too few distinct trials over {names[0]} and {names[1]} to draw a contour.")
    info_x, info_y = records.params[names[0]], records.params[names[1]]
    gx, gy, gz = _interpolate(x, y, z)
    fig = go.Figure()
    fig.add_trace(go.Contour(
        x=to_axis(gx, info_x), y=to_axis(gy, info_y), z=gz, colorscale="Viridis", reversescale=not records.maximize,
        connectgaps=True, contours={"coloring": "heatmap"}, colorbar={"title": {"text": target_name}},
        hovertemplate=f"{names[0]} %{{x:.4g}}<br>{names[1]} %{{y:.4g}}<br>~%{{z:.5g}}<extra>interpolated</extra>",
    ))
    fig.add_trace(go.Scatter(
        x=to_axis(x, info_x), y=to_axis(y, info_y), mode="markers", showlegend=False, text=numbers,
        marker={"color": "white", "size": 7, "line": {"color": "#222", "width": 1}},
        hovertemplate="trial %{text}<br>value %{customdata:.5g}<extra></extra>", customdata=z,
    ))
    fig.update_layout(**LAYOUT, height=460, xaxis=axis_for(info_x, names[0]), yaxis=axis_for(info_y, names[1]),
                      title={"text": value_title(records, target_name), "font": {"size": 13}})
    return fig


def _pick_pair(records: StudyRecords) -> list[str]:
    """The two numeric parameters that the most completed trials used together."""
    from itertools import combinations

    done = records.completed()
    numeric = [n for n in records.param_names() if records.params[n].kind != "categorical"]
    best, best_count = [], 0
    for a, b in combinations(numeric, 2):
        count = sum(a in t.params and b in t.params for t in done)
        if count > best_count:
            best, best_count = [a, b], count
    return best


def _interpolate(x: np.ndarray, y: np.ndarray, z: np.ndarray):
    """Linear interpolation on a grid, nearest-neighbour outside the trials' convex hull."""
    from scipy.interpolate import griddata

    gx = np.linspace(x.min(), x.max(), GRID)
    gy = np.linspace(y.min(), y.max(), GRID)
    mx, my = np.meshgrid(gx, gy)
    points = np.column_stack([x, y])
    try:
        gz = griddata(points, z, (mx, my), method="linear")
    except Exception:  # noqa: BLE001 - collinear points: qhull cannot triangulate
        gz = np.full(mx.shape, np.nan)
    nearest = griddata(points, z, (mx, my), method="nearest")
    return gx, gy, np.where(np.isnan(gz), nearest, gz)


def to_axis(values: np.ndarray, info) -> np.ndarray:
    """Positions on the plot's axis: log-scaled parameters are gridded in log10 space."""
    return 10 ** values if info.log else values

"""Hyperparameter importance: a functional ANOVA of a random-forest surrogate.

Method (say it in any page that shows the numbers): a random forest is fitted to the
completed trials, mapping their parameters (log scales as log10, categories as codes,
"not used in this trial" as its own value) to the objective. For each parameter its
main effect is the partial dependence of the forest on it, the other parameters
averaged over the observed trials; its importance is the variance of that main effect
divided by the variance of the forest's predictions, i.e. the share of the variance the
parameter explains alone (first-order fANOVA / Sobol index). Shares need not add to 1:
the rest is interactions.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import plotly.graph_objects as go

from autopipe.search.visualization._common import LAYOUT, column, empty_figure, pick_params
from autopipe.search.visualization._records import records_of

METHOD = ("first-order functional ANOVA (fANOVA) of a random-forest surrogate fitted to the completed trials: "
          "each bar is the share of the variance of the predicted objective explained by that parameter alone")
MIN_TRIALS = 5
MAX_GRID = 16


def param_importances(study: Any, *, params: list[str] | None = None, n_trees: int = 64,
                      seed: int = 0) -> dict[str, float]:
    """Each parameter's main-effect share of variance, largest first (see the module
    docstring). Empty when fewer than five trials completed or nothing varied."""
    from sklearn.ensemble import RandomForestRegressor

    records = records_of(study)
    trials = records.completed()
    names = pick_params(records, params)
    if len(trials) < MIN_TRIALS or not names:
        return {}
    X = np.column_stack([_fill_missing(column(records, n, trials)) for n in names])
    y = np.array([t.value for t in trials], dtype=float)
    forest = RandomForestRegressor(n_estimators=n_trees, min_samples_leaf=2, max_features=0.7,
                                   random_state=seed, n_jobs=1).fit(X, y)
    total = float(np.var(forest.predict(X)))
    if total <= 0.0:
        return {n: 0.0 for n in names}
    shares = {n: _main_effect(forest, X, j) / total for j, n in enumerate(names)}
    return dict(sorted(shares.items(), key=lambda kv: (-kv[1], kv[0])))


def _fill_missing(codes: np.ndarray) -> np.ndarray:
    """Trials that did not use the parameter get a value below its range, so trees can split on it."""
    present = codes[~np.isnan(codes)]
    if present.size == 0:
        return np.zeros_like(codes)
    low, high = float(present.min()), float(present.max())
    return np.where(np.isnan(codes), low - max(high - low, 1.0), codes)


def _main_effect(forest, X: np.ndarray, j: int) -> float:
    """Weighted variance, over the observed values of column j, of the forest's partial dependence."""
    values = X[:, j]
    unique = np.unique(values)
    if len(unique) > MAX_GRID:
        edges = np.quantile(values, np.linspace(0, 1, MAX_GRID + 1))
        bins = np.clip(np.searchsorted(edges, values, side="right") - 1, 0, MAX_GRID - 1)
        grid = np.array([np.median(values[bins == b]) for b in np.unique(bins)])
        weights = np.bincount(bins)[np.unique(bins)].astype(float)
    else:
        grid = unique
        weights = np.array([(values == u).sum() for u in unique], dtype=float)
    stacked = np.repeat(X[None, :, :], len(grid), axis=0)
    stacked[:, :, j] = grid[:, None]
    dependence = forest.predict(stacked.reshape(-1, X.shape[1])).reshape(len(grid), -1).mean(axis=1)
    mean = np.average(dependence, weights=weights)
    return float(np.average((dependence - mean) ** 2, weights=weights))


def plot_param_importances(study: Any, *, params: list[str] | None = None,
                           importances: dict[str, float] | None = None, top: int = 20) -> go.Figure:
    """Horizontal bars of ``param_importances`` (or of precomputed ``importances``)."""
    shares = param_importances(study, params=params) if importances is None else dict(importances)
    if not shares:
        return empty_figure(f"Importances need at least {MIN_TRIALS} completed trials with varying parameters.")
    items = sorted(shares.items(), key=lambda kv: (-kv[1], kv[0]))[:top][::-1]
    fig = go.Figure(go.Bar(
        x=[v for _, v in items], y=[k for k, _ in items], orientation="h", marker={"color": "#1f77b4"},
        hovertemplate="%{y}: %{x:.1%} of the variance<extra></extra>",
    ))
    fig.update_layout(**LAYOUT, height=max(240, 26 * len(items) + 90), xaxis_title="share of variance (fANOVA)",
                      xaxis={"tickformat": ".0%"}, yaxis={"automargin": True})
    return fig

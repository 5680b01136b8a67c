"""Plots for any study: each returns a plotly figure, from a live study or its saved records."""

from __future__ import annotations

import json

import numpy as np
import plotly.graph_objects as go
import pytest

from autopipe.exceptions import TrialPruned
from autopipe.search import RandomSampler, create_study
from autopipe.search import visualization as viz

PLOTS = ["plot_optimization_history", "plot_param_importances", "plot_parallel_coordinate", "plot_slice",
         "plot_contour", "plot_intermediate_values"]


def objective(trial):
    """x matters a lot, the family a little, noise not at all; 'b' trials have a branch parameter."""
    family = trial.suggest_categorical("family", ["a", "b"])
    x = trial.suggest_float("x", 1e-3, 10.0, log=True)
    noise = trial.suggest_float("noise", 0.0, 1.0)
    extra = trial.suggest_int("b.depth", 1, 8) if family == "b" else 0
    value = (np.log10(x) - 0.5) ** 2 + (0.1 if family == "b" else 0.0) + 0.001 * noise + 0.0 * extra
    for step in range(3):
        trial.report(value + 0.1 * (2 - step), step)
        if trial.should_prune():
            raise TrialPruned()
    return value


@pytest.fixture(scope="module")
def study():
    s = create_study(direction="minimize", sampler=RandomSampler(seed=0))
    s.optimize(objective, n_trials=40)
    return s


@pytest.mark.parametrize("name", PLOTS)
def test_every_plot_returns_a_figure_with_data(study, name):
    fig = getattr(viz, name)(study)
    assert isinstance(fig, go.Figure) and len(fig.data) > 0


@pytest.mark.parametrize("name", PLOTS)
def test_saved_records_draw_the_same_figure(study, name):
    saved = json.loads(json.dumps(viz.to_dict(viz.records_of(study))))
    assert getattr(viz, name)(saved).to_plotly_json()["data"] == getattr(viz, name)(study).to_plotly_json()["data"]


def test_history_has_a_best_so_far_line_and_one_trace_per_family(study):
    fig = viz.plot_optimization_history(study)
    names = [t.name for t in fig.data]
    assert names[-1] == "best so far" and set(names[:-1]) == {"a", "b"}
    best = list(fig.data[-1].y)
    assert best == sorted(best, reverse=True)  # minimising: never goes up
    assert best[-1] == pytest.approx(study.best_value)
    assert "x = " in fig.data[0].text[0]  # parameters on hover


def test_fanova_ranks_the_parameter_that_matters_first(study):
    shares = viz.param_importances(study)
    assert next(iter(shares)) == "x"
    assert shares["x"] > 0.5 and shares["noise"] < 0.1
    assert all(0.0 <= v <= 1.0 + 1e-9 for v in shares.values())


def test_too_few_trials_give_an_explaining_figure_not_an_error():
    s = create_study(direction="maximize")
    for name in PLOTS:
        fig = getattr(viz, name)(s)
        assert isinstance(fig, go.Figure) and len(fig.data) == 0 and fig.layout.annotations
    assert viz.param_importances(s) == {}


def test_intermediate_values_mark_pruned_trials(study):
    fig = viz.plot_intermediate_values(study)
    states = {t.legendgroup for t in fig.data}
    assert "COMPLETE" in states
    assert all(max(t.x) <= 3 for t in fig.data)


def test_contour_picks_two_numeric_parameters_used_together(study):
    fig = viz.plot_contour(study)
    assert fig.layout.xaxis.title.text in {"x", "noise", "b.depth"}
    assert fig.layout.xaxis.title.text != fig.layout.yaxis.title.text
    with pytest.raises(TypeError):
        viz.plot_slice(42)

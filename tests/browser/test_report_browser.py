"""The report opened in headless Chromium, offline: every section and plot drawn, no
console error, no request leaving the machine. Screenshots of the full-size runs go to
reports/ (slow tests); the fast test keeps its screenshot in a temporary folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from _chromium import Page, require_browser

import autopipe

ROOT = Path(__file__).resolve().parents[2]
SECTIONS = {"data", "search", "best", "leaderboard", "history", "families", "importance", "space", "folds",
            "features", "diagnostics", "reproducibility"}
SEARCH_PLOTS = {"history", "families", "importance", "parallel", "slice", "contour", "intermediate", "folds"}
CLASSIFICATION_PLOTS = SEARCH_PLOTS | {"confusion", "roc", "pr"}
REGRESSION_PLOTS = SEARCH_PLOTS | {"residuals"}


@pytest.fixture(scope="module")
def browser():
    return require_browser()


def check_page(page: Page, expected_plots: set[str]) -> None:
    assert page.errors == [], page.errors
    assert page.remote_requests == [], page.remote_requests
    assert {s["id"] for s in page.sections} >= SECTIONS
    assert all(s["height"] > 0 for s in page.sections)
    missing = expected_plots - set(page.plots)
    assert not missing, f"plots missing from the page: {sorted(missing)}"
    for name, plot in page.plots.items():
        assert plot["drawn"] and plot["traces"] > 0 and plot["width"] > 100 and plot["height"] > 100, (name, plot)
    assert page.diagram, "the pipeline diagram is not on the page"


def test_breast_cancer_report_in_chromium(browser, breast_cancer, tmp_path):
    model = autopipe.fit(breast_cancer, target="target", n_trials=10, cv=3, seed=0)
    run = model.save(tmp_path / "bc")
    summary = json.loads((run / "summary.json").read_text())
    page = Page(run / "report.html", screenshot=tmp_path / "report.png")
    expected = _drawable(summary, CLASSIFICATION_PLOTS)
    if summary["feature_importance"]:
        expected.add("feature_importance")
    check_page(page, expected)
    assert (tmp_path / "report.png").stat().st_size > 50_000


def _end_to_end(name: str, df, target: str, budget: float, cv: int = 5) -> tuple[Page, dict]:
    out = ROOT / "reports" / f"run_{name}"
    model = autopipe.fit(df, target=target, time_budget=budget, cv=cv, seed=0)
    model.save(out)
    page = Page(out / "report.html", screenshot=ROOT / "reports" / f"report_{name}.png", timeout=120)
    return page, json.loads((out / "summary.json").read_text())


def _drawable(summary: dict, plots: set[str]) -> set[str]:
    """Importance needs 5 completed trials and a contour 3 sharing two parameters: a
    large table on a busy machine may finish fewer within the budget."""
    if not (summary.get("importance") or {}).get("values"):
        plots = plots - {"importance"}
    from autopipe.search.visualization import plot_contour

    return plots if plot_contour(summary["study"]).data else plots - {"contour"}


@pytest.mark.slow
def test_breast_cancer_full_report(browser):
    import pandas as pd

    page, summary = _end_to_end("breast_cancer", pd.read_csv(ROOT / "datasets" / "breast_cancer.csv"), "target", 60)
    check_page(page, _drawable(summary, CLASSIFICATION_PLOTS))


@pytest.mark.slow
def test_diamonds_full_report(browser):
    import pandas as pd

    page, summary = _end_to_end("diamonds", pd.read_csv(ROOT / "datasets" / "diamonds.csv"), "price", 120, cv=3)
    check_page(page, _drawable(summary, REGRESSION_PLOTS | {"feature_importance"}))

"""Render a summary dict to one self-contained HTML page (no network needed to view it).

Templates live in ``templates/`` as package data and are rendered with autoescape on,
so column names and parameter values from user data can never inject markup.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup, escape

from autopipe.report import diagnostic_plots as dplots
from autopipe.report._jsonable import to_jsonable
from autopipe.report.plots import (
    families_figure,
    feature_importance_figure,
    figure_html,
    folds_figure,
    plotlyjs,
)

LEADERBOARD_ROWS = 20
SUMMARY_FILE = "summary.json"
REPORT_FILE = "report.html"

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("autopipe.report", "templates"),
    autoescape=True, trim_blocks=True, lstrip_blocks=True,
)


def render_report(summary: dict) -> str:
    """Return the report page for ``summary`` (as built by ``build_summary``) as HTML."""
    plots = _plots(summary)
    diagram = (summary.get("pipeline") or {}).get("html")
    return _ENV.get_template("report.html").render(
        s=summary,
        leaderboard=(summary.get("leaderboard") or [])[:LEADERBOARD_ROWS],
        plots=plots,
        # scikit-learn's own markup (it escapes parameter values); external links were removed.
        diagram=Markup(diagram) if diagram else None,
        plotlyjs=Markup(plotlyjs()) if plots else None,
    )


def write_report(summary: dict, path: str | Path) -> Path:
    """Write the page to ``path`` and ``summary.json`` next to it; return the page's path.

    ``path`` may name the HTML file, or a directory (existing, or given without a
    suffix such as a run directory) that will hold ``report.html``.
    """
    path = Path(path)
    if path.is_dir() or not path.suffix:
        path = path / REPORT_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(to_jsonable(summary), indent=2, allow_nan=False, ensure_ascii=False)
    (path.parent / SUMMARY_FILE).write_text(text + "\n", encoding="utf-8")
    path.write_text(render_report(summary), encoding="utf-8")
    return path


def _plots(summary: dict) -> dict[str, Markup]:
    """HTML fragments of the figures this summary has data for, by section name."""
    figures = {}
    for name, make in _FIGURES:
        try:
            fig = make(summary)
        except (KeyError, TypeError, ValueError, IndexError) as exc:  # a figure must not sink the page
            figures[name] = Markup(f'<p class="muted">This figure could not be drawn: {escape(str(exc))}</p>')
            continue
        if fig is not None and len(fig.data) > 0:  # an empty figure only holds a "too few trials" note
            figures[name] = Markup(figure_html(fig))
    return figures


def _records(summary: dict):
    """The study's records from the summary; older summaries only kept the history."""
    from autopipe.search.visualization import records_of

    study = summary.get("study")
    if study is None:
        study = {"direction": (summary.get("metric") or {}).get("direction"), "trials": [
            {"number": p["number"], "state": "COMPLETE", "value": p["value"], "params": p.get("params") or {}}
            for p in summary.get("history") or []]}
    return records_of(study)


def _metric(summary: dict) -> str:
    return str((summary.get("metric") or {}).get("name", "score"))


def _history(summary):
    from autopipe.search.visualization import plot_optimization_history

    records = _records(summary)
    return plot_optimization_history(records, target_name=_metric(summary)) if records.completed() else None


def _search_figure(name: str, needs: int = 2):
    def make(summary):
        from autopipe.search import visualization as viz

        records = _records(summary)
        if len(records.completed()) < needs or not records.param_names():
            return None
        return getattr(viz, name)(records, target_name=_metric(summary))
    return make


def _intermediate(summary):
    from autopipe.search.visualization import plot_intermediate_values

    records = _records(summary)
    return plot_intermediate_values(records, target_name=_metric(summary)) if any(
        t.intermediate for t in records.trials) else None


def _importance(summary):
    from autopipe.search.visualization import plot_param_importances

    values = (summary.get("importance") or {}).get("values")
    return plot_param_importances(None, importances=values) if values else None


def _families(summary):
    rows = summary.get("families") or []
    maximize = (summary.get("metric") or {}).get("direction") == "maximize"
    return families_figure(rows, _metric(summary), maximize) if any(r.get("best") is not None for r in rows) else None


def _folds(summary):
    top = summary.get("top_folds") or []
    return folds_figure(top, _metric(summary)) if top else None


def _feature_importance(summary):
    fi = summary.get("feature_importance")
    return feature_importance_figure(fi["values"], fi["method"]) if fi and fi.get("values") else None


def _diag(kind: str, make):
    def build(summary):
        diag = summary.get("diagnostics") or {}
        if not diag.get("available") or diag.get("kind") != kind:
            return None
        return make(diag, summary)
    return build


_FIGURES = [
    ("history", _history),
    ("families", _families),
    ("importance", _importance),
    ("parallel", _search_figure("plot_parallel_coordinate")),
    ("slice", _search_figure("plot_slice")),
    ("contour", _search_figure("plot_contour", needs=3)),
    ("intermediate", _intermediate),
    ("folds", _folds),
    ("feature_importance", _feature_importance),
    ("confusion", _diag("classification", lambda d, s: dplots.confusion_figure(d) if d.get("confusion") else None)),
    ("roc", _diag("classification", lambda d, s: dplots.roc_figure(d) if d.get("roc") else None)),
    ("pr", _diag("classification", lambda d, s: dplots.pr_figure(d) if d.get("pr") else None)),
    ("residuals", _diag("regression", lambda d, s: dplots.residuals_figure(d, str((s.get("data") or {})
                                                                                 .get("target"))))),
]


def _num(value: Any) -> str:
    """Scores with five significant digits; large values (rmse on prices) keep their units."""
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.1f}" if abs(value) >= 10_000 else f"{value:.5g}"
    return str(value)


def _seconds(value: Any) -> str:
    if value is None:
        return "–"
    value = float(value)
    return f"{value:.1f} s" if value < 120 else f"{value / 60:.1f} min"


def _pct(value: Any) -> str:
    return "–" if value is None else f"{100 * float(value):.1f}%"


_ENV.filters.update(num=_num, seconds=_seconds, pct=_pct)

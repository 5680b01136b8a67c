"""Render a summary dict to one self-contained HTML page (no network needed to view it).

Templates live in ``templates/`` as package data and are rendered with autoescape on,
so column names and parameter values from user data can never inject markup.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from autopipe.report._jsonable import to_jsonable
from autopipe.report.plots import figure_html, history_figure, plotlyjs

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
    return _ENV.get_template("report.html").render(
        s=summary,
        leaderboard=(summary.get("leaderboard") or [])[:LEADERBOARD_ROWS],
        plots=plots,
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
    """HTML fragments of the figures this summary has data for."""
    plots = {}
    history = summary.get("history") or []
    metric = summary.get("metric") or {}
    if history:
        fig = history_figure(history, str(metric.get("name", "score")),
                             str(metric.get("direction", "maximize")))
        plots["history"] = Markup(figure_html(fig))
    return plots


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

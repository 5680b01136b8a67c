import json
import re

import markupsafe
import pytest

from autopipe.report import build_summary, render_report, write_report
from autopipe.report.plots import plotlyjs

HEADINGS = ["Data summary", "Search summary", "Best pipeline", "Leaderboard", "Optimisation history"]


@pytest.fixture(scope="module")
def bundle_head():
    return plotlyjs()[:300]


@pytest.fixture
def page(summary):
    return render_report(summary)


def _without_bundle(page):
    return page.replace(plotlyjs(), "")


def test_plotly_bundle_is_inlined_exactly_once(page, bundle_head):
    assert page.count(bundle_head) == 1
    assert page.count("plotly.js v") == 1


def test_no_external_resources(page):
    rest = _without_bundle(page)
    assert "<script src" not in page.lower()
    assert "<link" not in rest.lower()
    # The bundle itself holds attribution links as JS strings; the page around it must not.
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", rest, re.I)
    assert "@import" not in rest and "url(" not in rest


def test_every_section_heading_is_present(page):
    for heading in HEADINGS:
        assert f"<h2>{heading}</h2>" in page


def test_column_names_are_escaped_not_injected(page, nasty_columns):
    for name in nasty_columns:
        assert str(markupsafe.escape(name)) in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert" not in page
    assert "income: net [EUR]" in page


def test_best_score_metric_and_direction_are_shown(page):
    assert "roc_auc = 0.92" in page
    assert "higher is better" in page
    assert "TPESampler" in page and "MedianPruner" in page


def test_leaderboard_shows_top_20(schema, metric, study_factory, trial_factory):
    trials = [trial_factory(i, "COMPLETE", i / 100, [i / 100]) for i in range(30)]
    s = build_summary(schema=schema, study=study_factory(trials=trials), metric=metric,
                      best_pipeline=None, settings={}, elapsed_s=1.0, versions={})
    body = render_report(s).split('<section id="leaderboard">')[1].split("</section>")[0]
    assert body.count('<span class="state COMPLETE">') == 20


def test_no_completed_trial_renders_without_plot(schema, metric, study_factory, trial_factory):
    s = build_summary(schema=schema, study=study_factory(trials=[trial_factory(0, "FAIL")]),
                      metric=metric, best_pipeline=None, settings={}, elapsed_s=0.0, versions={})
    page = render_report(s)
    assert "No trial completed" in page and "No completed trial to plot" in page
    assert "plotly.js v" not in page


def test_write_report_writes_page_and_summary_json(summary, tmp_path):
    path = write_report(summary, tmp_path / "run" / "report.html")
    assert path == tmp_path / "run" / "report.html" and path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert json.loads((tmp_path / "run" / "summary.json").read_text(encoding="utf-8")) == summary
    assert write_report(summary, tmp_path / "run") == path
    assert write_report(summary, tmp_path / "fresh_run_dir") == tmp_path / "fresh_run_dir" / "report.html"


def test_hover_text_escapes_params(summary, nasty_columns):
    first = summary["study"]["trials"][0]
    first["params"] = {**first["params"], f"include.{nasty_columns[1]}": True}
    page = render_report(summary)
    # Escaped once for plotly's hover markup; plotly's JSON then escapes "/" as \u002f.
    assert "include.&lt;script&gt;alert(1)&lt;\\u002fscript&gt; = true" in page
    assert "&amp;lt;" not in page

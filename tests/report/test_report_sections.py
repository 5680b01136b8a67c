"""The report's newer sections, from the summary (no browser): families, folds, importance,
out-of-fold diagnostics, the final model's features, the diagram, reproducibility."""

from __future__ import annotations

import re

import numpy as np
import pytest

from autopipe.report import build_summary, render_report
from autopipe.report.diagnostics import MAX_CURVE_POINTS, MAX_SCATTER_POINTS, oof_diagnostics, target_summary
from autopipe.report.model_info import feature_importance, pipeline_diagram


def _summary(schema, study, metric, settings, **kw):
    return build_summary(schema=schema, study=study, metric=metric, best_pipeline=kw.pop("pipeline", None),
                         settings=settings, elapsed_s=1.0, versions={"autopipe": "0.1.0"}, **kw)


def test_families_best_first_with_counts(summary):
    fams = {f["family"]: f for f in summary["families"]}
    assert [f["family"] for f in summary["families"]][:3] == ["lightgbm", "random_forest", "linear"]
    assert fams["lightgbm"]["best"] == 0.92 and fams["lightgbm"]["best_trial"] == 6
    assert fams["linear"] == {"family": "linear", "best": 0.80, "best_trial": 0, "complete": 1, "pruned": 1,
                              "failed": 0}
    assert fams["xgboost"]["best"] is None and fams["xgboost"]["failed"] == 1


def test_top_folds_are_completed_trials_best_first(summary):
    assert [r["trial"] for r in summary["top_folds"]] == [6, 2, 4, 0]
    assert summary["top_folds"][0]["fold_scores"] == [0.91, 0.93, 0.92]


def test_importance_names_its_method_and_needs_five_trials(summary):
    assert "fANOVA" in summary["importance"]["method"] and "random-forest" in summary["importance"]["method"]
    assert summary["importance"]["values"] == {}  # only four completed trials
    assert "fANOVA" in render_report(summary)


def test_binary_diagnostics_from_out_of_fold_probabilities():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 5000)
    p1 = np.clip(0.7 * y + rng.normal(0.15, 0.2, 5000), 0, 1)
    pred = np.column_stack([1 - p1, p1])
    pred[0] = np.nan  # a row no fold predicted
    d = oof_diagnostics({"y": y, "pred": pred, "trial": 3}, "binary", ["no", "yes"])
    assert d["available"] and d["n_rows"] == 4999 and d["trial"] == 3
    assert np.sum(d["confusion"]) == 4999 and len(d["confusion"]) == 2
    assert len(d["roc"]) == 1 and d["roc"][0]["auc"] > 0.9 and len(d["roc"][0]["x"]) <= MAX_CURVE_POINTS
    assert d["roc"][0]["x"][0] == 0.0 and d["roc"][0]["x"][-1] == 1.0
    assert d["pr"][0]["ap"] > 0.8 and d["pr"][0]["prevalence"] == pytest.approx(y[1:].mean())


def test_multiclass_diagnostics_have_one_curve_per_class():
    y = np.repeat([0, 1, 2], 50)
    pred = np.eye(3)[y] * 0.8 + 0.2 / 3
    d = oof_diagnostics({"y": y, "pred": pred, "trial": 0}, "multiclass", ["a", "b", "c"])
    assert [c["label"] for c in d["roc"]] == ["a", "b", "c"] and d["accuracy"] == 1.0
    assert np.trace(np.array(d["confusion"])) == 150


def test_regression_diagnostics_sample_the_residuals():
    rng = np.random.default_rng(1)
    y = rng.normal(size=9000)
    pred = y + rng.normal(scale=0.1, size=9000)
    d = oof_diagnostics({"y": y, "pred": pred, "trial": 1}, "regression", None)
    assert d["kind"] == "regression" and d["n_shown"] == MAX_SCATTER_POINTS == len(d["residual"])
    assert d["rmse"] == pytest.approx(0.1, rel=0.05) and d["r2"] > 0.98
    assert target_summary({"y": y}, "regression", None)["median"] == pytest.approx(np.median(y))


@pytest.mark.parametrize("oof", [None, {"y": np.array([0, 1]), "pred": None, "trial": 4}])
def test_missing_out_of_fold_predictions_are_explained(oof, schema, study, metric, settings):
    d = oof_diagnostics(oof, "binary", ["no", "yes"])
    assert d["available"] is False and "resumed" in d["reason"]
    page = render_report(_summary(schema, study, metric, settings, oof=oof))
    assert "resumed" in page and 'data-plot="roc"' not in page


def test_class_balance_from_the_encoded_target(schema, study, metric, settings):
    oof = {"y": np.array([0] * 70 + [1] * 30), "pred": None, "trial": 6}
    s = _summary(schema, study, metric, settings, oof=oof)
    assert s["data"]["target_summary"]["classes"] == [{"label": "no", "count": 70, "share": 0.7},
                                                      {"label": "yes", "count": 30, "share": 0.3}]
    assert "Target balance" in render_report(s)


@pytest.fixture(scope="module")
def fitted_pipeline(penguins):
    from autopipe.runner import encode_labels, resolve_task
    from autopipe.schema import infer_schema
    from autopipe.search import FixedTrial
    from autopipe.space import default_configs, suggest_pipeline

    X, y = penguins.drop(columns="species"), penguins["species"]
    schema = infer_schema(X, y, task=resolve_task(y, "classification"))
    params = next(p for p in default_configs(schema) if p["family"] == "random_forest")
    pipeline = suggest_pipeline(FixedTrial(params), schema)
    return pipeline.fit(X[schema.features], encode_labels(y, schema)), schema


def test_feature_importance_is_mapped_to_original_columns(fitted_pipeline):
    pipeline, schema = fitted_pipeline
    fi = feature_importance(pipeline)
    names = [v["name"] for v in fi["values"]]
    assert set(names) <= set(schema.features) and "island" in names  # one-hot/ordinal levels summed back
    assert sum(v["importance"] for v in fi["values"]) == pytest.approx(1.0)
    assert fi["method"] == "mean decrease in impurity"
    assert feature_importance("not a pipeline") is None


def test_pipeline_diagram_is_self_contained(fitted_pipeline):
    html = pipeline_diagram(fitted_pipeline[0])
    assert "sk-top-container" in html
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html, re.I)
    assert "<link" not in html and "@import" not in html
    assert all(u.startswith("data:") for u in re.findall(r"url\(([^)]*)\)", html))


def test_reproducibility_records_seed_and_a_python_call(summary):
    r = summary["reproducibility"]
    assert r["seed"] == 0 and r["python"].startswith("autopipe.fit(data, target='churn'")
    assert "seed=0" in r["python"] and "metric='roc_auc'" in r["python"]
    assert r["versions"] == {"autopipe": "0.1.0"}


def test_the_page_says_when_an_ensemble_predicts(schema, study, metric, settings):
    single = render_report(_summary(schema, study, metric, settings))
    assert 'data-section="ensemble"' not in single
    facts = {"members": {6: 3, 4: 1}, "oof_score": 0.931, "best_single_oof_score": 0.92,
             "cross_validated_gain": 0.0042}
    s = _summary(schema, study, metric, {**settings, "ensemble_used": facts})
    assert s["ensemble"]["members"] == [{"trial": 6, "family": "lightgbm", "weight": 0.75},
                                        {"trial": 4, "family": "random_forest", "weight": 0.25}]
    text = re.sub(r"\s+", " ", render_report(s).split('data-section="ensemble"')[1].split("</p>")[0])
    assert "0.931" in text and "0.92" in text
    assert "scored on the one left out, blending gained 0.0042" in text
    assert "trial 6 (lightgbm, 75.0%), trial 4 (random_forest, 25.0%)" in text

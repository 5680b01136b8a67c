import json

import pytest

from autopipe.report import build_summary


def test_summary_is_strict_json(summary):
    assert json.loads(json.dumps(summary, allow_nan=False)) == summary


def test_counts_and_best_trial(summary):
    search = summary["search"]
    assert search["n_trials"] == 7
    assert search["counts"] == {"COMPLETE": 4, "PRUNED": 2, "FAIL": 1, "RUNNING": 0, "WAITING": 0}
    assert search["sampler"] == "TPESampler" and search["pruner"] == "MedianPruner"
    assert search["time_budget_s"] == 60 and search["elapsed_s"] == 12.5
    best = summary["best"]
    assert best["trial"] == 6 and best["score"] == 0.92 and best["family"] == "lightgbm"
    assert best["fold_scores"] == [0.91, 0.93, 0.92]
    assert best["params"]["lightgbm.learning_rate"] == 0.1


def test_history_has_best_so_far_over_completed_trials(summary):
    history = summary["history"]
    assert [p["number"] for p in history] == [0, 2, 4, 6]
    assert [p["value"] for p in history] == [0.80, 0.90, 0.85, 0.92]
    assert [p["best"] for p in history] == [0.80, 0.90, 0.90, 0.92]
    assert [p["family"] for p in history] == ["linear", "lightgbm", "random_forest", "lightgbm"]


def test_minimize_picks_lowest_and_tracks_running_minimum(schema, metric, study_factory):
    s = build_summary(schema=schema, study=study_factory("minimize"), metric=metric,
                      best_pipeline=None, settings={}, elapsed_s=1.0, versions={})
    assert s["best"]["trial"] == 0
    assert [p["best"] for p in s["history"]] == [0.80, 0.80, 0.80, 0.80]
    assert s["metric"]["direction"] == "minimize"


def test_data_section_keeps_names_and_reasons(summary, nasty_columns):
    data = summary["data"]
    assert data["rows"] == 100 and data["target"] == "churn" and data["classes"] == ["no", "yes"]
    assert [c["name"] for c in data["columns"]] == nasty_columns + ["constant"]
    assert data["dropped"] == [
        {"name": nasty_columns[2], "reason": "unique per row (id-like)"},
        {"name": "constant", "reason": "a single value"},
    ]
    assert data["class_balance"] == {"no": 0.7, "yes": 0.3}
    assert {k["kind"]: (k["count"], k["used"]) for k in data["kinds"]}["id-like"] == (1, 0)


def test_leaderboard_records_top_50(schema, metric, study_factory, trial_factory):
    trials = [trial_factory(i, "COMPLETE", i / 100, [i / 100]) for i in range(60)]
    s = build_summary(schema=schema, study=study_factory(trials=trials), metric=metric,
                      best_pipeline=None, settings={}, elapsed_s=1.0, versions={})
    assert len(s["leaderboard"]) == 50
    assert s["leaderboard"][0]["trial"] == 59 and s["leaderboard"][0]["rank"] == 1


def test_no_completed_trial_still_summarises(schema, metric, study_factory, trial_factory):
    trials = [trial_factory(0, "PRUNED", None, [0.5]), trial_factory(1, "FAIL"), trial_factory(2, "RUNNING")]
    s = build_summary(schema=schema, study=study_factory(trials=trials), metric=metric,
                      best_pipeline=None, settings={}, elapsed_s=0.0, versions={})
    assert s["best"] is None and s["history"] == [] and s["pipeline"] is None
    assert s["search"]["counts"]["COMPLETE"] == 0 and len(s["leaderboard"]) == 3


def test_feature_survival_among_best_trials(schema, metric, study_factory, trial_factory):
    trials = [trial_factory(i, "COMPLETE", v, [v]) for i, v in enumerate([0.9, 0.8, 0.7])]
    for t, kept in zip(trials, [["a", "b"], ["a"], ["c"]]):
        t.user_attrs["selected_features"] = kept
    s = build_summary(schema=schema, study=study_factory(trials=trials), metric=metric,
                      best_pipeline=None, settings={}, elapsed_s=0.0, versions={})
    shares = {f["name"]: f["share"] for f in s["feature_survival"]}
    assert shares == pytest.approx({"a": 2 / 3, "b": 1 / 3, "c": 1 / 3})


def test_sklearn_pipeline_is_described_by_its_steps(schema, metric, study):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    pipe = Pipeline([("scale", StandardScaler()), ("model", LogisticRegression(C=0.5))])
    s = build_summary(schema=schema, study=study, metric=metric, best_pipeline=pipe,
                      settings={}, elapsed_s=0.0, versions={})
    assert s["pipeline"]["steps"] == [{"name": "scale", "estimator": "StandardScaler"},
                                      {"name": "model", "estimator": "LogisticRegression"}]
    assert "C=0.5" in s["pipeline"]["text"]

"""Column names with any character work with every model family: CV, refit and predict.

The pipelines hand numpy arrays to the models, so LightGBM and XGBoost (which reject
names holding ``[ ] , : " { }``) never see the names; the schema, the trials' selected
features and the report keep them unchanged.
"""

from __future__ import annotations

import warnings
from unittest import mock

import numpy as np
import pandas as pd
import pytest
from threadpoolctl import threadpool_limits

import autopipe
from autopipe import runner
from autopipe.space import FAMILIES, default_configs

ODD = ['income: net [EUR]', 'score "raw", v2', "group{a}", "naïve ☃ x", "  spaced  ", "a\nb", "<b>&amp;</b>"]


def _table(n=60, seed=0):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({
        ODD[0]: rng.normal(size=n),
        ODD[1]: rng.normal(size=n),
        ODD[2]: rng.choice(["u", "v", "w"], size=n),
        ODD[3]: rng.integers(0, 5, size=n),
        ODD[4]: rng.choice([True, False], size=n),
        ODD[5]: pd.date_range("2024-01-01", periods=n, freq="D"),
        ODD[6]: [f"L{i % 40}" for i in range(n)],  # high cardinality
    })
    df["y"] = (df[ODD[0]] + (df[ODD[2]] == "u") > 0.3).astype(int)
    return df


@pytest.mark.parametrize("family", FAMILIES)
def test_odd_names_with_every_family(family):
    df = _table()
    first = lambda schema: sorted(default_configs(schema), key=lambda c: c["family"] != family)  # noqa: E731
    with threadpool_limits(1), mock.patch.object(runner, "default_configs", first), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = autopipe.fit(df, target="y", n_trials=1, time_budget=60, cv=3, seed=0)
    trial = model.study_.best_trial
    assert trial.params["family"] == family and trial.state.name == "COMPLETE"
    assert model.schema_.features == ODD
    assert set(trial.user_attrs["selected_features"]) <= set(ODD)
    X = df.drop(columns="y")
    reordered = X[list(reversed(ODD))]
    np.testing.assert_array_equal(model.predict(X), model.predict(reordered))
    assert model.predict_proba(X.head(3)).shape == (3, 2)
    assert list(model.leaderboard()["family"])[0] == family


def test_odd_names_unchanged_in_report(tmp_path):
    import html
    import json

    df = _table()
    with threadpool_limits(1), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = autopipe.fit(df, target="y", n_trials=1, time_budget=60, cv=3, seed=0)
    model.save(tmp_path / "run")
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text())
    assert [c["name"] for c in manifest["schema"]["columns"]] == ODD
    page = html.unescape((tmp_path / "run" / "report.html").read_text())
    assert all(name.strip() in page for name in ODD if "\n" not in name)
    assert "<b>&amp;</b>" not in (tmp_path / "run" / "report.html").read_text()  # escaped, not markup
    again = autopipe.load(tmp_path / "run")
    np.testing.assert_array_equal(again.predict(df.drop(columns="y")), model.predict(df.drop(columns="y")))

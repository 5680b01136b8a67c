import numpy as np
import pytest

from autopipe.search import FixedTrial
from autopipe.space.selection import FractionSelector, ImportanceSelector, suggest_selector


def _data(n=200, p=6, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p))
    y = (X[:, 0] + 0.5 * X[:, 1] > 0).astype(int)
    return X, y


def test_fraction_keeps_best_columns():
    X, y = _data()
    sel = FractionSelector(fraction=0.3, task="binary").fit(X, y)
    assert sel.get_support().tolist() == [True, True, False, False, False, False]


@pytest.mark.parametrize("fraction", [0.01, 1.0])
def test_fraction_bounds(fraction):
    X, y = _data(p=3)
    X[:, 2] = 1.0  # constant column scores NaN: ranked last, never crashes
    kept = FractionSelector(fraction=fraction, task="binary").fit(X, y).get_support().sum()
    assert kept == (1 if fraction < 0.5 else 3)


def test_importance_keeps_signal_and_at_least_one():
    X, y = _data()
    sel = ImportanceSelector(scale=1.0, task="binary").fit(X, y)
    assert sel.get_support()[0] and sel.transform(X).shape[1] < X.shape[1]
    const = np.ones((50, 4))  # no signal: all importances zero, nothing to prefer
    sel = ImportanceSelector(scale=1.5, task="regression").fit(const, np.arange(50.0))
    assert sel.get_support().all()


def test_suggest_selector_choices():
    assert suggest_selector(FixedTrial({"selection": "none"}), "binary") == "passthrough"
    sel = suggest_selector(FixedTrial({"selection": "univariate", "selection.fraction": 0.4}),
                           "regression")
    assert isinstance(sel, FractionSelector) and sel.fraction == 0.4
    sel = suggest_selector(FixedTrial({"selection": "model", "selection.threshold": 0.5}), "binary")
    assert isinstance(sel, ImportanceSelector) and sel.scale == 0.5

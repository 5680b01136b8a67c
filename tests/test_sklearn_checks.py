"""scikit-learn's own estimator checks, with a tiny budget.

Skipped checks, with reasons, live in ``EXPECTED_FAILED``.
"""

from __future__ import annotations

from sklearn.utils.estimator_checks import parametrize_with_checks

from autopipe import AutoClassifier, AutoRegressor

EXPECTED_FAILED: dict[str, str] = {}


def _tiny(cls):
    return cls(time_budget=20, n_trials=2, cv=2, random_state=0)


@parametrize_with_checks([_tiny(AutoClassifier), _tiny(AutoRegressor)],
                         expected_failed_checks=lambda est: EXPECTED_FAILED)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)

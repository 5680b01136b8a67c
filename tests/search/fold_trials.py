"""Trials that report per-fold running means, as autopipe's cross-validation does."""

from __future__ import annotations

import numpy as np

from autopipe.search import TrialState


def running(study, fold_scores):
    """A running trial that has reported the running mean after each of ``fold_scores``."""
    t = study.ask()
    for i in range(len(fold_scores)):
        t.report(float(np.mean(fold_scores[: i + 1])), i)
    return t


def complete(study, fold_scores):
    """A complete trial whose value is the mean of ``fold_scores``."""
    study.tell(running(study, fold_scores), float(np.mean(fold_scores)))


def screened(study, screen_scores):
    """Trials stopped at their row-sample screen (step -1) with ``screen_scores``; then one running
    trial that has reached the screen."""
    for score in screen_scores:
        t = study.ask()
        t.report(score, -1)
        study.tell(t, TrialState.PRUNED)
    return study.ask()

"""The runner's bookkeeping: which out-of-fold predictions are kept for ensembling."""

from __future__ import annotations

import numpy as np

from autopipe.metrics import resolve_metric
from autopipe.runner import OutOfFold


def test_out_of_fold_keeps_the_best_trials_and_the_best_of_each_family():
    oof = OutOfFold(4, resolve_metric("rmse", "regression"), keep=2)
    # lower RMSE is better: linear variants fill the top, one forest and one k-NN trail behind
    for number, (value, family) in enumerate([(5.0, "knn"), (3.0, "forest"), (1.0, "linear"),
                                              (1.1, "linear"), (1.2, "linear"), (4.0, "forest")]):
        oof.keep(number, value, np.full(4, float(number)), family)
    assert set(oof.predictions()) == {2, 3, 1, 0}  # top two, best forest (1, not 5), best k-NN
    assert oof.get(4) is None and oof.get(5) is None
    assert oof.predictions()[1][0] == 1.0


def test_out_of_fold_ranks_by_the_metric_direction():
    oof = OutOfFold(2, resolve_metric("roc_auc", "binary", 2), keep=1)
    oof.keep(0, 0.70, np.zeros((2, 2)), "linear")
    oof.keep(1, 0.90, np.ones((2, 2)), "linear")
    assert set(oof.predictions()) == {1}  # higher AUC wins, and the family keeps only its best

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


def test_repeated_folds_average_each_rows_predictions_over_the_repeats():
    from autopipe.evaluate import FittedFold

    oof = OutOfFold(4, resolve_metric("rmse", "regression"), folds_per_repeat=2)
    holder = oof.new()
    halves = (np.array([0, 1]), np.array([2, 3]))
    for index, preds in enumerate([[1.0, 1.0], [2.0, 2.0], [3.0, 5.0], [4.0, 4.0], [8.0, 9.0], [7.0, 7.0]]):
        valid = halves[index % 2] if index < 4 else halves[(index + 1) % 2]  # the third repeat swaps halves
        oof.fill(holder, FittedFold(index=index, valid=valid, predictions=np.array(preds), score=0.0))
    # row 0 saw 1, 3, 7; row 1 saw 1, 5, 7; rows 2-3 saw 2, 4 and 8 or 9
    np.testing.assert_allclose(holder, [11 / 3, 13 / 3, 14 / 3, 15 / 3])


def test_small_tables_repeat_their_folds_by_default():
    from autopipe.runner import SMALL_TABLE_REPEATS, SMALL_TABLE_ROWS, effective_repeats

    assert effective_repeats("auto", SMALL_TABLE_ROWS - 1) == SMALL_TABLE_REPEATS
    assert effective_repeats("auto", SMALL_TABLE_ROWS) == 1
    assert effective_repeats(2, 10**6) == 2


def test_pruners_by_name_and_the_default():
    from autopipe.runner import PRUNERS, make_pruner
    from autopipe.search import NopPruner, RacingPruner, SuccessiveHalvingPruner

    assert type(make_pruner("auto")) is RacingPruner  # reports/pruning.md
    assert type(make_pruner("halving")) is SuccessiveHalvingPruner
    assert type(make_pruner("none")) is NopPruner
    mine = RacingPruner(alpha=0.05)
    assert make_pruner(mine) is mine
    for name in PRUNERS:
        make_pruner(name)

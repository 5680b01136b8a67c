import json

import pytest

from autopipe.exceptions import ParameterError
from autopipe.report import leaderboard


def test_columns_are_the_documented_ones(study):
    board = leaderboard(study.trials, "maximize")
    assert list(board.columns) == ["rank", "trial", "state", "score", "folds_done",
                                   "fold_scores", "family", "selection", "duration_s", "params"]
    assert list(board["rank"]) == list(range(1, 8))


def test_maximize_sorts_complete_best_first_then_pruned_then_failed(study):
    board = leaderboard(study.trials, study.direction)
    assert list(board["trial"]) == [6, 2, 4, 0, 5, 1, 3]
    assert list(board["state"]) == ["COMPLETE"] * 4 + ["PRUNED", "PRUNED", "FAIL"]


def test_minimize_reverses_the_complete_order(study_factory):
    study = study_factory("minimize")
    board = leaderboard(study.trials, "minimize")
    assert list(board["trial"][:4]) == [0, 4, 2, 6]


@pytest.mark.parametrize("direction", ["maximize", "minimize"])
def test_a_pruned_trial_never_outranks_a_complete_one(study, direction):
    # Trial 1 was pruned with a partial score (0.99) better than any complete one.
    board = leaderboard(study.trials, direction)
    complete_ranks = board.loc[board.state == "COMPLETE", "rank"]
    pruned_ranks = board.loc[board.state == "PRUNED", "rank"]
    assert complete_ranks.max() < pruned_ranks.min()


def test_pruned_rows_show_partial_score_and_folds_done(study):
    board = leaderboard(study.trials, "maximize").set_index("trial")
    assert board.loc[5, "score"] == pytest.approx(0.71)
    assert board.loc[5, "folds_done"] == 2
    assert board.loc[3, "folds_done"] == 0
    assert board.loc[3, "score"] is None or board.loc[3, "score"] != board.loc[3, "score"]


def test_row_content(study):
    row = leaderboard(study.trials, "maximize").iloc[0]
    assert row["family"] == "lightgbm" and row["selection"] == "none"
    assert row["fold_scores"] == "0.91 0.93 0.92"
    assert row["duration_s"] == pytest.approx(7.5)
    assert json.loads(row["params"])["lightgbm.learning_rate"] == 0.1


def test_running_trials_come_last_and_empty_input_works(trial_factory):
    trials = [trial_factory(0, "RUNNING"), trial_factory(1, "FAIL"), trial_factory(2, "COMPLETE", 1.0, [1.0])]
    assert list(leaderboard(trials, "minimize")["state"]) == ["COMPLETE", "FAIL", "RUNNING"]
    assert leaderboard([], "maximize").empty


def test_bad_direction_is_a_parameter_error(study):
    with pytest.raises(ParameterError, match="'maximize' or 'minimize'"):
        leaderboard(study.trials, "up")

"""Which pruner: fold fits saved against test score lost, at an equal number of trials.

For each dataset and seed, the same search (same sampler seed, same number of trials)
runs once per pruner; we count the folds actually fitted and score the chosen model on
the peers' hold-out split. Writes reports/pruning.md and reports/pruning.jsonl
(or another name with --out).

    python benchmarks/pruning.py --trials 50 --seeds 0,1,2 --pruners none,halving,racing,racing-a10-q75,racing-a20-q75
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from holdout import ROOT, code_version, split, test_score  # noqa: E402

PRUNERS = ("none", "halving", "racing")
NOTES = "<!-- notes: kept when the tables are regenerated -->"


def _variants() -> dict:
    """Pruner settings measured against the named ones (objects passed as ``pruner=``)."""
    from autopipe.search import RacingPruner, SuccessiveHalvingPruner

    return {
        # "racing" is RacingPruner() itself: alpha=0.2, noise at the 90th percentile, sentinels after 9
        "racing-nosent": lambda: RacingPruner(sentinel_after=None),
        "racing-a10-q75": lambda: RacingPruner(alpha=0.1, noise_quantile=0.75, sentinel_after=None),
        "racing-a20-q75": lambda: RacingPruner(alpha=0.2, noise_quantile=0.75, sentinel_after=None),
        "halving3": lambda: SuccessiveHalvingPruner(min_resource=1, reduction_factor=3),
        "halving-w16": lambda: SuccessiveHalvingPruner(min_resource=1, reduction_factor=2, window=16),
        "halving3-w16": lambda: SuccessiveHalvingPruner(min_resource=1, reduction_factor=3, window=16),
        "halving3-w8": lambda: SuccessiveHalvingPruner(min_resource=1, reduction_factor=3, window=8),
        "halving4-w16": lambda: SuccessiveHalvingPruner(min_resource=1, reduction_factor=4, window=16),
    }


def run(name: str, seed: int, pruner: str, n_trials: int) -> dict:
    from autopipe import AutoClassifier, AutoRegressor

    task, Xtr, Xte, ytr, yte = split(name, seed)
    cls = AutoRegressor if task == "regression" else AutoClassifier
    variants = _variants()
    est = cls(time_budget=None, n_trials=n_trials, random_state=seed,
              pruner=variants[pruner]() if pruner in variants else pruner)
    t0 = time.perf_counter()
    est.fit(Xtr, ytr)
    trials = est.study_.trials
    return {"dataset": name, "seed": seed, "pruner": pruner, "trials_asked": n_trials, "trials": len(trials),
            "pruned": sum(t.state.name == "PRUNED" for t in trials),
            "fold_fits": sum(len(t.user_attrs.get("fold_scores", [])) for t in trials),
            "cv": est.cv_score_, "test": test_score(task, est, Xte, yte), "seconds": round(time.perf_counter() - t0, 1),
            "code": code_version()}


def summarise(rows: pd.DataFrame) -> pd.DataFrame:
    base = rows[rows.pruner == "none"].set_index(["dataset", "seed"])
    out = []
    for pruner, group in rows[rows.pruner != "none"].groupby("pruner"):
        g = group.set_index(["dataset", "seed"])
        g = g[g.index.isin(base.index)]  # only runs with a baseline to compare against
        saved = 1 - g["fold_fits"] / base.loc[g.index, "fold_fits"]
        lost = (base.loc[g.index, "test"] - g["test"]) / base.loc[g.index, "test"].abs()
        out.append({"pruner": pruner, "runs": len(g), "median_fold_fits_saved": round(float(saved.median()), 3),
                    "median_test_score_lost": round(float(lost.median()), 5),
                    "mean_test_score_lost": round(float(lost.mean()), 5),
                    # the same hold-out score as without pruning: the same final model was chosen
                    "same_result_share": round(float((lost.abs() < 1e-9).mean()), 2),
                    "median_seconds_ratio": round(float((g["seconds"] / base.loc[g.index, "seconds"]).median()), 3)})
    return pd.DataFrame(out)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--trials", type=int, default=40)
    ap.add_argument("--seeds", default="0,1")
    ap.add_argument("--datasets", default="breast_cancer,credit_g,penguins,diabetes,car_evaluation")
    ap.add_argument("--pruners", default=",".join(PRUNERS))
    ap.add_argument("--out", default="pruning", help="report name under reports/ (.md and .jsonl)")
    a = ap.parse_args()
    rows = []
    log = ROOT / "reports" / f"{a.out}.jsonl"
    log.parent.mkdir(exist_ok=True)
    done, code = {}, code_version()
    if log.exists():  # an interrupted benchmark resumes where it stopped; rows of other code are left out
        for line in log.read_text().splitlines():
            r = json.loads(line)
            if r.get("code") != code:
                continue
            done[(r["dataset"], r["seed"], r["pruner"], r.get("trials_asked", r["trials"]))] = r
    with open(log, "a") as fh:
        for name in a.datasets.split(","):
            for seed in map(int, a.seeds.split(",")):
                for pruner in a.pruners.split(","):
                    row = done.get((name, seed, pruner, a.trials))
                    if row is None:
                        row = run(name, seed, pruner, a.trials)
                        print(json.dumps(row), flush=True)
                        fh.write(json.dumps(row) + "\n")
                        fh.flush()
                    rows.append(row)
    table = pd.DataFrame(rows)
    summary = summarise(table)
    text = (f"# Pruners on CV folds: fold fits saved vs test score lost\n\n"
            f"{a.trials} trials per search, same sampler seed, datasets {a.datasets}, seeds {a.seeds}. "
            "Saved = 1 - fold fits / fold fits without pruning; lost = relative drop of the hold-out test "
            "score (higher-is-better scores; log loss and RMSE are negated).\n\n"
            + summary.to_markdown(index=False) + "\n\n## Runs\n\n" + table.to_markdown(index=False) + "\n")
    path = ROOT / "reports" / f"{a.out}.md"
    notes = path.read_text().split(NOTES, 1)[1] if path.exists() and NOTES in path.read_text() else ""
    path.write_text(text + (f"\n{NOTES}{notes}" if notes else ""))
    print(summary.to_string(index=False))



if __name__ == "__main__":
    main()

"""How much of a search's best CV score is luck on its folds (the winner's curse).

After a budgeted search, the top trials and the best trial of every other family are
scored again on fresh folds (3 x 5 folds on reshuffled rows, never the study's split),
refit on all training rows and scored on the peers' hold-out split. The table compares
the hold-out score of the trial the study's folds pick with the one the fresh folds pick.
Writes reports/winners_curse.md and .jsonl.

    python benchmarks/winners_curse.py --datasets diabetes,car_evaluation --seeds 0,1,2 --budget 60
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from holdout import ROOT, code_version, split, test_score  # noqa: E402
from systems import _Columns  # noqa: E402

NOTES = "<!-- notes: kept when the tables are regenerated -->"


def candidates(study, top: int) -> list:
    """The ``top`` best complete trials, then the best complete trial of each other family."""
    done = [t for t in study.trials if t.state.name == "COMPLETE"]
    done.sort(key=lambda t: t.value, reverse=study.direction == "maximize")
    chosen = done[:top]
    families = {t.params.get("family") for t in chosen}
    for t in done:
        if t.params.get("family") not in families:
            chosen.append(t)
            families.add(t.params.get("family"))
    return chosen


def run(name: str, seed: int, budget: float, top: int) -> list[dict]:
    from threadpoolctl import threadpool_limits

    from autopipe import AutoClassifier, AutoRegressor
    from autopipe.evaluate import make_folds
    from autopipe.search import FixedTrial
    from autopipe.space import suggest_pipeline

    task, Xtr, Xte, ytr, yte = split(name, seed)
    cls = AutoRegressor if task == "regression" else AutoClassifier
    with threadpool_limits(limits=1):
        est = cls(time_budget=budget, random_state=seed).fit(Xtr, ytr)
        schema, metric, cols = est.schema_, est.metric_, est.schema_.features
        classes = None if task == "regression" else np.asarray(schema.classes)
        y = (ytr.to_numpy(dtype=float) if classes is None
             else pd.Categorical(ytr, categories=list(classes)).codes.astype(int))
        X = Xtr[cols]
        fresh_folds = make_folds(y, task, 5, 10_000 + seed, repeats=3)
        common = {"dataset": name, "seed": seed, "budget": budget, "metric": metric.name,
                  "direction": metric.direction, "fresh_folds": len(fresh_folds),
                  "autopipe_test": test_score(task, est, Xte, yte), "code": code_version()}
        rows = []
        for t in candidates(est.study_, top):
            def build(params=t.params):
                return suggest_pipeline(FixedTrial(params), schema, random_state=seed)

            fresh = [metric.score(build().fit(X.iloc[tr], y[tr]), X.iloc[va], y[va]) for tr, va in fresh_folds]
            rows.append({**common, "trial": t.number, "family": t.params.get("family"),
                         "study_folds": len(t.user_attrs["fold_scores"]), "study_cv": t.value,
                         "fresh_cv": float(np.mean(fresh)),
                         "test": test_score(task, _Columns(build().fit(X, y), cols, classes), Xte, yte)})
    return rows


def summarise(rows: pd.DataFrame) -> pd.DataFrame:
    out = []
    for (name, seed), g in rows.groupby(["dataset", "seed"], sort=False):
        def best(column):
            return g[column].idxmax() if g["direction"].iloc[0] == "maximize" else g[column].idxmin()

        # every fold counted once
        g = g.assign(both_cv=(g["study_folds"] * g["study_cv"] + g["fresh_folds"] * g["fresh_cv"])
                     / (g["study_folds"] + g["fresh_folds"]))
        by_study, by_fresh, by_both = g.loc[best("study_cv")], g.loc[best("fresh_cv")], g.loc[best("both_cv")]
        out.append({"dataset": name, "seed": seed, "autopipe": g["autopipe_test"].iloc[0],
                    "pick by study folds": by_study["test"], "family (study)": by_study["family"],
                    "pick by fresh folds": by_fresh["test"], "family (fresh)": by_fresh["family"],
                    "pick by both": by_both["test"], "family (both)": by_both["family"],
                    "study cv of study pick": by_study["study_cv"], "fresh cv of study pick": by_study["fresh_cv"]})
    return pd.DataFrame(out)


def main() -> None:
    warnings.filterwarnings("ignore")
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--datasets", default="diabetes,car_evaluation")
    ap.add_argument("--seeds", default="0,1,2")
    ap.add_argument("--budget", type=float, default=60.0)
    ap.add_argument("--top", type=int, default=3, help="best complete trials re-scored (plus each family's best)")
    ap.add_argument("--out", default="winners_curse")
    a = ap.parse_args()
    log = ROOT / "reports" / f"{a.out}.jsonl"
    with open(log, "a") as fh:
        for name in filter(None, a.datasets.split(",")):  # --datasets "" only rewrites the report
            for seed in map(int, a.seeds.split(",")):
                for row in run(name, seed, a.budget, a.top):
                    fh.write(json.dumps(row) + "\n")
                fh.flush()
    rows = pd.DataFrame([json.loads(x) for x in log.read_text().splitlines()])
    table = summarise(rows)
    md = log.with_suffix(".md")
    notes = md.read_text().split(NOTES, 1)[1] if md.exists() and NOTES in md.read_text() else ""
    md.write_text("# The winner's curse: study folds against fresh folds\n\n"
                  "Hold-out score (ROC AUC, -log loss, R2) of autopipe's model, of the best trial by the study's "
                  "own folds, and of the best of the same candidates by fresh folds (3 x 5 folds on reshuffled "
                  "rows) and by all 20 folds. CV columns are in the study's metric.\n\n" + table.round(5).to_markdown(index=False)
                  + "\n\n## Candidates\n\n" + rows.drop(columns=["code"]).round(5).to_markdown(index=False) + "\n"
                  + (f"\n{NOTES}{notes}" if notes else ""))
    print(table.round(5).to_string(index=False))


if __name__ == "__main__":
    main()

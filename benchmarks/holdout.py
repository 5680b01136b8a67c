"""autopipe on the peers' hold-out split: test scores and wall time per dataset.

Uses the split of ../shared/bench/peers.py (seeded, stratified for classification,
25 % test) so the numbers line up with the peer table. Writes reports/holdout.md.

    python benchmarks/holdout.py --budget 60 --seeds 0 --datasets breast_cancer,penguins,diabetes
"""

from __future__ import annotations

import argparse
import json
import subprocess
import time
from pathlib import Path

import pandas as pd
from sklearn.metrics import accuracy_score, log_loss, r2_score, roc_auc_score
from sklearn.model_selection import train_test_split

ROOT = Path(__file__).resolve().parents[1]
SEARCH_PATHS = [ROOT / "datasets", ROOT.parent / "shared" / "datasets"]
TARGETS = {"breast_cancer": "target", "penguins": "species", "diabetes": "target", "credit_g": "credit_risk",
           "car_evaluation": "class", "adult": "income", "bank_marketing": "y", "census_income_kdd": "income",
           "flights_3m": "delay", "diamonds": "price", "shuttle": "Class", "mnist_5k": "label"}


def code_version() -> str:
    """The commit that ran ("+" when the package had uncommitted changes), so rows of
    different code in one results file can be told apart."""
    def git(*args):
        return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True).stdout.strip()

    head = git("rev-parse", "--short", "HEAD")
    return head + ("+" if git("status", "--porcelain", "--", "autopipe") else "") if head else "unknown"


def find(name: str) -> Path:
    for folder in SEARCH_PATHS:
        for suffix in (".csv", ".csv.gz"):
            if (folder / f"{name}{suffix}").exists():
                return folder / f"{name}{suffix}"
    raise FileNotFoundError(name)


def split(name: str, seed: int):
    from autopipe.schema import infer_task

    df = pd.read_csv(find(name))
    target = TARGETS[name]
    df = df[df[target].notna()]
    y = df.pop(target)
    task = infer_task(y)
    if task != "regression":
        y = y.astype(str)
    strat = y if task != "regression" else None
    Xtr, Xte, ytr, yte = train_test_split(df, y, test_size=0.25, random_state=seed, stratify=strat)
    return task, Xtr, Xte, ytr, yte


def test_score(task: str, est, Xte, yte) -> float:
    """The peers' test metric, higher is better: ROC AUC, -log loss, R2."""
    if task == "regression":
        return float(r2_score(yte, est.predict(Xte)))
    proba = est.predict_proba(Xte)
    if task == "binary":
        return float(roc_auc_score((yte == est.classes_[1]).astype(int), proba[:, 1]))
    return float(-log_loss(yte, proba, labels=list(est.classes_)))


def run_one(name: str, seed: int, budget: float) -> dict:
    from autopipe import AutoClassifier, AutoRegressor

    task, Xtr, Xte, ytr, yte = split(name, seed)
    scoring = {"binary": "roc_auc", "multiclass": "neg_log_loss", "regression": "r2"}[task]
    est = (AutoRegressor if task == "regression" else AutoClassifier)(time_budget=budget, scoring=scoring,
                                                                       random_state=seed)
    t0 = time.perf_counter()
    est.fit(Xtr, ytr)
    wall = time.perf_counter() - t0
    row = {"dataset": name, "task": task, "seed": seed, "budget": budget, "wall_s": round(wall, 1),
           "trials": len(est.study_.trials), "best_family": est.best_params_["family"]}
    if task == "regression":
        row["test_r2"] = round(r2_score(yte, est.predict(Xte)), 4)
    else:
        proba = est.predict_proba(Xte)
        row["test_accuracy"] = round(accuracy_score(yte, est.predict(Xte)), 4)
        row["test_log_loss"] = round(log_loss(yte, proba, labels=list(est.classes_)), 4)
        if task == "binary":
            row["test_roc_auc"] = round(roc_auc_score((yte == est.classes_[1]).astype(int), proba[:, 1]), 4)
    states = pd.Series([t.state.name for t in est.study_.trials]).value_counts().to_dict()
    row["pruned"] = int(states.get("PRUNED", 0))
    return row


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--budget", type=float, default=60)
    ap.add_argument("--seeds", default="0")
    ap.add_argument("--datasets", default="breast_cancer,penguins,diabetes")
    ap.add_argument("--out", default=str(ROOT / "reports" / "holdout.md"))
    a = ap.parse_args()
    rows = []
    for name in a.datasets.split(","):
        for seed in map(int, a.seeds.split(",")):
            row = run_one(name, seed, a.budget)
            print(json.dumps(row), flush=True)
            rows.append(row)
    table = pd.DataFrame(rows)
    Path(a.out).parent.mkdir(exist_ok=True)
    Path(a.out).write_text(f"# autopipe on the peers' hold-out split ({a.budget:g} s budget)\n\n"
                           + table.to_markdown(index=False) + "\n")



if __name__ == "__main__":
    main()

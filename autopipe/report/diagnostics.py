"""What the best trial's out-of-fold predictions say: confusion, ROC and PR curves, residuals.

Input is the model's ``oof_`` dict ``{"y": encoded targets, "pred": probabilities
(n, k) or values (n,), "trial": number}``. It can be None, or carry ``pred`` None,
when the best trial ran in an earlier (resumed) run; the summary then says why there
are no diagnostics instead of failing. Curves are thinned to a few hundred points and
the residual scatter to a sample, so the page stays small on large tables.
"""

from __future__ import annotations

from typing import Any

import numpy as np

MAX_CURVE_POINTS = 200
MAX_SCATTER_POINTS = 2000
MAX_CONFUSION_CLASSES = 20
MAX_CURVE_CLASSES = 10


def oof_diagnostics(oof: dict | None, task: str | None, classes: list | None, *, seed: int = 0) -> dict:
    """A JSON-able dict with ``available`` and either the diagnostics or the ``reason``."""
    if not oof or oof.get("pred") is None or oof.get("y") is None:
        return {"available": False, "reason": "The best trial's out-of-fold predictions are not available "
                                              "(it was evaluated in an earlier, resumed run, or by an older "
                                              "autopipe)."}
    y = np.asarray(oof["y"])
    pred = np.asarray(oof["pred"], dtype=float)
    rows = np.isfinite(pred).all(axis=1) if pred.ndim == 2 else np.isfinite(pred)
    if rows.sum() < 2:
        return {"available": False, "reason": "Too few rows have out-of-fold predictions."}
    y, pred = y[rows], pred[rows]
    base = {"available": True, "trial": oof.get("trial"), "n_rows": int(rows.sum())}
    if task == "regression" or pred.ndim == 1:
        return {**base, "kind": "regression", **_regression(y.astype(float), pred, seed)}
    labels = [str(c) for c in (classes or range(pred.shape[1]))]
    return {**base, "kind": "classification", **_classification(y.astype(int), pred, labels)}


def _classification(y: np.ndarray, proba: np.ndarray, labels: list[str]) -> dict:
    from sklearn.metrics import (
        average_precision_score,
        confusion_matrix,
        precision_recall_curve,
        roc_auc_score,
        roc_curve,
    )

    k = proba.shape[1]
    predicted = proba.argmax(axis=1)
    out: dict[str, Any] = {"classes": labels, "accuracy": float((predicted == y).mean())}
    if k <= MAX_CONFUSION_CLASSES:
        out["confusion"] = confusion_matrix(y, predicted, labels=list(range(k))).tolist()
    targets = [1] if k == 2 else list(range(min(k, MAX_CURVE_CLASSES)))
    roc, pr = [], []
    for c in targets:
        truth = (y == c).astype(int)
        if truth.min() == truth.max():
            continue
        fpr, tpr, _ = roc_curve(truth, proba[:, c])
        precision, recall, _ = precision_recall_curve(truth, proba[:, c])
        name = labels[c] if k > 2 else f"{labels[1]} vs {labels[0]}"
        roc.append({"label": name, "auc": float(roc_auc_score(truth, proba[:, c])), **_thin(fpr, tpr, "x", "y")})
        pr.append({"label": name, "ap": float(average_precision_score(truth, proba[:, c])),
                   "prevalence": float(truth.mean()), **_thin(recall, precision, "x", "y")})
    out["roc"], out["pr"] = roc, pr
    return out


def _regression(y: np.ndarray, pred: np.ndarray, seed: int) -> dict:
    residuals = y - pred
    rmse = float(np.sqrt(np.mean(residuals ** 2)))
    mae = float(np.mean(np.abs(residuals)))
    total = float(np.sum((y - y.mean()) ** 2))
    r2 = 1.0 - float(np.sum(residuals ** 2)) / total if total > 0 else None
    sample = np.arange(len(y))
    if len(y) > MAX_SCATTER_POINTS:
        sample = np.sort(np.random.default_rng(seed).choice(len(y), MAX_SCATTER_POINTS, replace=False))
    return {"rmse": rmse, "mae": mae, "r2": r2, "n_shown": int(len(sample)),
            "pred": _round(pred[sample]), "residual": _round(residuals[sample]), "actual": _round(y[sample])}


def _thin(x: np.ndarray, y: np.ndarray, kx: str, ky: str) -> dict:
    """At most MAX_CURVE_POINTS points, first and last kept."""
    if len(x) > MAX_CURVE_POINTS:
        idx = np.unique(np.linspace(0, len(x) - 1, MAX_CURVE_POINTS).round().astype(int))
        x, y = x[idx], y[idx]
    return {kx: _round(x), ky: _round(y)}


def _round(values: np.ndarray) -> list[float]:
    return [float(f"{v:.6g}") for v in np.asarray(values, dtype=float)]


def target_summary(oof: dict | None, task: str | None, classes: list | None) -> dict | None:
    """Class counts and shares, or quantiles of a numeric target, from the encoded targets."""
    if not oof or oof.get("y") is None:
        return None
    y = np.asarray(oof["y"])
    if task == "regression":
        y = y.astype(float)
        q = np.quantile(y, [0.0, 0.25, 0.5, 0.75, 1.0])
        return {"kind": "regression", "n": int(len(y)), "mean": float(y.mean()), "std": float(y.std()),
                "min": float(q[0]), "q25": float(q[1]), "median": float(q[2]), "q75": float(q[3]),
                "max": float(q[4])}
    labels = [str(c) for c in (classes or sorted(set(y.tolist())))]
    counts = np.bincount(y.astype(int), minlength=len(labels))
    return {"kind": "classification", "n": int(len(y)),
            "classes": [{"label": lab, "count": int(n), "share": float(n / len(y))}
                        for lab, n in zip(labels, counts)]}

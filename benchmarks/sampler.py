"""Sampler quality and overhead, side by side: autopipe TPE / random vs Optuna TPE / random.

Quality: every objective of ../shared/bench/sampler_bench.py (loaded by path; the same
functions are defined here when that file is absent) plus two of our own (a nested
conditional space and a noisy one), for each engine and seed; regret of the best trial
after 100 and after 300 trials (one 300-trial run per seed: a sampler does not know its
budget, so its first 100 trials are a 100-trial run). Overhead: mean ms per trial for
50 trials after a history of n trials with 10 parameters (sampler_bench.py's mode).
Optuna engines run when optuna is importable (TPE: multivariate=True, group=True).

Writes reports/sampler.jsonl (raw lines) and reports/sampler.md (tables).

    python benchmarks/sampler.py --seeds 20 --processes 2
    python benchmarks/sampler.py --seeds 3 --funcs branin --histories 100 --no-overhead
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import time
from multiprocessing import Pool
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SHARED_BENCH = ROOT.parent / "shared" / "bench" / "sampler_bench.py"
REPORTS = ROOT / "reports"
ENGINES = ("autopipe-tpe", "optuna-tpe", "autopipe-random", "optuna-random")
CHECKPOINTS = (100, 300)
TARGET_2X = ("conditional_automl", "feature_mask")
NOTES_MARKER = "<!-- notes: kept when the tables are regenerated -->"


# -- objectives -------------------------------------------------------------------------------
def _shared_funcs() -> dict:
    if SHARED_BENCH.exists():
        spec = importlib.util.spec_from_file_location("sampler_bench", SHARED_BENCH)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return dict(module.FUNCS)
    return _fallback_funcs()


def _fallback_funcs() -> dict:
    """The objectives of sampler_bench.py, for checkouts without ../shared."""

    def branin(t):
        x, y = t.suggest_float("x", -5, 10), t.suggest_float("y", 0, 15)
        return ((y - 5.1 / (4 * math.pi ** 2) * x * x + 5 / math.pi * x - 6) ** 2
                + 10 * (1 - 1 / (8 * math.pi)) * math.cos(x) + 10)

    a = np.array([[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8],
                  [17, 8, 0.05, 10, 0.1, 14]])
    p = 1e-4 * np.array([[1312, 1696, 5569, 124, 8283, 5886], [2329, 4135, 8307, 3736, 1004, 9991],
                         [2348, 1451, 3522, 2883, 3047, 6650], [4047, 8828, 8732, 5743, 1091, 381]])
    c = np.array([1.0, 1.2, 3.0, 3.2])

    def hartmann6(t):
        x = np.array([t.suggest_float(f"x{i}", 0, 1) for i in range(6)])
        return float(-np.sum(c * np.exp(-np.sum(a * (x - p) ** 2, axis=1))))

    def rosenbrock4(t):
        x = [t.suggest_float(f"x{i}", -2, 2) for i in range(4)]
        return float(sum(100 * (x[i + 1] - x[i] ** 2) ** 2 + (1 - x[i]) ** 2 for i in range(3)))

    def mixed_int_log(t):
        lr = t.suggest_float("lr", 1e-4, 1.0, log=True)
        depth = t.suggest_int("depth", 1, 12)
        base = {"a": 0.3, "b": 0.0, "c": 0.5, "d": 0.8}[t.suggest_categorical("booster", ["a", "b", "c", "d"])]
        n = t.suggest_int("n", 10, 1000, log=True)
        return base + (math.log10(lr) + 1.5) ** 2 + 0.05 * (depth - 7) ** 2 + 0.3 * (math.log10(n) - 2.5) ** 2

    def conditional_automl(t):
        fam = t.suggest_categorical("family", ["linear", "knn", "forest", "gbm"])
        if fam == "linear":
            cc = t.suggest_float("C", 1e-4, 1e4, log=True)
            pen = t.suggest_categorical("penalty", ["l1", "l2", "elasticnet"])
            r = 0.30 + 0.02 * (math.log10(cc) - 1) ** 2 + {"l1": 0.0, "l2": 0.01, "elasticnet": 0.005}[pen]
            if pen == "elasticnet":
                r += 0.02 * (t.suggest_float("l1_ratio", 0.0, 1.0) - 0.7) ** 2
            return r
        if fam == "knn":
            k = t.suggest_int("k", 1, 100, log=True)
            w = t.suggest_categorical("weights", ["uniform", "distance"])
            return 0.25 + 0.01 * (math.log(k) - math.log(15)) ** 2 + (0.0 if w == "distance" else 0.01)
        if fam == "forest":
            mf = t.suggest_float("max_features", 0.05, 1.0)
            leaf = t.suggest_int("min_leaf", 1, 50, log=True)
            n = t.suggest_int("n_trees", 10, 1000, log=True)
            return 0.15 + 0.3 * (mf - 0.3) ** 2 + 0.01 * math.log(leaf) ** 2 + 0.02 * max(0.0, 2.5 - math.log10(n)) ** 2
        lr = t.suggest_float("lr", 1e-3, 0.5, log=True)
        leaves = t.suggest_int("leaves", 4, 256, log=True)
        n_est = t.suggest_int("n_estimators", 20, 2000, log=True)
        sub = t.suggest_float("subsample", 0.3, 1.0)
        col = t.suggest_float("colsample", 0.3, 1.0)
        lam = t.suggest_float("lambda", 1e-8, 10.0, log=True)
        return (0.1 + 0.05 * (math.log10(lr * n_est) - 1) ** 2 + 0.02 * (math.log2(leaves) - 5) ** 2
                + 0.1 * (sub - 0.8) ** 2 + 0.1 * (col - 0.6) ** 2 + 0.005 * (math.log10(lam) + 1) ** 2)

    def feature_mask(t):
        s = sum((-0.2 if i < 5 else 0.03) * t.suggest_categorical(f"f{i}", [True, False]) for i in range(20))
        return s + 1.0

    return {"branin": (branin, 0.397887), "hartmann6": (hartmann6, -3.32237), "rosenbrock4": (rosenbrock4, 0.0),
            "mixed_int_log": (mixed_int_log, 0.0), "conditional_automl": (conditional_automl, 0.1),
            "feature_mask": (feature_mask, 0.0)}


def nested_pipeline(t):
    """Two levels of branching: a family, then a kernel (svm) or a depth switch (tree).
    f* = 0.05 in svm/rbf with C = 10, gamma = 0.01 and scaling on."""
    scale = t.suggest_categorical("scale", [True, False])
    base = 0.0 if scale else 0.03
    if t.suggest_categorical("family", ["svm", "tree"]) == "svm":
        c = t.suggest_float("svm_C", 1e-3, 1e3, log=True)
        kernel = t.suggest_categorical("kernel", ["linear", "rbf", "poly"])
        r = base + 0.05 + 0.01 * (math.log10(c) - 1) ** 2
        if kernel == "linear":
            return r + 0.1
        if kernel == "poly":
            return r + 0.04 + 0.01 * (t.suggest_int("degree", 2, 5) - 3) ** 2
        return r + 0.02 * (math.log10(t.suggest_float("gamma", 1e-5, 10.0, log=True)) + 2) ** 2
    r = base + 0.12 + 0.05 * (t.suggest_float("min_split", 0.0, 1.0) - 0.2) ** 2
    if t.suggest_categorical("limit_depth", [True, False]):
        return r + 0.002 * (t.suggest_int("max_depth", 1, 30) - 8) ** 2
    return r + 0.02


def noisy_quadratic(t):
    """A 4-d quadratic observed with noise (sd 0.05, seeded by the parameters); the
    regret is that of the true value of the trial that *looked* best."""
    x = np.array([t.suggest_float(f"x{i}", -1.0, 1.0) for i in range(4)])
    true = float(np.sum((x - np.array([0.3, -0.2, 0.5, 0.0])) ** 2))
    t.set_user_attr("true_value", true)
    noise = np.random.default_rng(abs(hash(tuple(np.round(x, 12)))) % (2 ** 32)).normal(0.0, 0.05)
    return true + float(noise)


def funcs() -> dict:
    table = _shared_funcs()
    table["nested_pipeline"] = (nested_pipeline, 0.05)
    table["noisy_quadratic"] = (noisy_quadratic, 0.0)
    return table


# -- engines ------------------------------------------------------------------------------------
def optuna_available() -> bool:
    return importlib.util.find_spec("optuna") is not None


def make_study(engine: str, seed: int):
    if engine.startswith("optuna"):
        import warnings

        import optuna

        optuna.logging.set_verbosity(optuna.logging.ERROR)
        warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
        sampler = (optuna.samplers.TPESampler(seed=seed, multivariate=True, group=True) if engine == "optuna-tpe"
                   else optuna.samplers.RandomSampler(seed=seed))
        return optuna.create_study(direction="minimize", sampler=sampler)
    import autopipe.search as ap

    sampler = ap.TPESampler(seed=seed) if engine == "autopipe-tpe" else ap.RandomSampler(seed=seed)
    return ap.create_study(direction="minimize", sampler=sampler, pruner=ap.NopPruner())


def _true_value(trial) -> float:
    return trial.user_attrs.get("true_value", trial.value)


def quality_job(job: tuple) -> dict:
    engine, fname, seed, n_trials = job
    func, fstar = funcs()[fname]
    study = make_study(engine, seed)
    t0 = time.perf_counter()
    study.optimize(func, n_trials=n_trials)
    seconds = time.perf_counter() - t0
    trials = sorted(study.trials, key=lambda t: t.number)
    out = {"kind": "quality", "engine": engine, "func": fname, "seed": seed, "seconds": round(seconds, 2)}
    for cp in CHECKPOINTS:
        done = [t for t in trials[:cp] if t.value is not None]
        best = min(done, key=lambda t: t.value)
        out[f"regret_{cp}"] = max(0.0, _true_value(best) - fstar)
    return out


def overhead_job(job: tuple) -> dict:
    engine, history, dims = job

    def obj(t):
        v = 0.0
        for i in range(dims):
            if i % 3 == 2:
                v += {"a": 0, "b": 1, "c": 2}[t.suggest_categorical(f"c{i}", ["a", "b", "c"])]
            elif i % 3 == 1:
                v += t.suggest_int(f"i{i}", 1, 100, log=True) / 100
            else:
                v += t.suggest_float(f"x{i}", -1, 1) ** 2
        return v

    study = make_study(engine, 0)
    study.optimize(obj, n_trials=history)
    t0, c0 = time.perf_counter(), time.process_time()
    study.optimize(obj, n_trials=50)
    ms = (time.perf_counter() - t0) / 50 * 1000
    cpu = (time.process_time() - c0) / 50 * 1000  # less sensitive to other jobs on a shared machine
    return {"kind": "overhead", "engine": engine, "history": history, "dims": dims, "ms_per_trial": round(ms, 3),
            "cpu_ms_per_trial": round(cpu, 3)}


# -- report -------------------------------------------------------------------------------------
def _fmt(x: float | None) -> str:
    if x is None:
        return "–"
    return "0" if x == 0 else f"{x:.3g}" if x >= 1e-3 else f"{x:.1e}"


def _ratio(a: float | None, b: float | None) -> str:
    if a is None or b is None:
        return "–"
    if b == 0:
        return "= (both 0)" if a == 0 else "∞"
    return f"{a / b:.2f}"


def render(rows: list[dict], seeds: int) -> str:
    qual = [r for r in rows if r["kind"] == "quality"]
    engines = [e for e in ENGINES if any(r["engine"] == e for r in qual)]
    names = list(dict.fromkeys(r["func"] for r in qual))
    lines = ["# Sampler benchmark", "",
             f"Median regret over {seeds} seeds (same seeds for every engine); ratio = autopipe TPE / Optuna TPE "
             "(multivariate=True, group=True). Generated by `benchmarks/sampler.py`.", ""]
    for cp in CHECKPOINTS:
        lines += [f"## Quality after {cp} trials", "",
                  "| function | " + " | ".join(engines) + " | ratio TPE | target met |",
                  "|---" * (len(engines) + 3) + "|"]
        for name in names:
            med, count = {}, {}
            for e in engines:
                vals = [r[f"regret_{cp}"] for r in qual if r["engine"] == e and r["func"] == name]
                med[e], count[e] = (float(np.median(vals)) if vals else None), len(vals)
            a, b = med.get("autopipe-tpe"), med.get("optuna-tpe")
            met = "–"
            if a is not None and b is not None:
                ok = a <= b and (name not in TARGET_2X or a <= b / 2 or a == 0)
                met = "yes" if ok else "no"
            cells = [_fmt(med[e]) + ("" if count[e] in (0, seeds) else f" (n={count[e]})") for e in engines]
            lines.append(f"| {name} | " + " | ".join(cells) + f" | {_ratio(a, b)} | {met} |")
        lines.append("")
    over = [r for r in rows if r["kind"] == "overhead"]
    if over:
        hist = sorted({r["history"] for r in over})
        lines += ["## Overhead: ms per trial after a history of n trials (10 parameters)", "",
                  "Mean over 50 trials; wall clock, and in brackets the process CPU time (less sensitive to "
                  "other jobs on a shared machine).", "",
                  "| engine | " + " | ".join(f"n = {h:,}" for h in hist) + " | growth (wall) |",
                  "|---" * (len(hist) + 2) + "|"]
        for e in dict.fromkeys(r["engine"] for r in over):
            got = {r["history"]: r for r in over if r["engine"] == e}
            cells = [f"{got[h]['ms_per_trial']:.2f} ({got[h].get('cpu_ms_per_trial', float('nan')):.2f})" if h in got
                     else "–" for h in hist]
            growth = (f"{got[hist[-1]]['ms_per_trial'] / got[hist[0]]['ms_per_trial']:.1f}x"
                      if hist[0] in got and hist[-1] in got else "–")
            lines.append(f"| {e} | " + " | ".join(cells) + f" | {growth} |")
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--engines", default=",".join(ENGINES))
    ap.add_argument("--funcs", default="", help="comma-separated subset of the objectives")
    ap.add_argument("--histories", default="100,1000,10000")
    ap.add_argument("--peer-max-history", type=int, default=1000,
                    help="longest overhead history for optuna engines (their cost grows with n)")
    ap.add_argument("--no-overhead", action="store_true")
    ap.add_argument("--no-quality", action="store_true")
    ap.add_argument("--processes", type=int, default=2)
    ap.add_argument("--out", default=str(REPORTS / "sampler"))
    ap.add_argument("--append", action="store_true",
                    help="resume: keep the rows already in the .jsonl and skip their jobs")
    ap.add_argument("--redo", default="", help="with --append: engines whose rows are dropped and rerun")
    a = ap.parse_args(argv)
    engines = [e for e in a.engines.split(",") if e]
    if not optuna_available():
        engines = [e for e in engines if not e.startswith("optuna")]
    names = [n for n in funcs() if not a.funcs or n in a.funcs.split(",")]
    # seed-major order: a run cut short still has a few seeds of every function and engine
    jobs = [] if a.no_quality else [(e, n, s, max(CHECKPOINTS)) for s in range(a.seeds) for n in names for e in engines]
    over = [] if a.no_overhead else [(e, h, 10) for e in engines if e.endswith("tpe")
                                     for h in map(int, a.histories.split(","))
                                     if not e.startswith("optuna") or h <= a.peer_max_history]
    out = Path(a.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    rows = []
    if a.append and out.with_suffix(".jsonl").exists():
        redo = set(a.redo.split(","))
        rows = [r for r in map(json.loads, out.with_suffix(".jsonl").read_text().splitlines())
                if r["kind"] != "error" and r["engine"] not in redo]
        done = {(r["engine"], r.get("func"), r.get("seed"), r.get("history")) for r in rows}
        jobs = [j for j in jobs if (j[0], j[1], j[2], None) not in done]
        over = [j for j in over if (j[0], None, None, j[1]) not in done]
    with Pool(a.processes) as pool, open(out.with_suffix(".jsonl"), "w") as raw:
        for row in rows:
            raw.write(json.dumps(row) + "\n")
        for result in pool.imap_unordered(_dispatch, over + jobs):
            rows.append(result)
            raw.write(json.dumps(result) + "\n")
            raw.flush()
    md = out.with_suffix(".md")
    notes = md.read_text().partition(NOTES_MARKER)[2] if md.exists() else ""
    md.write_text(render(rows, a.seeds) + ("\n" + NOTES_MARKER + notes if notes else ""))
    print(render(rows, a.seeds))
    return 0


def _dispatch(job: tuple) -> dict:
    run = overhead_job if len(job) == 3 else quality_job
    try:
        return run(job)
    except Exception as exc:  # noqa: BLE001 - one broken job must not lose an hour of results
        try:
            return run(job)
        except Exception:  # noqa: BLE001
            return {"kind": "error", "job": list(job), "error": repr(exc)}


if __name__ == "__main__":
    raise SystemExit(main())

"""One AutoML run: schema, metric, folds and study set up once, the search, the refit.

The estimators in ``api`` and the CLI both call ``run_search``; it owns the order of
things (checks before any training, known-good configurations before the sampler,
the best COMPLETE trial refit on all rows) so neither caller repeats it.
"""

from __future__ import annotations

import threading
import time
import warnings
from collections import Counter
from dataclasses import dataclass, field, fields
from typing import Any, Callable

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from autopipe.evaluate import CostModel, FoldCache, cross_validate, make_folds, make_screens
from autopipe.exceptions import AutopipeError, DataError
from autopipe.metrics import Metric, resolve_metric
from autopipe.schema import Schema, check_target, infer_schema, infer_task
from autopipe.search import (
    BasePruner,
    FixedTrial,
    MedianPruner,
    NopPruner,
    PairedFoldPruner,
    RacingPruner,
    Study,
    SuccessiveHalvingPruner,
    TPESampler,
    TrialState,
    create_study,
)
from autopipe.space import default_configs, selected_features, suggest_pipeline

STUDY_NAME = "autopipe"
# reports/pruning.md: racing saves about half of the fold fits with no median loss of
# hold-out score; successive halving, the previous default, saves about 40 %
DEFAULT_PRUNER = "racing"
# cv_repeats="auto" repeats the K folds on reshuffled rows for tables this small, where fits
# are cheap and one K-fold estimate is noisy. Not the default: at 60 s on four small tables
# x 3 seeds it won 7 of 12 pairs against one draw, no clear gain (reports/cv_repeats.md)
SMALL_TABLE_ROWS = 1000
SMALL_TABLE_REPEATS = 3
ENSEMBLE_SLACK = 0.05  # of the budget: how far past it picking the ensemble and its extra refits may run
SELECTION_ROWS = 10_000


def _pruner_factories() -> dict:
    return {
        "none": NopPruner,
        "median": lambda: MedianPruner(n_startup_trials=5, n_warmup_steps=1),
        "paired": lambda: PairedFoldPruner(alpha=0.1, min_steps=2),
        "halving": lambda: SuccessiveHalvingPruner(min_resource=1, reduction_factor=2),
        "racing": RacingPruner,
    }


PRUNERS = ("auto", "none", "median", "paired", "halving", "racing")


def make_pruner(name):
    """Pruner by name ("auto" is the default chosen by benchmarks/pruning.py, see
    reports/pruning.md), or a pruner object used as it is."""
    if isinstance(name, BasePruner):
        return name
    return _pruner_factories()[DEFAULT_PRUNER if name == "auto" else name]()


@dataclass
class SearchSettings:
    time_budget: float | None
    n_trials: int | None
    metric: str | None
    cv: int
    n_jobs: int
    seed: int
    column_kinds: dict | None = None
    storage: Any = None
    study_name: str | None = None
    pruner: Any = "auto"  # a name of PRUNERS or a BasePruner
    cv_repeats: int | str = 1
    ensemble: bool = True
    refit: bool = True  # False: run trials only (a worker joining a shared study; its starter refits)
    verbose: int = 0
    dask_client: Any = None
    study_attrs: dict = field(default_factory=dict)
    callbacks: list[Callable] = field(default_factory=list)

    def to_dict(self) -> dict:
        out = {f.name: getattr(self, f.name) for f in fields(self) if f.name not in ("callbacks", "dask_client")}
        out["dask"] = None if self.dask_client is None else str(getattr(self.dask_client.scheduler, "address", ""))
        out["storage"] = self.storage if isinstance(self.storage, (str, type(None))) else type(self.storage).__name__
        out["sampler"] = "TPESampler"
        out["pruner"] = type(make_pruner(self.pruner)).__name__
        return out


@dataclass
class SearchResult:
    schema: Schema
    metric: Metric
    study: Study
    pipeline: Any
    cv_score: float
    elapsed_s: float
    oof: dict | None = None
    ensemble: tuple | None = None
    timings: dict | None = None


class OutOfFold:
    """Out-of-fold predictions of the best few complete trials of this run (in memory).

    Probabilities for classification, values for regression; what the report's
    diagnostics (confusion matrix, ROC, residuals) and ensembling are built from. Besides
    the ``keep`` best trials overall, the best trial of each family is kept: the top of a
    search is often one family in many near-identical variants, and an ensemble gains
    from members that err differently.
    """

    def __init__(self, n_rows: int, metric: Metric, keep: int = 10, folds_per_repeat: int | None = None) -> None:
        self.n_rows = n_rows
        self.metric = metric
        self.folds_per_repeat = folds_per_repeat
        self.limit = keep
        self.kept: dict[int, tuple[float, np.ndarray, str | None]] = {}
        self._lock = threading.Lock()

    def new(self) -> np.ndarray:
        regression = self.metric.task == "regression"
        return np.full((self.n_rows,) if regression else (self.n_rows, self.metric.n_classes), np.nan)

    def fill(self, holder: np.ndarray, fold) -> None:
        """Add one fitted fold's validation predictions (an evaluate.FittedFold) to ``holder``:
        with repeated folds each row is predicted once per repeat, and holds their mean."""
        if fold.predictions is None:
            return
        repeat = 0 if not self.folds_per_repeat else fold.index // self.folds_per_repeat
        if repeat == 0:
            holder[fold.valid] = fold.predictions
        else:
            holder[fold.valid] = (holder[fold.valid] * repeat + fold.predictions) / (repeat + 1)

    def keep(self, number: int, value: float, predictions: np.ndarray, family: str | None = None) -> None:
        sign = 1.0 if self.metric.direction == "maximize" else -1.0
        with self._lock:
            self.kept[number] = (sign * value, predictions, family)
            ranked = sorted(self.kept, key=lambda k: self.kept[k][0], reverse=True)
            retain = set(ranked[: self.limit])
            best_of_family: dict[str | None, int] = {}
            for k in ranked:
                best_of_family.setdefault(self.kept[k][2], k)
            retain.update(best_of_family.values())
            for k in ranked:
                if k not in retain:
                    del self.kept[k]

    def predictions(self) -> dict[int, np.ndarray]:
        with self._lock:
            return {k: v for k, (_, v, _) in self.kept.items()}

    def get(self, number: int):
        entry = self.kept.get(number)
        return None if entry is None else entry[1]


def resolve_task(y: pd.Series, task_kind: str) -> str:
    """'classification' becomes binary or multiclass by the number of classes."""
    if task_kind == "regression":
        if y.dtype.kind not in "iufb" and not pd.api.types.is_numeric_dtype(y):
            raise DataError(f"Unknown label type for regression: AutoRegressor needs a numeric target; "
                            f"{y.name!r} has dtype {y.dtype}. Use AutoClassifier for labels.")
        return "regression"
    if task_kind == "classification":
        from sklearn.utils.multiclass import type_of_target

        kind = type_of_target(y.to_numpy() if y.dtype.kind in "iufb" else y.astype(object).to_numpy())
        if kind in ("continuous", "continuous-multioutput", "unknown"):
            raise DataError(f"Unknown label type: {kind}. AutoClassifier needs class labels; the target "
                            f"{y.name!r} looks {kind}. Use AutoRegressor for a numeric target.")
        return "binary" if y.nunique(dropna=True) == 2 else "multiclass"
    return infer_task(y)


def encode_labels(y: pd.Series, schema: Schema) -> np.ndarray:
    if schema.task == "regression":
        return y.astype(float).to_numpy()
    lookup = {c: i for i, c in enumerate(schema.classes)}
    return np.array([lookup[_scalar(v)] for v in y], dtype=int)


def _scalar(v):
    return v.item() if hasattr(v, "item") else v


def effective_repeats(setting: int | str, n_rows: int) -> int:
    """How many times the K folds are drawn: ``"auto"`` repeats them on small tables only."""
    if setting == "auto":
        return SMALL_TABLE_REPEATS if n_rows < SMALL_TABLE_ROWS else 1
    return int(setting)


def effective_folds(y: pd.Series, task: str, cv: int) -> int:
    """Fewer folds only when there are fewer rows (or, for classification, fewer rows in
    the largest class) than folds; classes with 2+ rows are in every training fold."""
    limit = len(y) if task == "regression" else int(y.value_counts().max())
    if limit < cv:
        warnings.warn(f"Only {limit} rows {'' if task == 'regression' else 'in the largest class '}"
                      f"for cv={cv}: using {limit} folds.", UserWarning, stacklevel=4)
        return max(2, limit)
    return cv


def run_search(X: pd.DataFrame, y: pd.Series, *, task_kind: str, settings: SearchSettings) -> SearchResult:
    """Search and refit with native thread pools held at one thread per trial: OpenMP
    pools (HistGradientBoosting, LightGBM) that spin on busy cores slow fits ~100x."""
    with threadpool_limits(limits=1):
        return _run_search(X, y, task_kind=task_kind, settings=settings)


def _run_search(X: pd.DataFrame, y: pd.Series, *, task_kind: str, settings: SearchSettings) -> SearchResult:
    started = time.monotonic()
    if len(y) < 2:
        raise DataError(f"Found {len(y)} sample(s) with a target: at least 2 are needed to cross-validate.")
    deadline = None if settings.time_budget is None else started + float(settings.time_budget)
    task = resolve_task(y, task_kind)
    check_target(y, task, min(settings.cv, 2))
    schema = infer_schema(X, y, task=task, column_kinds=settings.column_kinds)
    X_used = X[schema.features]
    y_enc = encode_labels(y, schema)
    metric = resolve_metric(settings.metric, task, schema.n_classes)
    study = _open_study(settings, metric, schema)
    seed = int(study.user_attrs.get("seed", settings.seed))
    k = effective_folds(y, task, settings.cv)
    # a resumed study keeps its folds: its stored setting wins (studies from before repeats had one draw)
    repeats = effective_repeats(study.user_attrs.get("cv_repeats", 1), len(y_enc))
    folds = make_folds(y_enc, task, k, seed, repeats=repeats)

    oof = OutOfFold(len(y_enc), metric, folds_per_repeat=k)
    cache, costs = FoldCache(), CostModel()
    screens = make_screens(folds, len(y_enc), seed)
    wall_deadline = None if deadline is None else time.time() + (deadline - time.monotonic())

    def objective(trial) -> float:
        pipeline = suggest_pipeline(trial, schema, random_state=seed)
        trial.set_user_attr("family", trial.params["family"])
        predictions = oof.new()

        def record(fold):
            if fold.index == 0:
                trial.set_user_attr("selected_features", selected_features(fold, schema))
            oof.fill(predictions, fold)

        # trials may run in other processes or hosts (n_jobs, Dask): a wall-clock deadline travels
        here = None if wall_deadline is None else time.monotonic() + (wall_deadline - time.time())
        value = cross_validate(trial, pipeline, X_used, y_enc, folds, metric, deadline=here,
                               on_fold_fitted=record, cache=cache, costs=costs, family=trial.params["family"],
                               screens=screens)
        oof.keep(trial.number, value, predictions, trial.params["family"])
        return value

    timeout = None if deadline is None else max(0.0, deadline - time.monotonic())
    study.optimize(objective, n_trials=settings.n_trials, timeout=timeout, n_jobs=settings.n_jobs,
                   catch=(Exception,), callbacks=settings.callbacks, dask_client=settings.dask_client)
    searched = time.monotonic()
    if not settings.refit:
        complete = study.get_trials((TrialState.COMPLETE,))
        return SearchResult(schema, metric, study, None, float(study.best_value) if complete else float("nan"),
                            searched - started, timings={"search_s": round(searched - started, 2)})
    best = _best_complete(study)
    pipeline = suggest_pipeline(FixedTrial(best.params), schema, random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            pipeline.fit(X_used, y_enc)
        except Exception as exc:  # noqa: BLE001 - a library error becomes one AutopipeError
            raise AutopipeError(f"Refitting the best pipeline (trial {best.number}, {best.params.get('family')}) "
                                f"on all {len(y_enc)} rows failed: {type(exc).__name__}: {exc}") from exc
    refitted = time.monotonic()
    ensemble = None
    if settings.ensemble:
        allowance = None if deadline is None else deadline + ENSEMBLE_SLACK * float(settings.time_budget) - refitted
        ensemble = _maybe_ensemble(study, best, oof, schema, X_used, y_enc, metric, seed, folds, k, allowance,
                                   best_pipeline=pipeline, best_refit_s=refitted - searched)
    oof_best = _oof_of(best, oof, settings, schema, X_used, y_enc, folds, metric, seed)
    timings = {"search_s": round(searched - started, 2), "refit_s": round(refitted - searched, 2),
               "ensemble_s": round(time.monotonic() - refitted, 2)}
    return SearchResult(schema, metric, study, pipeline, float(best.value), time.monotonic() - started,
                        oof={"y": y_enc, "pred": oof_best, "trial": best.number}, ensemble=ensemble, timings=timings)


def _maybe_ensemble(study, best, oof: "OutOfFold", schema, X_used, y_enc, metric, seed, folds, folds_per_repeat: int,
                    allowance: float | None = None, best_pipeline=None, best_refit_s: float = 0.0):
    """A weighted ensemble of the best trials when their out-of-fold blend beats the best
    single trial's out-of-fold score, and picking blends beats picking one trial on folds
    the picking did not see (ensemble.cross_validated_gain); otherwise None. Returns
    (estimator, facts).

    The members' refits are extra work after the budget: with ``allowance`` seconds left
    (budget plus slack, after the best trial's refit) the ensemble is built only when the
    members' refits, estimated from their cross-validation time, fit in it."""
    from autopipe.ensemble import (
        WeightedEnsembleClassifier,
        WeightedEnsembleRegressor,
        blended_score,
        cross_validated_gain,
        greedy_selection,
    )

    predictions = {k: p for k, p in oof.predictions().items() if p is not None and not np.isnan(p).any()}
    if best.number not in predictions or len(predictions) < 2:
        return None
    stop = None if allowance is None else time.monotonic() + allowance
    fold_of = np.full(len(y_enc), -1)
    for i, (_, valid) in enumerate(folds[:folds_per_repeat]):  # one repeat: a partition of the rows
        fold_of[valid] = i
    picked, y_pick = predictions, y_enc
    rows = _selection_rows(y_enc, schema.task, seed)
    if rows is not None:
        picked, y_pick, fold_of = {k: p[rows] for k, p in predictions.items()}, y_enc[rows], fold_of[rows]
    counts = greedy_selection(picked, y_pick, metric, deadline=stop)
    if counts is None or len(counts) < 2:
        return None
    single = blended_score(predictions, {best.number: 1}, y_enc, metric)  # reported: on all rows
    blend = blended_score(predictions, counts, y_enc, metric)
    if not metric.is_better(blend, single):
        return None
    validation = [np.flatnonzero(fold_of == i) for i in range(folds_per_repeat)]
    gain = cross_validated_gain(picked, y_pick, metric, validation, deadline=stop)
    if gain is None or not gain > 0:
        return None
    by_number = {t.number: t for t in study.trials}
    if stop is not None:
        allowance = stop - time.monotonic()
        # a refit on all rows costs about one fold fit scaled by n / n_train = k / (k - 1); fold
        # times leave out the preprocessing that the fold cache reused, so the best pipeline's
        # measured refit (preprocessing included) is the floor of each member's estimate
        per_refit = folds_per_repeat / max(folds_per_repeat - 1, 1) / len(folds)
        extra = sum(max(by_number[k].user_attrs.get("duration_s", 0.0) * per_refit, best_refit_s)
                    for k in counts if k != best.number)
        if extra > allowance:
            return None
    members = [suggest_pipeline(FixedTrial(by_number[k].params), schema, random_state=seed) for k in counts]
    cls = WeightedEnsembleRegressor if schema.task == "regression" else WeightedEnsembleClassifier
    model = cls(members, [float(c) for c in counts.values()])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # the best pipeline is already refit on all rows: only the other members are fitted
        reuse = {list(counts).index(best.number): best_pipeline} if best.number in counts else {}
        model.fit_reusing(X_used, y_enc, reuse)
    facts = {"members": {int(k): int(c) for k, c in counts.items()}, "oof_score": float(blend),
             "best_single_oof_score": float(single), "cross_validated_gain": gain}
    return model, facts


def _selection_rows(y: np.ndarray, task: str, seed: int) -> np.ndarray | None:
    """On large tables the blend is picked on a seeded sample of SELECTION_ROWS rows
    (stratified by class where every class has two rows): the greedy search scores every
    candidate in every round, and picking it on all of adult's 24,000 rows took 4 s after
    a 60 s budget; 10,000 rows estimate a metric to well under the differences between
    blends."""
    if len(y) <= SELECTION_ROWS:
        return None
    from sklearn.model_selection import train_test_split

    everything = np.arange(len(y))
    try:
        rows, _ = train_test_split(everything, train_size=SELECTION_ROWS, random_state=seed,
                                   stratify=None if task == "regression" else y)
    except ValueError:  # a class with a single row cannot be stratified
        rows, _ = train_test_split(everything, train_size=SELECTION_ROWS, random_state=seed)
    return np.sort(rows)


def _oof_of(best, oof: OutOfFold, settings: SearchSettings, schema, X_used, y_enc, folds, metric, seed):
    """The best trial's out-of-fold predictions; re-computed once (same folds and seed)
    when trials ran in other processes (n_jobs with a database storage, or Dask)."""
    kept = oof.get(best.number)
    if kept is not None or (settings.n_jobs == 1 and settings.dask_client is None):
        return kept
    trial = FixedTrial(best.params, number=best.number)
    predictions = oof.new()
    try:
        cross_validate(trial, suggest_pipeline(trial, schema, random_state=seed), X_used, y_enc, folds, metric,
                       on_fold_fitted=lambda fold: oof.fill(predictions, fold))
    except Exception:  # noqa: BLE001 - diagnostics are optional; the search result stands
        return None
    return predictions


def _open_study(settings: SearchSettings, metric: Metric, schema: Schema) -> Study:
    study = create_study(direction=metric.direction, sampler=TPESampler(seed=settings.seed),
                         pruner=make_pruner(settings.pruner),
                         storage=settings.storage, study_name=settings.study_name or STUDY_NAME,
                         load_if_exists=True)
    if not study.trials:
        study.set_user_attr("seed", settings.seed)
        study.set_user_attr("cv", settings.cv)
        study.set_user_attr("cv_repeats", settings.cv_repeats)
        study.set_user_attr("metric", metric.name)
        study.set_user_attr("task", schema.task)
        for params in default_configs(schema):
            study.enqueue_trial(params, user_attrs={"source": "default"})
    elif study.user_attrs.get("metric", metric.name) != metric.name:
        raise AutopipeError(f"The stored study optimises {study.user_attrs['metric']}, not {metric.name}: "
                            "use the same metric to resume, or another study name.")
    recorded = study.user_attrs
    for key, value in settings.study_attrs.items():  # e.g. the CLI's data path, for workers and resume
        if key not in recorded:
            study.set_user_attr(key, value)
    return study


def _best_complete(study: Study):
    complete = study.get_trials((TrialState.COMPLETE,))
    if complete:
        return study.best_trial
    failed = study.get_trials((TrialState.FAIL,))
    if failed:
        reasons = Counter(t.system_attrs.get("fail_reason", "unknown error") for t in failed)
        reason, count = reasons.most_common(1)[0]
        raise AutopipeError(f"No pipeline finished: {len(failed)} trial(s) failed; the most common error "
                            f"({count}x) was: {reason}")
    raise AutopipeError("No pipeline finished cross-validation within the time budget: raise time_budget "
                        "(or n_trials).")

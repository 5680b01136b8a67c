"""The public estimators and the one-call ``fit``.

``AutoClassifier`` / ``AutoRegressor`` are scikit-learn estimators: ``__init__`` only
stores its arguments, ``fit`` checks them, runs the search and refits the best complete
pipeline on all rows. This is the only module that maps scikit-learn names (``scoring``,
``random_state``) to search names (metric, seed).
"""

from __future__ import annotations

import warnings
from numbers import Integral, Real

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.utils.validation import check_is_fitted

from autopipe import frames
from autopipe.exceptions import AutopipeError, DataError, ParameterError
from autopipe.runner import PRUNERS, SearchSettings, run_search
from autopipe.search import BasePruner


class _AutoBase(BaseEstimator):
    _task_kind = ""

    def __init__(self, time_budget=60.0, n_trials=None, scoring=None, cv=5, n_jobs=1, random_state=None,
                 column_kinds=None, storage=None, study_name=None, pruner="auto", ensemble=True, verbose=0,
                 cv_repeats=1):
        self.time_budget = time_budget
        self.n_trials = n_trials
        self.scoring = scoring
        self.cv = cv
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.column_kinds = column_kinds
        self.storage = storage
        self.study_name = study_name
        self.pruner = pruner
        self.ensemble = ensemble
        self.verbose = verbose
        self.cv_repeats = cv_repeats

    # -- fitting -------------------------------------------------------------------------
    def fit(self, X, y):
        settings = self._settings()
        X = frames.to_frame(X, reset_names=True)
        y = frames.to_target(y, X)
        self._set_input_attrs(X)
        X, y, n_dropped = frames.drop_missing_target(X, y)
        if n_dropped and self.verbose >= 0:
            warnings.warn(f"Dropped {n_dropped} rows whose target is missing.", UserWarning, stacklevel=2)
        dropped_classes = {}
        if self._task_kind == "classification":
            X, y, dropped_classes = frames.drop_singleton_classes(X, y)
        result = run_search(X, y, task_kind=self._task_kind, settings=settings)
        self.schema_ = result.schema
        self.metric_ = result.metric
        self.study_ = result.study
        if result.pipeline is None:  # trials only (refit=False): nothing to predict with
            self.cv_score_ = result.cv_score
            return self
        self.best_pipeline_ = result.pipeline
        self.cv_score_ = result.cv_score
        self.best_params_ = dict(result.study.best_params)
        self.fit_time_ = result.elapsed_s
        self.oof_ = result.oof
        self.ensemble_, ensemble_facts = result.ensemble if result.ensemble is not None else (None, None)
        self.settings_ = {**settings.to_dict(), "n_dropped_target_rows": n_dropped,
                          "dropped_classes": dropped_classes, "ensemble_used": ensemble_facts,
                          "timings": result.timings}
        if self.schema_.task != "regression":
            self.classes_ = np.asarray(self.schema_.classes)
        return self

    def _settings(self) -> SearchSettings:
        name = type(self).__name__
        if self.time_budget is not None and (not isinstance(self.time_budget, Real) or self.time_budget <= 0):
            raise ParameterError(f"The 'time_budget' parameter of {name} must be a number > 0 (seconds) or None. "
                                 f"Got {self.time_budget!r} instead.")
        if self.n_trials is not None and (not isinstance(self.n_trials, Integral) or self.n_trials < 1):
            raise ParameterError(f"The 'n_trials' parameter of {name} must be an int >= 1 or None. "
                                 f"Got {self.n_trials!r} instead.")
        if self.time_budget is None and self.n_trials is None:
            raise ParameterError(f"{name} needs a 'time_budget' or 'n_trials' to know when to stop. Got neither.")
        if not isinstance(self.cv, Integral) or isinstance(self.cv, bool) or self.cv < 2:
            raise ParameterError(f"The 'cv' parameter of {name} must be an int >= 2. Got {self.cv!r} instead.")
        if self.cv_repeats != "auto" and (not isinstance(self.cv_repeats, Integral) or isinstance(self.cv_repeats, bool)
                                          or self.cv_repeats < 1):
            raise ParameterError(f"The 'cv_repeats' parameter of {name} must be 'auto' or an int >= 1. "
                                 f"Got {self.cv_repeats!r} instead.")
        if not isinstance(self.n_jobs, Integral) or (self.n_jobs < 1 and self.n_jobs != -1):
            raise ParameterError(f"The 'n_jobs' parameter of {name} must be an int >= 1 or -1. "
                                 f"Got {self.n_jobs!r} instead.")
        if self.random_state is not None and not isinstance(self.random_state, Integral):
            raise ParameterError(f"The 'random_state' parameter of {name} must be an int or None. "
                                 f"Got {self.random_state!r} instead.")
        if not isinstance(self.pruner, BasePruner) and self.pruner not in PRUNERS:
            raise ParameterError(f"The 'pruner' parameter of {name} must be one of {sorted(PRUNERS)} or a "
                                 f"pruner object (autopipe.search.BasePruner). Got {self.pruner!r} instead.")
        seed = int(np.random.SeedSequence().entropy % (2**31)) if self.random_state is None else int(self.random_state)
        return SearchSettings(time_budget=self.time_budget, n_trials=self.n_trials, metric=self.scoring,
                              cv=int(self.cv), n_jobs=int(self.n_jobs), seed=seed,
                              cv_repeats=self.cv_repeats if self.cv_repeats == "auto" else int(self.cv_repeats),
                              column_kinds=self.column_kinds, storage=self.storage, study_name=self.study_name,
                              pruner=self.pruner, ensemble=bool(self.ensemble), refit=getattr(self, "_refit", True),
                              verbose=int(self.verbose), callbacks=list(getattr(self, "_callbacks", [])),
                              dask_client=getattr(self, "_dask_client", None),
                              study_attrs=dict(getattr(self, "_study_attrs", {})))

    def _set_input_attrs(self, X: pd.DataFrame) -> None:
        self.n_features_in_ = X.shape[1]
        if frames.is_named(X):
            self.feature_names_in_ = np.asarray(X.columns, dtype=object)
        elif hasattr(self, "feature_names_in_"):
            del self.feature_names_in_

    # -- predicting ------------------------------------------------------------------------
    def _features(self, X) -> pd.DataFrame:
        check_is_fitted(self, "best_pipeline_")
        return frames.align_for_predict(X, self.schema_, self.n_features_in_,
                                        getattr(self, "feature_names_in_", None), type(self).__name__,
                                        pipeline=self.best_pipeline_)

    @property
    def final_model_(self):
        """What predicts: the weighted ensemble of the best trials when one was chosen,
        otherwise the best pipeline."""
        ensemble = getattr(self, "ensemble_", None)
        return self.best_pipeline_ if ensemble is None else ensemble

    # -- conveniences ---------------------------------------------------------------------
    def leaderboard(self) -> pd.DataFrame:
        from autopipe.report import leaderboard

        check_is_fitted(self, "study_")
        return leaderboard(self.study_.trials, str(self.study_.direction))

    def save(self, path, *, overwrite: bool = True):
        from autopipe.artifact import save

        return save(self, path, overwrite=overwrite)

    def report(self, path=None):
        """Write the HTML report (to ``path``, or return the HTML text when None)."""
        from autopipe.artifact import summary_of
        from autopipe.report import render_report, write_report

        summary = summary_of(self)
        return render_report(summary) if path is None else write_report(summary, path)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.string = True
        tags.input_tags.categorical = True
        tags.non_deterministic = self.random_state is None
        return tags


class AutoClassifier(ClassifierMixin, _AutoBase):
    """Searches classification pipelines; labels may be of any type."""

    _task_kind = "classification"

    def predict(self, X):
        features = self._features(X)
        codes = self.final_model_.predict(features)
        return self.classes_[np.asarray(codes, dtype=int)]

    def predict_proba(self, X):
        features = self._features(X)
        proba = self.final_model_.predict_proba(features)
        return frames.full_proba(proba, self.final_model_, len(self.classes_))


class AutoRegressor(RegressorMixin, _AutoBase):
    """Searches regression pipelines."""

    _task_kind = "regression"

    def predict(self, X):
        features = self._features(X)
        return np.asarray(self.final_model_.predict(features), dtype=float)


def fit(data: pd.DataFrame, target: str, *, time_budget: float | None = 60.0, n_trials: int | None = None,
        metric: str | None = None, cv: int = 5, cv_repeats: int | str = 1, seed: int | None = 0,
        task: str | None = None, n_jobs: int = 1,
        column_kinds: dict | None = None, storage: str | None = None, study_name: str | None = None,
        verbose: int = 0, callbacks: list | None = None, dask_client=None,
        study_attrs: dict | None = None, refit: bool = True) -> _AutoBase:
    """Search pipelines for predicting column ``target`` of ``data``; return the fitted model.

    ``storage``/``study_name`` name a study to create or resume (a database URL such as
    ``sqlite:///runs/x/study.db`` or ``postgresql://...``); with one, ``n_jobs=k`` runs
    trials in k processes. ``dask_client`` (a ``distributed.Client``) runs trials on a
    Dask cluster. ``study_attrs`` are recorded with a new study (the CLI records the
    data path there, so ``autopipe worker`` and ``autopipe resume`` can find it).
    ``refit=False`` only runs trials, for a worker joining a shared study whose starter
    refits and saves the best pipeline: the model returned has ``study_`` and
    ``cv_score_`` but cannot predict.
    """
    if not isinstance(data, pd.DataFrame):
        raise ParameterError(f"autopipe.fit expects a pandas DataFrame. Got {type(data).__name__} instead.")
    if target not in data.columns:
        raise ParameterError(f"Target column {target!r} is not in the table. Columns: {_preview(data.columns)}.")
    X = data.drop(columns=[target])
    y = data[target]
    if task is None:
        from autopipe.schema import infer_task, target_missing_mask

        task = infer_task(y[~target_missing_mask(y)])
    if task not in ("binary", "multiclass", "regression", "classification"):
        raise ParameterError(f"'task' must be 'binary', 'multiclass', 'regression' or None. Got {task!r} instead.")
    cls = AutoRegressor if task == "regression" else AutoClassifier
    model = cls(time_budget=time_budget, n_trials=n_trials, scoring=metric, cv=cv, cv_repeats=cv_repeats, n_jobs=n_jobs,
                random_state=seed, column_kinds=column_kinds, storage=storage, study_name=study_name,
                verbose=verbose)
    model._callbacks = list(callbacks or [])
    model._dask_client = dask_client
    model._study_attrs = {"target": target, **(study_attrs or {})}
    model._refit = bool(refit)
    return model.fit(X, y)


def _preview(columns, limit: int = 12) -> str:
    names = [str(c) for c in columns]
    return ", ".join(names[:limit]) + (f", ... ({len(names)} in all)" if len(names) > limit else "")


__all__ = ["AutoClassifier", "AutoRegressor", "AutopipeError", "DataError", "fit"]

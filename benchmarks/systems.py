"""One function per system compared in benchmarks/compare.py: fit on the training part
within a budget, return an object with predict / predict_proba / classes_ and a dict of
facts (trials, chosen model).

Peers (Optuna, FLAML, AutoGluon) are imported only when their system is asked for; they
live in a separate environment, never in the project's dependencies.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import loguniform, randint, uniform
from sklearn.compose import ColumnTransformer, make_column_selector
from sklearn.ensemble import (
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.experimental import enable_halving_search_cv  # noqa: F401 - enables HalvingRandomSearchCV
from sklearn.impute import SimpleImputer
from sklearn.model_selection import GridSearchCV, HalvingRandomSearchCV, RandomizedSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import LabelEncoder, OrdinalEncoder

SCORER = {"binary": "roc_auc", "multiclass": "neg_log_loss", "regression": "r2"}


class Decoded:
    """A model trained on encoded labels, answering with the original ones."""

    def __init__(self, model, encoder: LabelEncoder | None):
        self.model, self.encoder = model, encoder
        self.classes_ = None if encoder is None else encoder.classes_

    def predict(self, X):
        pred = self.model.predict(X)
        return pred if self.encoder is None else self.encoder.inverse_transform(np.asarray(pred, dtype=int))

    def predict_proba(self, X):
        return self.model.predict_proba(X)


def _tree_pipeline(model) -> Pipeline:
    """Ordinal-encoded categoricals and imputed numbers: the usual tree preprocessing."""
    categorical = Pipeline([("impute", SimpleImputer(strategy="most_frequent")),
                            ("encode", OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1))])
    pre = ColumnTransformer([("num", SimpleImputer(strategy="median"), make_column_selector(dtype_include="number")),
                             ("cat", categorical, make_column_selector(dtype_exclude="number"))])
    return Pipeline([("pre", pre), ("model", model)])


def _encode(task, y):
    if task == "regression":
        return None, np.asarray(y, dtype=float)
    enc = LabelEncoder().fit(y)
    return enc, enc.transform(y)


def _hgb(task):
    return (HistGradientBoostingRegressor if task == "regression" else HistGradientBoostingClassifier)(random_state=0)


def fit_autopipe(task, X, y, budget, seed, **options):
    from autopipe import AutoClassifier, AutoRegressor

    est = (AutoRegressor if task == "regression" else AutoClassifier)(
        time_budget=budget, scoring=SCORER[task], random_state=seed, **options)
    est.fit(X, y)
    trials = est.study_.trials
    best = est.study_.best_trial
    return est, {"trials": len(trials), "pruned": sum(t.state.name == "PRUNED" for t in trials),
                 "best": est.best_params_["family"], "ensemble": est.settings_["ensemble_used"] is not None,
                 "folds": len(best.user_attrs.get("fold_scores", [])), "cv_score": round(float(est.cv_score_), 5),
                 **est.settings_["timings"]}


def fit_autopipe_cv1(task, X, y, budget, seed):
    """autopipe with one K-fold draw on every table (no repeated folds on small ones)."""
    return fit_autopipe(task, X, y, budget, seed, cv_repeats=1)


def fit_rf(task, X, y, budget, seed):
    enc, y_enc = _encode(task, y)
    cls = RandomForestRegressor if task == "regression" else RandomForestClassifier
    pipe = _tree_pipeline(cls(n_estimators=500, n_jobs=1, random_state=seed)).fit(X, y_enc)
    return Decoded(pipe, enc), {"trials": 1, "best": "random_forest"}


def fit_grid(task, X, y, budget, seed):
    enc, y_enc = _encode(task, y)
    grid = {"model__learning_rate": [0.03, 0.1, 0.3], "model__max_leaf_nodes": [15, 31, 63],
            "model__l2_regularization": [0.0, 1.0]}
    search = GridSearchCV(_tree_pipeline(_hgb(task)), grid, scoring=SCORER[task], cv=5, n_jobs=1).fit(X, y_enc)
    return Decoded(search.best_estimator_, enc), {"trials": len(search.cv_results_["params"]), "best": "hist_gb"}


def _random_space(task):
    return {"model__learning_rate": loguniform(0.01, 0.3), "model__max_leaf_nodes": randint(4, 128),
            "model__l2_regularization": loguniform(1e-8, 10), "model__min_samples_leaf": randint(2, 100),
            "model__max_features": uniform(0.3, 0.7)}


def fit_skrandom(task, X, y, budget, seed):
    enc, y_enc = _encode(task, y)
    search = RandomizedSearchCV(_tree_pipeline(_hgb(task)), _random_space(task), n_iter=30, scoring=SCORER[task],
                                cv=5, n_jobs=1, random_state=seed).fit(X, y_enc)
    return Decoded(search.best_estimator_, enc), {"trials": 30, "best": "hist_gb"}


def fit_halving(task, X, y, budget, seed):
    enc, y_enc = _encode(task, y)
    search = HalvingRandomSearchCV(_tree_pipeline(_hgb(task)), _random_space(task), n_candidates=60, factor=3,
                                   scoring=SCORER[task], cv=5, n_jobs=1, random_state=seed).fit(X, y_enc)
    return Decoded(search.best_estimator_, enc), {"trials": len(search.cv_results_["params"]), "best": "hist_gb"}


def fit_optuna(task, X, y, budget, seed):
    """Optuna's TPE (multivariate, grouped) and median pruner on autopipe's own space and folds."""
    import optuna

    from autopipe.evaluate import cross_validate, make_folds
    from autopipe.exceptions import TrialPruned
    from autopipe.metrics import resolve_metric
    from autopipe.schema import infer_schema
    from autopipe.search import FixedTrial
    from autopipe.space import suggest_pipeline

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    enc, y_enc = _encode(task, y)
    schema = infer_schema(X, pd.Series(y, name="target"), task=task)
    metric = resolve_metric(SCORER[task], task, None if enc is None else len(enc.classes_))
    folds = make_folds(y_enc, task, 5, seed)
    Xu = X[schema.features]

    def objective(trial):
        try:
            return cross_validate(trial, suggest_pipeline(trial, schema, random_state=seed), Xu, y_enc, folds, metric)
        except TrialPruned:
            raise optuna.TrialPruned() from None

    study = optuna.create_study(direction=metric.direction,
                                sampler=optuna.samplers.TPESampler(seed=seed, multivariate=True, group=True),
                                pruner=optuna.pruners.MedianPruner(n_startup_trials=5, n_warmup_steps=1))
    study.optimize(objective, timeout=budget, catch=(Exception,))
    pipe = suggest_pipeline(FixedTrial(study.best_params), schema, random_state=seed).fit(Xu, y_enc)
    model = Decoded(_Columns(pipe, schema.features), enc)
    return model, {"trials": len(study.trials), "best": study.best_params["family"],
                   "pruned": sum(t.state == optuna.trial.TrialState.PRUNED for t in study.trials)}


class _Columns:
    """A pipeline fitted on the schema's columns, answering for whole frames (``classes`` in
    the order of its probability columns, when the caller scores it directly)."""

    def __init__(self, pipe, columns, classes=None):
        self.pipe, self.columns, self.classes_ = pipe, columns, classes

    def predict(self, X):
        return self.pipe.predict(X[self.columns])

    def predict_proba(self, X):
        return self.pipe.predict_proba(X[self.columns])


def fit_flaml(task, X, y, budget, seed):
    from flaml import AutoML

    automl = AutoML()
    metric = {"binary": "roc_auc", "multiclass": "log_loss", "regression": "r2"}[task]
    automl.fit(X, y, task="regression" if task == "regression" else "classification", metric=metric,
               time_budget=budget, seed=seed, verbose=0, n_jobs=1, eval_method="cv", n_splits=5)
    return automl, {"trials": None, "best": automl.best_estimator}


def fit_autogluon(task, X, y, budget, seed):
    import tempfile

    from autogluon.tabular import TabularPredictor

    metric = {"binary": "roc_auc", "multiclass": "log_loss", "regression": "r2"}[task]
    train = X.copy()
    train["__target__"] = np.asarray(y)
    predictor = TabularPredictor(label="__target__", eval_metric=metric, path=tempfile.mkdtemp(), verbosity=0,
                                 problem_type=task).fit(train, time_limit=budget, num_cpus=1)

    class _AG:
        classes_ = None if task == "regression" else np.asarray(predictor.class_labels)

        def predict(self, Xn):
            return predictor.predict(Xn).to_numpy()

        def predict_proba(self, Xn):
            return predictor.predict_proba(Xn, as_multiclass=True)[list(predictor.class_labels)].to_numpy()

    return _AG(), {"trials": len(predictor.leaderboard(silent=True)), "best": str(predictor.model_best)}


SYSTEMS = {"autopipe": fit_autopipe, "autopipe-cv1": fit_autopipe_cv1, "rf": fit_rf, "grid": fit_grid, "skrandom": fit_skrandom,
           "halving": fit_halving, "optuna-tpe": fit_optuna, "flaml": fit_flaml, "autogluon": fit_autogluon}

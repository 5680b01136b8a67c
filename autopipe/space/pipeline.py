"""The define-by-run search space: one trial -> one unfitted sklearn Pipeline.

Parameters: "family"; "selection" with conditional "selection.fraction" /
"selection.threshold"; and "<family>.<param>" for the chosen family only. The
Pipeline always has the steps ("preprocess", "select", "model").
"""

from __future__ import annotations

from sklearn.pipeline import Pipeline

from autopipe.exceptions import ParameterError
from autopipe.schema import Schema
from autopipe.space.models import MODULES, available_families
from autopipe.space.preprocessing import build_preprocessor
from autopipe.space.selection import suggest_selector


def suggest_pipeline(trial, schema: Schema, *, random_state=0, n_jobs=1) -> Pipeline:
    """Draw a family, a selection and hyperparameters from ``trial``; build the Pipeline."""
    families = available_families(schema.task, schema.n_rows)
    family = trial.suggest_categorical("family", families)
    if family not in MODULES:
        raise ParameterError(f"family must be one of {families}. Got {family!r} instead.")
    selector = suggest_selector(trial, schema.task, random_state=random_state, n_jobs=n_jobs)
    model = MODULES[family].suggest(
        trial, schema.task, n_rows=schema.n_rows, random_state=random_state, n_jobs=n_jobs
    )
    return Pipeline([
        ("preprocess", build_preprocessor(schema, family)),
        ("select", selector),
        ("model", model),
    ])


class _ReplayTrial:
    """Answers suggest_* from a params dict, clipped to the range; records what was asked.

    Used to turn partial known-good dicts into full, valid configs for one schema.
    """

    def __init__(self, params: dict):
        self._params = params
        self.asked: dict = {}

    def _numeric(self, name, low, high, cast):
        value = cast(min(max(self._params[name], low), high))
        self.asked[name] = value
        return value

    def suggest_float(self, name, low, high, *, log=False, step=None):
        return self._numeric(name, low, high, float)

    def suggest_int(self, name, low, high, *, log=False, step=1):
        return self._numeric(name, low, high, int)

    def suggest_categorical(self, name, choices):
        value = self._params[name]
        if value not in choices:
            raise KeyError(name)
        self.asked[name] = value
        return value

    def set_user_attr(self, key, value):
        pass


# Known-good configurations run cheapest family first, so a tight budget still sees
# several families before the sampler takes over.
CHEAP_FIRST = ["linear", "lightgbm", "hist_gb", "xgboost", "knn", "extra_trees", "random_forest"]


def default_configs(schema: Schema) -> list[dict]:
    """Known-good full param dicts valid for the schema's task and size, to seed a search."""
    configs = []
    families = available_families(schema.task, schema.n_rows)
    for family in sorted(families, key=lambda f: CHEAP_FIRST.index(f) if f in CHEAP_FIRST else len(CHEAP_FIRST)):
        for params in MODULES[family].DEFAULT_PARAMS:
            trial = _ReplayTrial({"family": family, "selection": "none", **params})
            suggest_pipeline(trial, schema)
            configs.append(trial.asked)
    return configs

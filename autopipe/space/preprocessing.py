"""Preprocessing by column kind, as a ColumnTransformer with a dense float output.

Linear and k-NN models get one-hot categories (rare levels pooled, a cap on levels)
and scaled numbers; tree and boosting models get ordinal codes and raw numbers. The
output is a plain numpy array, never a DataFrame, so LightGBM and XGBoost never see
the original column names (which may hold any character). Every output column has no
missing value, so univariate filters can score it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler

from autopipe.schema import BOOLEAN, CATEGORICAL, DATETIME, NUMERIC, Schema

SCALED_FAMILIES = ("linear", "knn")
MISSING = "__missing__"
MAX_ONEHOT_LEVELS = 30
MIN_LEVEL_FREQUENCY = 5
DATE_PARTS = ("year", "month", "day", "dayofweek", "hour")
_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no"}


class KindCoercer(TransformerMixin, BaseEstimator):
    """Turn raw columns of one kind into a uniform array (floats, or strings for categories).

    Exists because pandas columns arrive with many dtypes (nullable Int64, str,
    category, object with mixed values) and sklearn encoders want one.
    """

    def __init__(self, kind: str = NUMERIC):
        self.kind = kind

    def fit(self, X, y=None):
        frame = pd.DataFrame(X)
        self.n_features_in_ = frame.shape[1]
        self.feature_names_in_ = np.asarray([str(c) for c in frame.columns], dtype=object)
        return self

    def transform(self, X):
        frame = pd.DataFrame(X)
        cols = [frame.iloc[:, i] for i in range(frame.shape[1])]
        if self.kind == CATEGORICAL:
            return np.column_stack([_as_strings(c) for c in cols]).astype(object)
        if self.kind == DATETIME:
            return np.column_stack([_date_parts(c) for c in cols])
        convert = _as_bool_float if self.kind == BOOLEAN else _as_float
        return np.column_stack([convert(c) for c in cols])

    def get_feature_names_out(self, input_features=None):
        names = self.feature_names_in_ if input_features is None else input_features
        if self.kind == DATETIME:
            return np.asarray([f"{n}_{p}" for n in names for p in DATE_PARTS], dtype=object)
        return np.asarray(list(names), dtype=object)


def _as_float(s: pd.Series) -> np.ndarray:
    return pd.to_numeric(s, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _as_strings(s: pd.Series) -> np.ndarray:
    missing = np.array(pd.isna(s), dtype=bool)
    out = s.astype(object).map(str).to_numpy(dtype=object)
    out[missing] = MISSING
    return out


def _bool_value(v) -> float:
    if isinstance(v, str):
        low = v.strip().lower()
        return 1.0 if low in _TRUE else 0.0 if low in _FALSE else np.nan
    if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
        return np.nan
    return 1.0 if bool(v) else 0.0


def _as_bool_float(s: pd.Series) -> np.ndarray:
    return np.array([_bool_value(v) for v in s.astype(object)], dtype=float)


def _date_parts(s: pd.Series) -> np.ndarray:
    if not pd.api.types.is_datetime64_any_dtype(s):
        s = pd.to_datetime(s.astype(object), errors="coerce", format="mixed")
    dt = s.dt
    parts = [dt.year, dt.month, dt.day, dt.day_of_week, dt.hour]
    return np.column_stack([p.to_numpy(dtype=float, na_value=np.nan) for p in parts])


def _numeric_steps(kind: str, scaled: bool) -> list:
    steps = [KindCoercer(kind)]
    strategy = "most_frequent" if kind == BOOLEAN else "median"
    steps.append(SimpleImputer(strategy=strategy, add_indicator=True, keep_empty_features=True))
    if scaled:
        steps.append(StandardScaler())
    return steps


def _categorical_steps(scaled: bool) -> list:
    if scaled:
        encoder = OneHotEncoder(
            handle_unknown="infrequent_if_exist",
            min_frequency=MIN_LEVEL_FREQUENCY,
            max_categories=MAX_ONEHOT_LEVELS,
            sparse_output=False,
            dtype=np.float64,
        )
    else:
        encoder = OrdinalEncoder(
            handle_unknown="use_encoded_value", unknown_value=-1, dtype=np.float64
        )
    return [KindCoercer(CATEGORICAL), encoder]


def build_preprocessor(schema: Schema, family: str) -> ColumnTransformer:
    """A ColumnTransformer for the schema's used columns, suited to ``family``."""
    scaled = family in SCALED_FAMILIES
    transformers = []
    for kind in (NUMERIC, BOOLEAN, DATETIME):
        cols = schema.names_of(kind)
        if cols:
            transformers.append((kind, make_pipeline(*_numeric_steps(kind, scaled)), cols))
    cols = schema.names_of(CATEGORICAL)
    if cols:
        transformers.append((CATEGORICAL, make_pipeline(*_categorical_steps(scaled)), cols))
    return ColumnTransformer(transformers, remainder="drop", sparse_threshold=0.0)


def output_sources(preprocessor: ColumnTransformer) -> list[str]:
    """The source column name of each output column of a fitted preprocessor.

    Each sub-pipeline is asked for its output names given index tokens as input names;
    the token inside each output name tells which input it came from.
    """
    sources: list[str | None] = [None] * sum(
        s.stop - s.start for s in preprocessor.output_indices_.values()
    )
    for name, transformer, cols in preprocessor.transformers_:
        if name == "remainder" or transformer in ("drop", "passthrough"):
            continue
        tokens = [f"\x00{i}\x00" for i in range(len(cols))]
        out_names = transformer.get_feature_names_out(tokens)
        out_slice = preprocessor.output_indices_[name]
        for offset, out_name in enumerate(out_names):
            index = int(str(out_name).split("\x00")[1])
            sources[out_slice.start + offset] = cols[index]
    return sources

"""Preprocessing by column kind, as a ColumnTransformer with a dense float output.

Linear and k-NN models get one-hot categories (rare levels pooled, a cap on levels)
and scaled numbers; tree and boosting models get ordinal codes and raw numbers.
High-cardinality categoricals (``Column.high_cardinality``, decided in the schema from
the level count and a one-hot memory estimate) get a frequency column, a cross-fitted
target encoding, and a frequency-rank code for trees (``encoders.py``), never a one-hot. The
output is a plain numpy array, never a DataFrame, so LightGBM and XGBoost never see
the original column names (which may hold any character). Every output column has no
missing value, so univariate filters can score it.

Values: numbers stored as text are parsed ("1.5", "3,25"); text that is not a number,
and +-inf, are treated as missing (then imputed). A column gets a missing-indicator
column only when at least ``MIN_LEVEL_FREQUENCY`` training rows are missing there (and
as many are present): an indicator set on one or two rows is a perfect predictor of
their classes, which a model learns and then applies, confidently and wrongly, to a new
row missing the same values.
Categories are compared as strings, with integral floats written as integers, so a
level ``3`` reads the same whether its column arrived as int, float or text.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler

from autopipe.schema import BOOLEAN, CATEGORICAL, DATETIME, MAX_ONEHOT_LEVELS, NUMERIC, Schema, to_numbers
from autopipe.space.encoders import HighCardinalityEncoder

SCALED_FAMILIES = ("linear", "knn")
MISSING = "__missing__"
HIGH_CARDINALITY = "high_cardinality"
# High-cardinality columns also get a cross-fitted target encoding (the preprocessor is
# always fitted with the fold's training target, in evaluate.FoldCache and in the refit).
TARGET_ENCODING = True
MIN_LEVEL_FREQUENCY = 5
DATE_PARTS = ("year", "month", "day", "dayofweek", "hour")
_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no"}


class KindCoercer(TransformerMixin, BaseEstimator):
    """Turn raw columns of one kind into a uniform array (floats, or strings for categories).

    Exists because pandas columns arrive with many dtypes (nullable Int64, str,
    category, object with mixed values) and sklearn encoders want one. For categories
    it remembers the training levels (``levels_``) so predict can count unseen ones.
    """

    def __init__(self, kind: str = NUMERIC):
        self.kind = kind

    def fit(self, X, y=None):
        frame = pd.DataFrame(X)
        self.n_features_in_ = frame.shape[1]
        self.feature_names_in_ = np.asarray([str(c) for c in frame.columns], dtype=object)
        if self.kind == CATEGORICAL:
            self.levels_ = [frozenset(_as_strings(frame.iloc[:, i]).tolist()) for i in range(frame.shape[1])]
        return self

    def transform(self, X):
        frame = pd.DataFrame(X)
        cols = [frame.iloc[:, i] for i in range(frame.shape[1])]
        if self.kind == CATEGORICAL:
            return np.column_stack([_as_strings(c) for c in cols]).astype(object)
        if self.kind == DATETIME:
            return np.column_stack([_date_parts(c) for c in cols])
        convert = as_bool_float if self.kind == BOOLEAN else to_numbers
        return np.column_stack([convert(c) for c in cols])

    def get_feature_names_out(self, input_features=None):
        names = self.feature_names_in_ if input_features is None else input_features
        if self.kind == DATETIME:
            return np.asarray([f"{n}_{p}" for n in names for p in DATE_PARTS], dtype=object)
        return np.asarray(list(names), dtype=object)


def _level(v) -> str:
    if isinstance(v, (float, np.floating)) and float(v).is_integer():
        return str(int(v))
    if isinstance(v, (bool, np.bool_)):
        return str(bool(v))
    return str(v.item() if isinstance(v, np.generic) else v)


def _as_strings(s: pd.Series) -> np.ndarray:
    missing = np.array(pd.isna(s), dtype=bool)
    out = s.astype(object).map(_level).to_numpy(dtype=object)
    out[missing] = MISSING
    return out


def _bool_value(v) -> float:
    if isinstance(v, str):
        low = v.strip().lower()
        return 1.0 if low in _TRUE else 0.0 if low in _FALSE else np.nan
    if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
        return np.nan
    try:
        return 1.0 if bool(v) else 0.0
    except (TypeError, ValueError):
        return np.nan


def as_bool_float(s: pd.Series) -> np.ndarray:
    return np.array([_bool_value(v) for v in s.astype(object)], dtype=float)


def _to_datetime(s: pd.Series) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(s):
        return s
    values = s.astype(object).where(~np.array(pd.isna(s), dtype=bool), None)
    try:
        out = pd.to_datetime(values, errors="coerce", format="mixed")
    except (ValueError, TypeError, OverflowError):
        out = None
    if out is None or not pd.api.types.is_datetime64_any_dtype(out):  # mixed time zones
        out = pd.to_datetime(values, errors="coerce", format="mixed", utc=True)
    return out


def _date_parts(s: pd.Series) -> np.ndarray:
    dt = _to_datetime(s).dt
    parts = [dt.year, dt.month, dt.day, dt.day_of_week, dt.hour]
    return np.column_stack([p.to_numpy(dtype=float, na_value=np.nan) for p in parts])


class FrequentMissingImputer(TransformerMixin, BaseEstimator):
    """Impute, and add an indicator for each column whose values were often missing in
    training (>= ``min_missing`` rows missing and >= ``min_missing`` present)."""

    def __init__(self, strategy: str = "median", min_missing: int = MIN_LEVEL_FREQUENCY):
        self.strategy = strategy
        self.min_missing = min_missing

    def fit(self, X, y=None):
        X = np.asarray(X, dtype=float)
        self.n_features_in_ = X.shape[1]
        self.imputer_ = SimpleImputer(strategy=self.strategy, keep_empty_features=True).fit(X)
        missing = np.isnan(X).sum(axis=0)
        self.indicator_ = (missing >= self.min_missing) & (len(X) - missing >= self.min_missing)
        return self

    def transform(self, X):
        X = np.asarray(X, dtype=float)
        flags = np.isnan(X[:, self.indicator_]).astype(float)
        return np.hstack([self.imputer_.transform(X), flags])

    def get_feature_names_out(self, input_features=None):
        names = np.asarray([f"x{i}" for i in range(self.n_features_in_)] if input_features is None
                           else input_features, dtype=object)
        return np.concatenate([names, np.asarray([f"missing_{n}" for n in names[self.indicator_]], dtype=object)])


def _numeric_steps(kind: str, scaled: bool) -> list:
    steps = [KindCoercer(kind)]
    strategy = "most_frequent" if kind == BOOLEAN else "median"
    steps.append(FrequentMissingImputer(strategy=strategy))
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


def _high_cardinality_steps(task: str, scaled: bool) -> list:
    encoder = HighCardinalityEncoder(task=task, codes=not scaled, target=TARGET_ENCODING,
                                     min_frequency=MIN_LEVEL_FREQUENCY)
    steps = [KindCoercer(CATEGORICAL), encoder]
    return steps + [StandardScaler()] if scaled else steps


def build_preprocessor(schema: Schema, family: str) -> ColumnTransformer:
    """A ColumnTransformer for the schema's used columns, suited to ``family``."""
    scaled = family in SCALED_FAMILIES
    transformers = []
    for kind in (NUMERIC, BOOLEAN, DATETIME):
        cols = schema.names_of(kind)
        if cols:
            transformers.append((kind, make_pipeline(*_numeric_steps(kind, scaled)), cols))
    high = schema.high_cardinality()
    cols = [c for c in schema.names_of(CATEGORICAL) if c not in high]
    if cols:
        transformers.append((CATEGORICAL, make_pipeline(*_categorical_steps(scaled)), cols))
    if high:
        steps = _high_cardinality_steps(schema.task, scaled)
        transformers.append((HIGH_CARDINALITY, make_pipeline(*steps), high))
    return ColumnTransformer(transformers, remainder="drop", sparse_threshold=0.0)


def unseen_levels(preprocessor: ColumnTransformer, frame: pd.DataFrame) -> dict[str, tuple[int, str]]:
    """{column: (rows with a level not seen at fit, one such level)} for a fitted preprocessor."""
    out = {}
    for _, transformer, cols in getattr(preprocessor, "transformers_", []):
        coercer = getattr(transformer, "steps", [(None, None)])[0][1]
        if not isinstance(coercer, KindCoercer) or not hasattr(coercer, "levels_"):
            continue
        for name, levels in zip(cols, coercer.levels_):
            values = _as_strings(frame[name])
            new = np.array([v not in levels and v != MISSING for v in values], dtype=bool)
            if new.any():
                out[name] = (int(new.sum()), str(values[np.argmax(new)]))
    return out


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

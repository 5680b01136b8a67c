"""Input tables: turn what users pass into DataFrames, and line up predict-time data
with the columns seen at fit time (by name, never by position when names exist)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import scipy.sparse as sp

from autopipe.exceptions import DataError, ParameterError, SchemaMismatchError
from autopipe.schema import target_missing_mask

_NAMED = "autopipe_named"


def to_frame(X, *, reset_names: bool = False) -> pd.DataFrame:
    """A DataFrame view of X. Arrays get names x0, x1, ... and are flagged as unnamed."""
    if sp.issparse(X):
        raise ParameterError("autopipe does not accept sparse input: convert it with X.toarray() "
                             "or pass a pandas DataFrame.")
    if isinstance(X, pd.DataFrame):
        named = all(isinstance(c, str) for c in X.columns)
        frame = X if named else X.set_axis([str(c) for c in X.columns], axis=1)
    else:
        arr = np.asarray(X)
        if arr.dtype.kind == "c":
            raise DataError("Complex numbers are not supported as features.")
        if arr.ndim == 1:
            raise DataError("Expected a 2D table of features, got a 1D array. Reshape your data with "
                            "X.reshape(-1, 1) for one feature or X.reshape(1, -1) for one row.")
        if arr.ndim != 2:
            raise DataError(f"Expected a 2D table of features, got an array with {arr.ndim} dimensions.")
        frame = pd.DataFrame(arr, columns=[f"x{i}" for i in range(arr.shape[1])])
        named = False
    if frame.shape[1] == 0:
        raise DataError("The table has no feature columns: at least one is required.")
    if frame.shape[0] == 0:
        raise DataError("The table has no rows: at least one is required.")
    if any(frame[c].dtype.kind == "c" for c in frame.columns if isinstance(frame[c], pd.Series)):
        raise DataError("Complex numbers are not supported as features.")
    frame = frame.copy(deep=False)
    frame.attrs[_NAMED] = named
    return frame


def is_named(frame: pd.DataFrame) -> bool:
    return bool(frame.attrs.get(_NAMED, True))


def to_target(y, X: pd.DataFrame) -> pd.Series:
    if isinstance(y, pd.DataFrame):
        if y.shape[1] != 1:
            raise DataError(f"Expected one target column, got {y.shape[1]}.")
        y = y.iloc[:, 0]
    if not isinstance(y, pd.Series):
        arr = np.asarray(y)
        if arr.ndim == 2 and arr.shape[1] == 1:
            warnings.warn("A column-vector y was passed when a 1d array was expected; it was raveled.",
                          UserWarning, stacklevel=3)
            arr = arr.ravel()
        if arr.ndim != 1:
            raise DataError(f"Expected a 1D target, got an array of shape {arr.shape}.")
        if arr.dtype.kind == "c":
            raise DataError("Complex numbers are not supported as target values.")
        y = pd.Series(arr, name="target")
    if len(y) != len(X):
        raise DataError(f"X has {len(X)} rows but y has {len(y)}: they must have the same number of rows.")
    return y.set_axis(X.index)


def drop_missing_target(X: pd.DataFrame, y: pd.Series) -> tuple[pd.DataFrame, pd.Series, int]:
    missing = target_missing_mask(y)
    n = int(missing.sum())
    if n == len(y):
        raise DataError(f"Every value of the target {y.name!r} is missing.")
    if n:
        attrs = dict(X.attrs)
        X, y = X.loc[~missing], y.loc[~missing]
        X.attrs.update(attrs)
    return X, y, n


def align_for_predict(X, schema, n_features_in: int, feature_names_in) -> pd.DataFrame:
    """Columns matched by name (any order); missing used columns are an error naming them;
    extra columns are ignored with a warning; unnamed arrays must match by count."""
    frame = to_frame(X)
    train_columns = [c.name for c in schema.columns]
    if not is_named(frame) or feature_names_in is None:
        if frame.shape[1] != n_features_in:
            raise ValueError(f"X has {frame.shape[1]} features, but the model was fitted with {n_features_in} "
                             "features.")
        return frame.set_axis(train_columns, axis=1)
    missing = [c for c in schema.features if c not in frame.columns]
    if missing:
        raise SchemaMismatchError(f"{len(missing)} column(s) the model needs are missing: "
                                  f"{', '.join(repr(c) for c in missing[:20])}. Add them to the table.")
    extra = [c for c in frame.columns if c not in train_columns]
    if extra:
        warnings.warn(f"Ignoring {len(extra)} column(s) not seen at fit time: "
                      f"{', '.join(repr(c) for c in extra[:10])}.", UserWarning, stacklevel=3)
    out = frame.reindex(columns=train_columns)
    return out


def full_proba(proba: np.ndarray, pipeline, n_classes: int) -> np.ndarray:
    """Class probabilities with one column per class of the fit, in classes_ order."""
    proba = np.asarray(proba, dtype=float)
    if proba.shape[1] == n_classes:
        return proba
    seen = np.asarray(pipeline.classes_, dtype=int)
    out = np.zeros((proba.shape[0], n_classes))
    out[:, seen] = proba
    return out

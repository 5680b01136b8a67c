"""Input tables: turn what users pass into DataFrames, and line up predict-time data
with the columns seen at fit time (by name, never by position when names exist)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.exceptions import DataConversionWarning

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
            raise DataError("Complex data not supported: features must be real numbers, strings or booleans.")
        if arr.ndim == 1:
            raise DataError("Expected a 2D table of features, got a 1D array. Reshape your data with "
                            "X.reshape(-1, 1) for one feature or X.reshape(1, -1) for one row.")
        if arr.ndim != 2:
            raise DataError(f"Expected a 2D table of features, got an array with {arr.ndim} dimensions.")
        frame = pd.DataFrame(arr, columns=[f"x{i}" for i in range(arr.shape[1])])
        named = False
    if frame.shape[1] == 0:
        raise DataError(f"Found array with 0 feature(s) (shape={frame.shape}) while a minimum of 1 is required: "
                        "the table has no feature columns.")
    if frame.shape[0] == 0:
        raise DataError(f"Found array with 0 sample(s) (shape={frame.shape}) while a minimum of 1 is required: "
                        "the table has no rows.")
    if any(dtype.kind == "c" for dtype in frame.dtypes):
        raise DataError("Complex data not supported: features must be real numbers, strings or booleans.")
    frame = frame.copy(deep=False)
    frame.attrs[_NAMED] = named
    return frame


def is_named(frame: pd.DataFrame) -> bool:
    return bool(frame.attrs.get(_NAMED, True))


def to_target(y, X: pd.DataFrame) -> pd.Series:
    if y is None:
        raise DataError("This estimator requires y to be passed, but the target y is None.")
    if isinstance(y, pd.DataFrame):
        if y.shape[1] != 1:
            raise DataError(f"Expected one target column, got {y.shape[1]}.")
        y = y.iloc[:, 0]
    if not isinstance(y, pd.Series):
        arr = np.asarray(y)
        if arr.ndim == 2 and arr.shape[1] == 1:
            warnings.warn("A column-vector y was passed when a 1d array was expected. Please change the shape "
                          "of y to (n_samples,), for example using ravel().", DataConversionWarning, stacklevel=3)
            arr = arr.ravel()
        if arr.ndim != 1:
            raise DataError(f"Expected a 1D target, got an array of shape {arr.shape}.")
        if arr.dtype.kind == "c":
            raise DataError("Complex numbers are not supported as target values.")
        y = pd.Series(arr, name="target")
    if y.dtype.kind == "c":
        raise DataError("Complex data not supported as target values.")
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


def drop_singleton_classes(X: pd.DataFrame, y: pd.Series) -> tuple[pd.DataFrame, pd.Series, dict]:
    """A class seen once can be neither learned nor validated: drop its row, say so.

    Returns the kept rows and {label: count} of what was dropped. With two or more
    rows per class every training fold still holds every class.
    """
    counts = y.value_counts()
    rare = counts[counts < 2]
    if rare.empty:
        return X, y, {}
    if len(counts) - len(rare) < 2:
        return X, y, {}  # nothing sensible left: check_target explains the problem
    keep = ~y.isin(rare.index).to_numpy()
    attrs = dict(X.attrs)
    X, y = X.loc[keep], y.loc[keep]
    X.attrs.update(attrs)
    dropped = {str(k): int(v) for k, v in rare.items()}
    warnings.warn(f"Dropped {len(dropped)} class(es) with a single row, which cross-validation cannot use: "
                  f"{', '.join(repr(k) for k in dropped)}. The model will not predict them.",
                  UserWarning, stacklevel=3)
    return X, y, dropped


def align_for_predict(X, schema, n_features_in: int, feature_names_in, owner: str = "the model",
                      pipeline=None) -> pd.DataFrame:
    """The predict-time table lined up with the fit-time columns.

    Columns are matched by name (any order); missing used columns are an error naming
    them; extra columns are ignored with a warning; unnamed arrays must match by count.
    Values are checked per column, never across rows, so a row's prediction does not
    depend on the rest of the batch: numbers arriving as text are parsed; present
    values of a numeric or boolean column that cannot be read are treated as missing
    with a warning naming the column and an example; levels of a categorical column
    not seen at fit are treated as unknown with a warning counting them (given the
    fitted ``pipeline``).
    """
    frame = to_frame(X)
    train_columns = [c.name for c in schema.columns]
    if not is_named(frame) or feature_names_in is None:
        if frame.shape[1] != n_features_in:
            raise SchemaMismatchError(f"X has {frame.shape[1]} features, but {owner} is expecting "
                                      f"{n_features_in} features as input.")
        out = frame.set_axis(train_columns, axis=1)
    else:
        out = _by_name(frame, schema, train_columns)
    warn_unreadable(out, schema)
    if pipeline is not None:
        warn_unseen(out, pipeline)
    return out


def _by_name(frame: pd.DataFrame, schema, train_columns: list[str]) -> pd.DataFrame:
    dup = sorted(set(frame.columns[frame.columns.duplicated()]))
    if dup:
        raise SchemaMismatchError(f"Duplicated column names at predict: {', '.join(map(repr, dup))}. "
                                  "Give every column a unique name.")
    missing = [c for c in schema.features if c not in frame.columns]
    extra = [c for c in frame.columns if c not in train_columns]
    if missing:
        raise SchemaMismatchError(f"{len(missing)} column(s) the model needs are missing: "
                                  f"{', '.join(repr(c) for c in missing[:20])}. Add them to the table"
                                  f"{_near_misses(missing, extra)}.")
    if extra:
        warnings.warn(f"Ignoring {len(extra)} column(s) not seen at fit time: "
                      f"{', '.join(repr(c) for c in extra[:10])}.", UserWarning, stacklevel=5)
    return frame.reindex(columns=train_columns)


def _near_misses(missing: list[str], extra: list[str]) -> str:
    key = {str(c).strip().lower(): c for c in extra}
    pairs = [(m, key[m.strip().lower()]) for m in missing if m.strip().lower() in key]
    if not pairs:
        return ""
    return " (names differ in case or spaces: " + ", ".join(f"{e!r} for {m!r}" for m, e in pairs[:5]) + ")"


def warn_unreadable(frame: pd.DataFrame, schema) -> None:
    """Warn about present values of numeric/boolean columns that will be read as missing."""
    from autopipe.schema import BOOLEAN, NUMERIC, not_numbers
    from autopipe.space.preprocessing import as_bool_float

    for column in schema.columns:
        if not column.used or column.kind not in (NUMERIC, BOOLEAN):
            continue
        s = frame[column.name]
        if column.kind == NUMERIC:
            count, example = not_numbers(s)
        else:
            bad = ~np.array(pd.isna(s), dtype=bool) & np.isnan(as_bool_float(s))
            count, example = int(bad.sum()), (s.to_numpy(dtype=object)[np.argmax(bad)] if bad.any() else None)
        if count:
            warnings.warn(f"Column {column.name!r}: {count} value(s) are not {column.kind} "
                          f"(e.g. {example!r}); they are treated as missing.", UserWarning, stacklevel=5)


def warn_unseen(frame: pd.DataFrame, pipeline) -> None:
    """Warn, per categorical column, how many rows hold a level the model never saw."""
    from autopipe.space.preprocessing import unseen_levels

    steps = getattr(pipeline, "named_steps", {})
    if "preprocess" not in steps:
        return
    for name, (count, example) in unseen_levels(steps["preprocess"], frame).items():
        warnings.warn(f"Column {name!r}: {count} row(s) hold a level not seen at fit (e.g. {example!r}); "
                      "treated as unknown.", UserWarning, stacklevel=5)


def full_proba(proba: np.ndarray, pipeline, n_classes: int) -> np.ndarray:
    """Class probabilities with one column per class of the fit, in classes_ order, in
    float64 rows that sum to one (boosting libraries answer in float32)."""
    proba = np.asarray(proba, dtype=float)
    totals = proba.sum(axis=1, keepdims=True)
    proba = np.divide(proba, totals, out=np.full_like(proba, 1.0 / proba.shape[1]), where=totals > 0)
    if proba.shape[1] == n_classes:
        return proba
    seen = np.asarray(pipeline.classes_, dtype=int)
    out = np.zeros((proba.shape[0], n_classes))
    out[:, seen] = proba
    return out

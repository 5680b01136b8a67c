"""Infer column kinds and the task from a table, and freeze them in a ``Schema``.

The search space builds its preprocessing from column kinds, and the artifact checks
new data against the schema at predict time, so kinds are decided once, here.

Rules, in order, for each column (``column_kinds`` overrides them per column):

1. all values missing, or a single distinct value -> ``constant`` (dropped);
2. bool dtype, or non-missing values exactly {True, False} (also the strings
   "True"/"False", any case) -> ``boolean``;
3. datetime64 dtype, or strings that look like ISO dates ("2024-01-31...") for at
   least 90% of non-missing rows -> ``datetime`` (expanded into parts later);
4. numbers -> ``numeric``; integer columns with few distinct values stay numeric.
   An integer column that is a running row number (consecutive, step 1, e.g.
   0..n-1 or 1..n) -> ``identifier`` (dropped);
5. strings / object / category: long free text (five or more words on average and
   mostly distinct) -> ``text`` (dropped for now); unique per row (>= 95% distinct,
   at least 10 rows) -> ``identifier`` (dropped); else ``categorical``.

Nullable extension dtypes (Int64, Float64, boolean, string) follow the same rules.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from autopipe.exceptions import DataError, ParameterError

NUMERIC = "numeric"
BOOLEAN = "boolean"
CATEGORICAL = "categorical"
DATETIME = "datetime"
TEXT = "text"
IDENTIFIER = "identifier"
CONSTANT = "constant"
KINDS = (NUMERIC, BOOLEAN, CATEGORICAL, DATETIME, TEXT, IDENTIFIER, CONSTANT)
USED_KINDS = (NUMERIC, BOOLEAN, CATEGORICAL, DATETIME)
TASKS = ("binary", "multiclass", "regression")

MAX_CLASSES_FOR_INTEGER = 20
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?")
_BOOL_STRINGS = {"true", "false"}


@dataclass(frozen=True)
class Column:
    """One input column: its inferred kind, and why it is used or dropped."""

    name: str
    kind: str
    dtype: str
    n_missing: int
    n_unique: int
    used: bool
    reason: str


@dataclass(frozen=True)
class Schema:
    """What the search and the artifact need to know about a training table."""

    columns: tuple[Column, ...]
    target: str | None
    task: str
    classes: tuple | None
    n_rows: int

    @property
    def features(self) -> list[str]:
        return [c.name for c in self.columns if c.used]

    def names_of(self, kind: str) -> list[str]:
        return [c.name for c in self.columns if c.used and c.kind == kind]

    @property
    def dropped(self) -> list[Column]:
        return [c for c in self.columns if not c.used]

    @property
    def n_classes(self) -> int | None:
        return None if self.classes is None else len(self.classes)

    def to_dict(self) -> dict:
        return {
            "columns": [asdict(c) for c in self.columns],
            "target": self.target,
            "task": self.task,
            "classes": None if self.classes is None else list(self.classes),
            "n_rows": self.n_rows,
        }

    @classmethod
    def from_dict(cls, d: dict) -> Schema:
        classes = d.get("classes")
        return cls(
            columns=tuple(Column(**c) for c in d["columns"]),
            target=d.get("target"),
            task=d["task"],
            classes=None if classes is None else tuple(classes),
            n_rows=int(d["n_rows"]),
        )


def target_missing_mask(y: pd.Series) -> np.ndarray:
    """True where the target is None, NaN, pd.NA or an empty/blank string."""
    mask = np.array(pd.isna(y), dtype=bool)
    if not pd.api.types.is_numeric_dtype(y) and not pd.api.types.is_bool_dtype(y):
        blank = y.map(lambda v: isinstance(v, str) and v.strip() == "")
        mask = mask | blank.to_numpy(dtype=bool, na_value=False)
    return mask


def _is_classification_dtype(y: pd.Series) -> bool:
    return not pd.api.types.is_numeric_dtype(y) or pd.api.types.is_bool_dtype(y)


def infer_task(y: pd.Series) -> str:
    """Regression for non-integer floats or integers with > 20 values; else classes."""
    values = y[~target_missing_mask(y)]
    n_unique = values.nunique()
    if not _is_classification_dtype(values):
        as_float = values.to_numpy(dtype=float, na_value=np.nan)
        integral = bool(np.all(np.mod(as_float, 1) == 0))
        if not integral or n_unique > MAX_CLASSES_FOR_INTEGER:
            return "regression"
    return "binary" if n_unique <= 2 else "multiclass"


def _python_scalar(v):
    return v.item() if isinstance(v, np.generic) else v


def _sorted_classes(y: pd.Series) -> tuple:
    values = [_python_scalar(v) for v in pd.unique(y[~target_missing_mask(y)])]
    try:
        return tuple(sorted(values))
    except TypeError:
        return tuple(sorted(values, key=str))


def check_target(y: pd.Series, task: str, cv: int) -> None:
    """Raise DataError when ``y`` cannot be cross-validated for ``task`` with ``cv`` folds."""
    if task not in TASKS:
        raise ParameterError(f"task must be one of {list(TASKS)}. Got {task!r} instead.")
    name = y.name if y.name is not None else "target"
    values = y[~target_missing_mask(y)]
    if len(values) < cv:
        raise DataError(
            f"The target {name!r} has {len(values)} non-missing rows, fewer than cv={cv} "
            "folds. Provide more rows or lower cv."
        )
    if task == "regression":
        if _is_classification_dtype(values):
            raise DataError(
                f"task='regression' needs a numeric target, but {name!r} has dtype "
                f"{values.dtype}. Use a classification task or convert the target."
            )
        if values.nunique() < 2:
            raise DataError(f"The target {name!r} is constant; there is nothing to learn.")
        return
    counts = values.value_counts()
    if len(counts) < 2:
        raise DataError(
            f"The target {name!r} has a single class ({counts.index[0]!r}); "
            "classification needs at least two classes."
        )
    if task == "binary" and len(counts) > 2:
        raise DataError(
            f"task='binary' but the target {name!r} has {len(counts)} classes. "
            "Use task='multiclass' or leave task unset."
        )
    rare = counts[counts < 2]
    if len(rare):
        detail = ", ".join(f"{k!r} ({v} row)" for k, v in rare.items())
        raise DataError(
            f"The target {name!r} has classes with fewer than 2 rows: {detail}. "
            "Cross-validation needs every class in several folds: remove those rows, "
            "merge the class into another, or collect more data."
        )


def _non_missing(s: pd.Series) -> pd.Series:
    return s[~pd.isna(s).to_numpy(dtype=bool)]


def _is_boolean(s: pd.Series, values: pd.Series) -> bool:
    if pd.api.types.is_bool_dtype(s):
        return True
    if pd.api.types.is_numeric_dtype(s):
        return False
    try:
        uniques = set(pd.unique(values))
    except TypeError:  # unhashable cells
        return False
    if uniques == {True, False} and all(isinstance(v, (bool, np.bool_)) for v in uniques):
        return True
    if not all(isinstance(v, str) for v in uniques):
        return False
    return {v.lower() for v in uniques} == _BOOL_STRINGS


def _looks_like_dates(values: pd.Series) -> bool:
    sample = values.head(500)
    if not all(isinstance(v, str) for v in sample):
        return False
    hits = sum(bool(_ISO_DATE.match(v)) for v in sample)
    return hits >= 0.9 * len(sample)


def _is_row_number(s: pd.Series, values: pd.Series) -> bool:
    if not pd.api.types.is_integer_dtype(s) or len(values) != len(s) or len(s) < 10:
        return False
    arr = values.to_numpy(dtype=np.int64)
    return bool(np.all(np.diff(arr) == 1))


def _infer_kind(s: pd.Series, n_unique: int) -> tuple[str, str]:
    """Return (kind, reason) for one column."""
    values = _non_missing(s)
    if len(values) == 0:
        return CONSTANT, "dropped: entirely empty"
    if n_unique <= 1:
        return CONSTANT, "dropped: constant"
    if _is_boolean(s, values):
        return BOOLEAN, "two values True/False"
    if pd.api.types.is_datetime64_any_dtype(s):
        return DATETIME, "datetime dtype"
    if pd.api.types.is_numeric_dtype(s):
        if _is_row_number(s, values):
            return IDENTIFIER, "dropped: running row number (identifier)"
        return NUMERIC, "numeric dtype"
    if _looks_like_dates(values):
        return DATETIME, "strings that look like ISO dates"
    distinct_share = n_unique / len(values)
    as_str = values.astype(str)
    if as_str.str.split().str.len().mean() >= 5 and distinct_share > 0.5:
        return TEXT, "dropped: free text (not supported yet)"
    if len(values) >= 10 and distinct_share >= 0.95:
        return IDENTIFIER, "dropped: unique per row (identifier)"
    return CATEGORICAL, "strings or categories"


def _n_unique(s: pd.Series) -> int:
    try:
        return int(s.nunique(dropna=True))
    except TypeError:  # unhashable cells such as lists
        return int(s.astype(str).nunique(dropna=True))


def _check_columns(X: pd.DataFrame, column_kinds: dict[str, str]) -> None:
    if not isinstance(X, pd.DataFrame):
        raise DataError(f"X must be a pandas DataFrame. Got {type(X).__name__} instead.")
    bad = [c for c in X.columns if not isinstance(c, str)]
    if bad:
        raise DataError(
            f"Column names must be strings; got {bad[:5]!r}. "
            "Rename them, e.g. X.columns = X.columns.astype(str)."
        )
    dup = sorted(set(X.columns[X.columns.duplicated()]))
    if dup:
        raise DataError(f"Duplicated column names: {dup}. Give every column a unique name.")
    if X.shape[0] == 0 or X.shape[1] == 0:
        raise DataError(f"The table is empty ({X.shape[0]} rows, {X.shape[1]} columns).")
    for name, kind in column_kinds.items():
        if name not in X.columns:
            raise ParameterError(
                f"column_kinds names column {name!r}, which is not in the table. "
                f"Known columns: {list(X.columns)[:20]}."
            )
        if kind not in KINDS:
            raise ParameterError(
                f"column_kinds[{name!r}] must be one of {list(KINDS)}. Got {kind!r} instead."
            )


def _resolve_task(y: pd.Series | None, task: str | None) -> str:
    if task is not None:
        if task not in TASKS:
            raise ParameterError(f"task must be one of {list(TASKS)}. Got {task!r} instead.")
        return task
    if y is None:
        raise ParameterError("infer_schema needs y or an explicit task. Got neither.")
    return infer_task(y)


def infer_schema(
    X: pd.DataFrame,
    y: pd.Series | None = None,
    *,
    task: str | None = None,
    column_kinds: dict[str, str] | None = None,
) -> Schema:
    """Infer a Schema for the features ``X`` and the target ``y`` (see module rules)."""
    column_kinds = {} if column_kinds is None else dict(column_kinds)
    _check_columns(X, column_kinds)
    task = _resolve_task(y, task)
    target = None if y is None or y.name is None else str(y.name)
    columns = []
    for name in X.columns:
        s = X[name]
        n_unique = _n_unique(s)
        if name in column_kinds:
            kind, reason = column_kinds[name], "set by column_kinds"
            if kind not in USED_KINDS:
                reason = f"dropped: set to {kind} by column_kinds"
        elif target is not None and name == target:
            kind, reason = IDENTIFIER, "dropped: this is the target"
        else:
            kind, reason = _infer_kind(s, n_unique)
        n_missing = int(pd.isna(s).sum())
        used = kind in USED_KINDS and not reason.startswith("dropped")
        columns.append(Column(name, kind, str(s.dtype), n_missing, n_unique, used, reason))
    if not any(c.used for c in columns):
        why = "; ".join(f"{c.name!r}: {c.reason}" for c in columns[:10])
        raise DataError(
            f"No usable feature column: {why}. Set kinds explicitly with column_kinds."
        )
    classes = None if y is None or task == "regression" else _sorted_classes(y)
    return Schema(tuple(columns), target, task, classes, int(X.shape[0]))

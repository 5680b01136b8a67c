"""Infer column kinds and the task from a table, and freeze them in a ``Schema``.

The search space builds its preprocessing from column kinds, and the artifact checks
new data against the schema at predict time, so kinds are decided once, here.

Rules, in order, for each column (``column_kinds`` overrides them per column; the kind
``ignored`` drops a column on request):

1. all values missing, or a single distinct value -> ``constant`` (dropped);
2. bool dtype, or non-missing values exactly {True, False} (also the strings
   "true"/"false" or "yes"/"no", any case) -> ``boolean``;
3. datetime64 dtype, or strings that look like ISO dates ("2024-01-31...") for at
   least 90% of non-missing rows -> ``datetime`` (expanded into parts later);
4. an identifier-like name ("id", "customer_id", "userId", "uuid", "Unnamed: 0", ...)
   with a distinct value in >= 95% of rows -> ``identifier`` (dropped);
5. numbers -> ``numeric``; integer columns with few distinct values stay numeric.
   An integer column that is a running row number (consecutive, step 1, e.g.
   0..n-1 or 1..n) -> ``identifier`` (dropped);
6. strings that are numbers ("1.5", " 2 ", "3,25") for >= 95% of non-missing rows ->
   ``numeric`` ("numbers stored as text"); the other values are treated as missing,
   and the reason counts them;
7. strings / object / category: long free text (five or more words on average and
   mostly distinct) -> ``text`` (dropped for now); unique per row (>= 95% distinct,
   at least 10 rows) -> ``identifier`` (dropped); else ``categorical``.

A categorical column is *high-cardinality* (``Column.high_cardinality``) when it has
more than ``MAX_ONEHOT_LEVELS`` levels, or when one-hot encoding every categorical
column would take more than ``ONEHOT_MAX_BYTES`` (rows x width x 8 bytes): then the
columns with the most levels are switched until the estimate fits. High-cardinality
columns get frequency and cross-fitted target encoding (plus frequency-rank codes for
trees), never a one-hot;
the reason records which rule applied.

Nullable extension dtypes (Int64, Float64, boolean, string) follow the same rules.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, replace

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
IGNORED = "ignored"
KINDS = (NUMERIC, BOOLEAN, CATEGORICAL, DATETIME, TEXT, IDENTIFIER, CONSTANT, IGNORED)
USED_KINDS = (NUMERIC, BOOLEAN, CATEGORICAL, DATETIME)
TASKS = ("binary", "multiclass", "regression")

MAX_CLASSES_FOR_INTEGER = 20
MAX_ONEHOT_LEVELS = 30
ONEHOT_MAX_BYTES = 256 * 2**20
UNIQUE_SHARE = 0.95
MAX_ABS_VALUE = 1e38
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?")
_COMMA_DECIMAL = re.compile(r"^[+-]?\d+,\d+$")
_ID_NAME = re.compile(r"^(id|uuid|guid|rowid|row_id|index|unnamed: ?\d+)$|[_\s.\-](id|uuid|guid)$",
                      re.IGNORECASE)
_CAMEL_ID = re.compile(r"[a-z](Id|ID)$")
_BOOL_PAIRS = ({"true", "false"}, {"yes", "no"})


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
    high_cardinality: bool = False


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

    def high_cardinality(self) -> list[str]:
        return [c.name for c in self.columns if c.used and c.kind == CATEGORICAL and c.high_cardinality]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

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


# -- values ------------------------------------------------------------------------------
def to_numbers(s: pd.Series) -> np.ndarray:
    """Floats for a column of numbers or of numbers stored as text ("1.5", " 2", "3,25").

    Values that are not numbers become NaN; so do +-inf (treated as missing everywhere).
    Finite values beyond +-1e38 are clipped there, so float32 models and scaling never
    overflow.
    """
    out = _floats(s)
    return np.clip(np.where(np.isfinite(out), out, np.nan), -MAX_ABS_VALUE, MAX_ABS_VALUE)


def not_numbers(s: pd.Series) -> tuple[int, object]:
    """How many present values of ``s`` are not numbers, and the first of them."""
    text = s.astype(object)
    present = ~np.array(pd.isna(s), dtype=bool) & ~text.map(lambda v: isinstance(v, str) and not v.strip()).to_numpy(
        dtype=bool)
    bad = present & np.isnan(_floats(s))
    return (int(bad.sum()), text.to_numpy()[np.argmax(bad)]) if bad.any() else (0, None)


def _floats(s: pd.Series) -> np.ndarray:
    if pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
        return s.astype("float64").to_numpy(dtype=float, na_value=np.nan)
    text = s.astype(object).map(lambda v: v.strip() if isinstance(v, str) else np.nan if isinstance(v, bool) else v)
    text = text.map(lambda v: v.replace(",", ".") if isinstance(v, str) and _COMMA_DECIMAL.match(v) else v)
    with np.errstate(all="ignore"):
        return np.asarray(pd.to_numeric(text, errors="coerce"), dtype=float)


# -- target --------------------------------------------------------------------------------
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
        with np.errstate(all="ignore"):
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


def _label_family(v) -> str:
    if isinstance(v, (bool, np.bool_)):
        return "bool"
    if isinstance(v, (int, float, np.number)):
        return "number"
    return type(v).__name__


def _check_label_types(values: pd.Series, name) -> None:
    if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return
    families = sorted({_label_family(v) for v in values.astype(object)})
    if len(families) > 1:
        raise DataError(f"The target {name!r} mixes label types ({' and '.join(families)}). "
                        f"Give every label one type, e.g. y.astype(str).")


def check_target(y: pd.Series, task: str, cv: int) -> None:
    """Raise DataError when ``y`` cannot be cross-validated for ``task`` with ``cv`` folds."""
    if task not in TASKS:
        raise ParameterError(f"task must be one of {list(TASKS)}. Got {task!r} instead.")
    name = y.name if y.name is not None else "target"
    values = y[~target_missing_mask(y)]
    if len(values) < cv:
        raise DataError(f"The target {name!r} has {len(values)} non-missing rows, fewer than cv={cv} "
                        "folds. Provide more rows or lower cv.")
    if task == "regression":
        _check_regression_target(values, name)
        return
    _check_label_types(values, name)
    counts = values.value_counts()
    if len(counts) < 2:
        raise DataError(f"The target {name!r} has a single class ({counts.index[0]!r}); "
                        "classification needs at least two classes.")
    if task == "binary" and len(counts) > 2:
        raise DataError(f"task='binary' but the target {name!r} has {len(counts)} classes. "
                        "Use task='multiclass' or leave task unset.")
    rare = counts[counts < 2]
    if len(rare):
        detail = ", ".join(f"{k!r} ({v} row)" for k, v in rare.items())
        raise DataError(f"The target {name!r} has classes with fewer than 2 rows: {detail}. "
                        "Cross-validation needs every class in several folds: remove those rows, "
                        "merge the class into another, or collect more data.")


def _check_regression_target(values: pd.Series, name) -> None:
    if _is_classification_dtype(values):
        raise DataError(f"task='regression' needs a numeric target, but {name!r} has dtype "
                        f"{values.dtype}. Use a classification task or convert the target.")
    as_float = values.to_numpy(dtype=float, na_value=np.nan)
    n_inf = int(np.isinf(as_float).sum())
    if n_inf:
        raise DataError(f"The target {name!r} has {n_inf} infinite value(s): remove those rows "
                        "or replace them with finite numbers.")
    if values.nunique() < 2:
        raise DataError(f"The target {name!r} is constant; there is nothing to learn.")


# -- column kinds ----------------------------------------------------------------------------
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
    return {v.strip().lower() for v in uniques} in _BOOL_PAIRS


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


def _has_id_name(name: str) -> bool:
    return bool(_ID_NAME.search(name.strip()) or _CAMEL_ID.search(name.strip()))


def _numbers_as_text(values: pd.Series) -> tuple[bool, str]:
    if not all(isinstance(v, str) for v in values.head(200)):
        return False, ""
    parsed = _floats(values)
    ok = ~np.isnan(parsed)
    if ok.mean() < UNIQUE_SHARE or len(np.unique(parsed[ok])) < 2:
        return False, ""
    bad = values[~ok]
    note = f"; {len(bad)} value(s) that are not numbers (e.g. {bad.iloc[0]!r}) treated as missing" if len(bad) else ""
    return True, "numbers stored as text" + note


def _infer_kind(name: str, s: pd.Series, n_unique: int) -> tuple[str, str]:
    """Return (kind, reason) for one column."""
    values = _non_missing(s)
    if len(values) == 0:
        return CONSTANT, "dropped: entirely empty"
    if n_unique <= 1:
        return CONSTANT, f"dropped: constant (every value is {_short(values.iloc[0])})"
    if _is_boolean(s, values):
        return BOOLEAN, "two values " + "/".join(sorted(map(str, pd.unique(values))))
    if pd.api.types.is_datetime64_any_dtype(s):
        return DATETIME, "datetime dtype"
    distinct_share = n_unique / len(s)
    if len(s) >= 10 and distinct_share >= UNIQUE_SHARE and _has_id_name(name):
        return IDENTIFIER, "dropped: unique per row and named like an identifier"
    if pd.api.types.is_numeric_dtype(s):
        if _is_row_number(s, values):
            return IDENTIFIER, "dropped: running row number (identifier)"
        return NUMERIC, "numeric dtype"
    is_number_text, reason = _numbers_as_text(values)
    if is_number_text:
        return NUMERIC, reason
    if _looks_like_dates(values):
        return DATETIME, "strings that look like ISO dates"
    return _string_kind(values, n_unique)


def _string_kind(values: pd.Series, n_unique: int) -> tuple[str, str]:
    distinct_share = n_unique / len(values)
    as_str = values.astype(str)
    if as_str.str.split().str.len().mean() >= 5 and distinct_share > 0.5:
        return TEXT, "dropped: free text (not supported yet)"
    if len(values) >= 10 and distinct_share >= UNIQUE_SHARE:
        return IDENTIFIER, "dropped: unique per row (identifier)"
    return CATEGORICAL, f"strings or categories, {n_unique} levels"


def _short(value, limit: int = 30) -> str:
    text = repr(_python_scalar(value))
    return text if len(text) <= limit else text[: limit - 3] + "..."


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
        raise DataError(f"Column names must be strings; got {bad[:5]!r}. "
                        "Rename them, e.g. X.columns = X.columns.astype(str).")
    dup = sorted(set(X.columns[X.columns.duplicated()]))
    if dup:
        raise DataError(f"Duplicated column names: {dup}. Give every column a unique name.")
    if X.shape[0] == 0 or X.shape[1] == 0:
        raise DataError(f"The table is empty ({X.shape[0]} rows, {X.shape[1]} columns).")
    for name, kind in column_kinds.items():
        if name not in X.columns:
            raise ParameterError(f"column_kinds names column {name!r}, which is not in the table. "
                                 f"Known columns: {list(X.columns)[:20]}.")
        if kind not in KINDS:
            raise ParameterError(f"column_kinds[{name!r}] must be one of {list(KINDS)}. Got {kind!r} instead.")


def _resolve_task(y: pd.Series | None, task: str | None) -> str:
    if task is not None:
        if task not in TASKS:
            raise ParameterError(f"task must be one of {list(TASKS)}. Got {task!r} instead.")
        return task
    if y is None:
        raise ParameterError("infer_schema needs y or an explicit task. Got neither.")
    return infer_task(y)


def _column(name: str, s: pd.Series, column_kinds: dict, target: str | None) -> Column:
    n_unique = _n_unique(s)
    if name in column_kinds:
        kind = column_kinds[name]
        reason = "set by column_kinds" if kind in USED_KINDS else f"dropped: set to {kind} by column_kinds"
        if kind == IGNORED:
            reason = "dropped: ignored on request"
    elif target is not None and name == target:
        kind, reason = IDENTIFIER, "dropped: this is the target"
    else:
        kind, reason = _infer_kind(name, s, n_unique)
    used = kind in USED_KINDS and not reason.startswith("dropped")
    return Column(name, kind, str(s.dtype), int(pd.isna(s).sum()), n_unique, used, reason)


def _mark_high_cardinality(columns: list[Column], n_rows: int) -> list[Column]:
    """Flag categoricals with too many levels, then the widest ones until a one-hot fits."""
    out = []
    for c in columns:
        if c.used and c.kind == CATEGORICAL and c.n_unique > MAX_ONEHOT_LEVELS:
            c = replace(c, high_cardinality=True, reason=f"{c.reason}; high cardinality (more than "
                        f"{MAX_ONEHOT_LEVELS} levels): frequency encoded, no one-hot")
        out.append(c)
    low = sorted((c for c in out if c.used and c.kind == CATEGORICAL and not c.high_cardinality),
                 key=lambda c: -c.n_unique)
    width = sum(c.n_unique + 1 for c in low)
    for c in low:
        size = n_rows * width * 8
        if size <= ONEHOT_MAX_BYTES:
            break
        note = (f"; frequency encoded: a one-hot of the categorical columns would take "
                f"{size / 2**20:.1f} MB (> {ONEHOT_MAX_BYTES / 2**20:.1f} MB cap)")
        out = [replace(x, high_cardinality=True, reason=x.reason + note) if x.name == c.name else x for x in out]
        width -= c.n_unique + 1
    return out


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
    columns = [_column(name, X[name], column_kinds, target) for name in X.columns]
    columns = _mark_high_cardinality(columns, int(X.shape[0]))
    if not any(c.used for c in columns):
        why = "; ".join(f"{c.name!r}: {c.reason}" for c in columns[:10])
        raise DataError(f"No usable feature column: {why}. Set kinds explicitly with column_kinds.")
    classes = None if y is None or task == "regression" else _sorted_classes(y)
    return Schema(tuple(columns), target, task, classes, int(X.shape[0]))

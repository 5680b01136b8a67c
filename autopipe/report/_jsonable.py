"""Turn numpy scalars, enums, paths and non-finite floats into plain JSON values.

The summary is written with ``json.dumps(..., allow_nan=False)`` and read by other
tools, so everything in it must already be a plain str, int, float, bool, None,
list or dict before it leaves this package.
"""

from __future__ import annotations

import datetime as dt
import enum
import math
from pathlib import PurePath
from typing import Any


def to_jsonable(value: Any) -> Any:
    """Return ``value`` as nested plain Python values; NaN and infinities become None."""
    if value is None or isinstance(value, (str, bool)):
        return value
    if isinstance(value, enum.Enum):
        return to_jsonable(value.value if isinstance(value.value, str) else value.name)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, PurePath):
        return str(value)
    if hasattr(value, "tolist"):  # numpy scalars and arrays, pandas arrays
        return to_jsonable(value.tolist())
    if _is_missing(value):
        return None
    return str(value)


def _is_missing(value: Any) -> bool:
    try:
        import pandas as pd

        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False

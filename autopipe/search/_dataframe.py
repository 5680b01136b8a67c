"""Trials as a pandas DataFrame: one row per trial, one column per parameter."""

from __future__ import annotations

from autopipe.search.frozen import FrozenTrial


def trials_to_dataframe(trials: list[FrozenTrial]):
    import pandas as pd

    rows = []
    for t in trials:
        row = {
            "number": t.number,
            "value": t.value,
            "state": t.state.name,
            "datetime_start": t.datetime_start,
            "datetime_complete": t.datetime_complete,
            "duration": t.duration,
        }
        row.update({f"params_{k}": v for k, v in t.params.items()})
        row.update({f"user_attrs_{k}": v for k, v in t.user_attrs.items()})
        rows.append(row)
    return pd.DataFrame(rows)

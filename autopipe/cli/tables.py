"""Reading CSV files for the CLI: separator and decimal mark detected unless given."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from autopipe.exceptions import DataError, ParameterError

_SEPARATORS = ",;\t|"


def read_table(path: str | Path, *, sep: str | None = None, decimal: str | None = None,
               encoding: str | None = None) -> pd.DataFrame:
    path = Path(path)
    if not path.is_file():
        raise ParameterError(f"No such file: {path}.")
    encoding = encoding or "utf-8-sig"
    sample = _head(path, encoding)
    if sep is None:
        sep = _sniff_separator(sample)
    if decimal is None:
        decimal = "," if sep == ";" and _has_comma_decimals(sample) else "."
    try:
        frame = pd.read_csv(path, sep=sep, decimal=decimal, encoding=encoding,
                            compression="infer", low_memory=False)
    except (UnicodeDecodeError, LookupError) as exc:
        raise DataError(f"Cannot decode {path} as {encoding} ({exc}); pass --encoding.") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise DataError(f"Cannot parse {path} as CSV: {exc}") from None
    dupes = _duplicated_header(sample, sep)
    if dupes:
        raise DataError(f"{path} has duplicated column name(s): {', '.join(repr(d) for d in dupes)}. "
                        "Rename them so every column has a unique name.")
    return frame


def _head(path: Path, encoding: str) -> str:
    import gzip

    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rt", encoding=encoding, errors="replace") as fh:
            return fh.read(65536)
    except OSError as exc:
        raise DataError(f"Cannot read {path}: {exc}") from None


def _sniff_separator(sample: str) -> str:
    lines = [ln for ln in sample.splitlines()[:50] if ln.strip()]
    if not lines:
        raise DataError("The file is empty.")
    try:
        return csv.Sniffer().sniff("\n".join(lines), delimiters=_SEPARATORS).delimiter
    except csv.Error:
        counts = {s: lines[0].count(s) for s in _SEPARATORS}
        best = max(counts, key=counts.get)
        return best if counts[best] else ","


def _has_comma_decimals(sample: str) -> bool:
    import re

    return bool(re.search(r"(^|;)-?\d+,\d+(;|$)", sample, flags=re.MULTILINE))


def _duplicated_header(sample: str, sep: str) -> list[str]:
    """pandas silently renames a repeated header 'x' to 'x.1'; read the header ourselves."""
    header = next(csv.reader(sample.splitlines()[:1] or [""], delimiter=sep), [])
    seen: set[str] = set()
    return sorted({name for name in header if name in seen or seen.add(name)})

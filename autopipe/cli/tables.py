"""Reading CSV files for the CLI: encoding, separator and decimal mark detected unless given.

Detection reads the first 64 KiB:

- encoding: a byte-order mark decides (UTF-8 with BOM, UTF-16); else UTF-8 if the
  bytes decode, else cp1252 (Windows Western European; latin-1 as a last resort);
- separator: among ``, ; TAB |``, the one that splits the header into two or more
  fields and gives the most records the header's field count, parsed as CSV (so
  quoted separators and quoted newlines do not mislead it);
- decimal mark: "," when the separator is not "," and more fields look like
  ``-0,65`` than like ``-0.65``; then "." is taken as the thousands mark when fields
  look like ``1.234,5``.

``--sep``, ``--decimal`` and ``--encoding`` override each step. What was used is kept
in ``frame.attrs["autopipe_csv"]`` so the CLI can say how it read the file.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from pathlib import Path

import pandas as pd

from autopipe.exceptions import DataError, ParameterError

_SEPARATORS = ",;\t|"
_SAMPLE_BYTES = 65536
_COMMA_NUMBER = re.compile(r"^[+-]?\d+,\d+$")
_DOT_NUMBER = re.compile(r"^[+-]?\d+\.\d+$")
_THOUSANDS_DOT = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+(,\d+)?$")
_THOUSANDS_COMMA = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+,\d+$")
DIALECT_ATTR = "autopipe_csv"


def read_table(path: str | Path, *, sep: str | None = None, decimal: str | None = None,
               encoding: str | None = None) -> pd.DataFrame:
    path = Path(path)
    if not path.is_file():
        raise ParameterError(f"No such file: {path}.")
    raw = _head_bytes(path)
    encoding = _check_encoding(encoding) if encoding is not None else detect_encoding(raw)
    sample = raw.decode(encoding, errors="replace")
    records = _records(sample, sep) if sep is not None else None
    if sep is None:
        sep, records = sniff_separator(sample)
    thousands = None
    if decimal is None:
        decimal, thousands = detect_decimal(records, sep)
    _check_header(records, sep, path)
    frame = _read(path, sep=sep, decimal=decimal, thousands=thousands, encoding=encoding)
    frame.attrs[DIALECT_ATTR] = {"sep": sep, "decimal": decimal, "encoding": encoding}
    return frame


def describe_dialect(frame: pd.DataFrame) -> str:
    d = frame.attrs.get(DIALECT_ATTR)
    if not d:
        return ""
    names = {",": "','", ";": "';'", "\t": "TAB", "|": "'|'", ".": "'.'"}
    return (f"separator {names.get(d['sep'], repr(d['sep']))}, decimal mark {names.get(d['decimal'], repr(d['decimal']))}, "
            f"encoding {d['encoding']}")


def _read(path: Path, *, sep: str, decimal: str, thousands: str | None, encoding: str) -> pd.DataFrame:
    try:
        return pd.read_csv(path, sep=sep, decimal=decimal, thousands=thousands, encoding=encoding,
                           compression="infer", low_memory=False)
    except (UnicodeDecodeError, LookupError) as exc:
        raise DataError(f"Cannot decode {path} as {encoding} ({exc}); pass --encoding "
                        "(e.g. --encoding cp1252 or --encoding latin-1).") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, csv.Error, ValueError) as exc:
        detail = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
        raise DataError(f"Cannot parse {path} as CSV with separator {sep!r}: {detail}. "
                        "Check the file, or pass --sep / --decimal.") from None


def _head_bytes(path: Path) -> bytes:
    import gzip

    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as fh:
            return fh.read(_SAMPLE_BYTES)
    except OSError as exc:
        raise DataError(f"Cannot read {path}: {exc}") from None


def _check_encoding(encoding: str) -> str:
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise ParameterError(f"--encoding {encoding!r} is not a known encoding (try utf-8, cp1252, latin-1).") from None
    return encoding


def detect_encoding(raw: bytes) -> str:
    if raw.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        raw.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start >= len(raw) - 3 and len(raw) == _SAMPLE_BYTES:  # a character cut by the sample
            return "utf-8"
    try:
        raw.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"


def _records(sample: str, sep: str, limit: int = 100) -> list[list[str]]:
    reader = csv.reader(io.StringIO(sample), delimiter=sep)
    rows = []
    try:
        for row in reader:
            if row:
                rows.append(row)
            if len(rows) >= limit:
                break
    except csv.Error:
        pass
    if len(sample) >= _SAMPLE_BYTES - 1 and len(rows) > 1:
        rows = rows[:-1]  # the last record may be cut by the sample
    return rows


def sniff_separator(sample: str) -> tuple[str, list[list[str]]]:
    """The separator that best splits the sample into records of the header's width."""
    if not sample.strip():
        raise DataError("The file is empty.")
    best, best_key, best_rows = ",", (-1.0, 0), None
    for sep in _SEPARATORS:
        rows = _records(sample, sep)
        width = len(rows[0]) if rows else 0
        if width < 2:
            continue
        share = sum(len(r) == width for r in rows[1:]) / max(1, len(rows) - 1)
        key = (share, width)
        if key > best_key:
            best, best_key, best_rows = sep, key, rows
    return best, best_rows if best_rows is not None else _records(sample, best)


def detect_decimal(records: list[list[str]], sep: str) -> tuple[str, str | None]:
    """(decimal, thousands): "," only on evidence (fields like -0,65 or 1.234,5)."""
    if sep == ",":
        return ".", None
    fields = [f.strip() for row in records[1:] for f in row]
    comma = sum(bool(_COMMA_NUMBER.match(f) or _THOUSANDS_COMMA.match(f)) for f in fields)
    grouped = sum(bool(_THOUSANDS_DOT.match(f)) for f in fields)
    dot = sum(bool(_DOT_NUMBER.match(f)) and not _THOUSANDS_DOT.match(f) for f in fields)
    if comma == 0 or dot > comma:
        return ".", None
    return ",", ("." if grouped and dot == 0 else None)


def _check_header(records: list[list[str]], sep: str, path: Path) -> None:
    """pandas silently renames a repeated header 'x' to 'x.1'; read the header ourselves."""
    header = records[0] if records else []
    seen: set[str] = set()
    dupes = sorted({name for name in header if name in seen or seen.add(name)})
    if dupes:
        raise DataError(f"{path} has duplicated column name(s): {', '.join(repr(d) for d in dupes)}. "
                        "Rename them so every column has a unique name.")


def column_kinds_from_flags(columns, *, categorical: str | None, numeric: str | None,
                            ignore: str | None) -> dict[str, str] | None:
    """``--categorical a,b --numeric c --ignore d`` as a column_kinds dict (names checked)."""
    kinds: dict[str, str] = {}
    for flag, kind, value in (("--categorical", "categorical", categorical), ("--numeric", "numeric", numeric),
                              ("--ignore", "ignored", ignore)):
        for name in _names(value):
            if name not in columns:
                raise ParameterError(f"{flag} names column {name!r}, which is not in the table. "
                                     f"Columns: {', '.join(map(str, list(columns)[:15]))}.")
            if name in kinds:
                raise ParameterError(f"Column {name!r} is given two kinds ({kinds[name]} and {kind}).")
            kinds[name] = kind
    return kinds or None


def _names(value: str | None) -> list[str]:
    if value is None:
        return []
    return [n.strip() for n in next(csv.reader([value])) if n.strip()]


def describe_kinds(table: pd.DataFrame, target: str, column_kinds: dict | None) -> str:
    """One line on the kinds the schema gives the feature columns (rows with a target)."""
    from collections import Counter

    from autopipe.schema import infer_schema, target_missing_mask

    y = table[target]
    keep = ~target_missing_mask(y)
    if not keep.any():
        raise DataError(f"Every value of the target {target!r} is missing.")
    kinds = {k: v for k, v in (column_kinds or {}).items() if k != target}
    schema = infer_schema(table.loc[keep].drop(columns=[target]), y[keep], column_kinds=kinds)
    used = Counter(c.kind for c in schema.columns if c.used)
    parts = [f"{n} {kind}" for kind, n in used.most_common()]
    high = schema.high_cardinality()
    if high:
        parts.append(f"high cardinality: {', '.join(high[:5])}")
    text = f"Features: {', '.join(parts)}."
    if schema.dropped:
        text += " Dropped: " + "; ".join(f"{c.name} ({c.reason.removeprefix('dropped: ')})"
                                         for c in schema.dropped[:10])
        text += "." if len(schema.dropped) <= 10 else f"; ... ({len(schema.dropped)} in all)."
    return text

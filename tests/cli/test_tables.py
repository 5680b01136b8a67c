"""CSV reading: encoding, separator and decimal mark detected; flags override; kinds shown."""

from __future__ import annotations

import pytest

from autopipe.cli import main
from autopipe.cli.tables import column_kinds_from_flags, read_table
from autopipe.exceptions import DataError, ParameterError


def _write(path, text: str, encoding: str = "utf-8"):
    path.write_bytes(text.encode(encoding))
    return path


def test_bom_and_quoted_newlines(tmp_path):
    text = 'name,note,value\n"Zoë","line one\nline two; with, separators",1.5\n"Al","x",2.5\n'
    frame = read_table(_write(tmp_path / "a.csv", "\ufeff" + text))
    assert list(frame.columns) == ["name", "note", "value"] and frame.shape == (2, 3)
    assert frame.loc[0, "note"] == "line one\nline two; with, separators" and frame["value"].sum() == 4.0
    assert frame.attrs["autopipe_csv"] == {"sep": ",", "decimal": ".", "encoding": "utf-8-sig"}


@pytest.mark.parametrize("encoding, expected", [("utf-16", "utf-16"), ("cp1252", "cp1252")])
def test_other_encodings(tmp_path, encoding, expected):
    frame = read_table(_write(tmp_path / "a.csv", "città;prix\nZürich;1,5\nLyon;2,25\n", encoding))
    assert list(frame.columns) == ["città", "prix"] and frame["prix"].tolist() == [1.5, 2.25]
    assert frame.attrs["autopipe_csv"]["encoding"] == expected


def test_tab_thousands_and_overrides(tmp_path):
    path = _write(tmp_path / "a.tsv", "a\tb\n1.234,5\t1\n2.000,25\t2\n")
    frame = read_table(path)
    assert frame["a"].tolist() == [1234.5, 2000.25]
    dots = _write(tmp_path / "b.csv", "a;b\n1.234;1\n0.5;2\n")
    assert read_table(dots)["a"].tolist() == [1.234, 0.5]  # no comma evidence: "." stays the decimal mark
    assert read_table(dots, sep=";", decimal=".")["a"].tolist() == [1.234, 0.5]
    with pytest.raises(ParameterError, match="not a known encoding"):
        read_table(dots, encoding="nope-8")


def test_parse_error_is_one_data_error(tmp_path):
    path = _write(tmp_path / "bad.csv", 'a,b\n1,"unterminated\n')
    with pytest.raises(DataError, match="Cannot parse"):
        read_table(path)
    with pytest.raises(DataError, match="empty"):
        read_table(_write(tmp_path / "empty.csv", ""))


def test_flags_to_column_kinds():
    cols = ["a", "b", "c"]
    assert column_kinds_from_flags(cols, categorical="a, b", numeric=None, ignore="c") == {
        "a": "categorical", "b": "categorical", "c": "ignored"}
    assert column_kinds_from_flags(cols, categorical=None, numeric=None, ignore=None) is None
    with pytest.raises(ParameterError, match="'zz'"):
        column_kinds_from_flags(cols, categorical="zz", numeric=None, ignore=None)


def test_fit_flags_and_kinds_message(tmp_path, capsys):
    rows = "\n".join(f"{i},{i % 3},{'abc'[i % 3]},{i % 2}" for i in range(40))
    path = _write(tmp_path / "t.csv", "row,code,letter,y\n" + rows + "\n")
    code = main(["fit", str(path), "--target", "y", "--trials", "1", "--out", str(tmp_path / "run"),
                 "--categorical", "code", "--ignore", "letter"])
    assert code == 0
    err = capsys.readouterr().err
    assert "40 rows, 4 columns" in err and "Features: 1 categorical." in err
    assert "letter (ignored on request)" in err and "row (running row number" in err
    assert main(["fit", str(path), "--target", "y", "--ignore", "nope", "--out", str(tmp_path / "r2")]) == 2
    assert "--ignore names column 'nope'" in capsys.readouterr().err

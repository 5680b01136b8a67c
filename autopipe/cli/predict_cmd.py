"""``autopipe predict``: predictions of a saved run for a CSV, one row per input row."""

from __future__ import annotations

import sys

import click
import pandas as pd

from autopipe.cli.tables import read_table


@click.command()
@click.argument("run_dir", type=click.Path(file_okay=False))
@click.argument("data", type=click.Path(dir_okay=False))
@click.option("--out", type=click.Path(dir_okay=False), default=None, help="Output CSV (default: standard output).")
@click.option("--proba", is_flag=True, help="Add one probability column per class (classification).")
@click.option("--sep", default=None, help="CSV separator (default: detected).")
@click.option("--decimal", default=None, help="Decimal mark (default: detected).")
@click.option("--encoding", default=None, help="File encoding (default: UTF-8, BOM allowed).")
def predict(run_dir, data, out, proba, sep, decimal, encoding):
    """Predict with the model saved in RUN_DIR for every row of the CSV file DATA.

    \b
    Example:
      autopipe predict runs/bc new.csv --out predictions.csv --proba
    """
    import autopipe

    model = autopipe.load(run_dir)
    table = read_table(data, sep=sep, decimal=decimal, encoding=encoding)
    target = model.schema_.target
    if target is not None and target in table.columns:
        table = table.drop(columns=[target])
    result = pd.DataFrame({"prediction": model.predict(table)})
    if proba:
        if not hasattr(model, "predict_proba"):
            raise click.UsageError("--proba needs a classification model; this run is a regression.")
        probs = model.predict_proba(table)
        for i, label in enumerate(model.classes_):
            result[f"proba_{label}"] = probs[:, i]
    if out is None:
        result.to_csv(sys.stdout, index=False)
    else:
        result.to_csv(out, index=False)
        click.echo(f"Wrote {len(result)} predictions to {out}.", err=True)

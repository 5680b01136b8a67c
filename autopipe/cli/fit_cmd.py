"""``autopipe fit``: search pipelines for a CSV and write a run directory."""

from __future__ import annotations

from pathlib import Path

import click

from autopipe.cli.progress import Progress, verbosity
from autopipe.cli.tables import column_kinds_from_flags, describe_dialect, describe_kinds, read_table
from autopipe.exceptions import ParameterError


@click.command()
@click.argument("data", type=click.Path(dir_okay=False))
@click.option("--target", required=True, help="Name of the column to predict.")
@click.option("--time-budget", type=click.FloatRange(min=0, min_open=True), default=60.0, show_default=True,
              help="Seconds of search (the final refit comes on top).")
@click.option("--trials", "n_trials", type=click.IntRange(min=1), default=None, help="Stop after this many trials.")
@click.option("--metric", default=None, help="Metric name (roc_auc, log_loss, rmse, accuracy, r2, or any "
                                            "scikit-learn scorer name). Default: by task.")
@click.option("--cv", type=click.IntRange(min=2), default=5, show_default=True, help="Number of CV folds.")
@click.option("--cv-repeats", default="1", show_default=True, callback=lambda ctx, param, v: _repeats(v),
              help="How many reshuffled K-fold draws score each trial; 'auto' = 3 on tables under "
                   "1,000 rows, else 1.")
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed of folds, sampler and models.")
@click.option("--task", type=click.Choice(["binary", "multiclass", "regression"]), default=None,
              help="Force the task instead of inferring it from the target.")
@click.option("--n-jobs", type=int, default=1, show_default=True, help="Trials run in parallel.")
@click.option("--out", type=click.Path(file_okay=False), default=None,
              help="Run directory (default: runs/<data file name>). An existing run is resumed.")
@click.option("--sep", default=None, help="CSV separator (default: detected).")
@click.option("--decimal", default=None, help="Decimal mark (default: detected).")
@click.option("--encoding", default=None, help="File encoding (default: UTF-8, BOM allowed).")
@click.option("--quiet", "-q", is_flag=True, help="Print only errors and the final summary line.")
@click.option("--json", "as_json", is_flag=True,
              help="Print the final summary as one JSON object on standard output (for scripts).")
@click.option("--categorical", default=None, help="Comma-separated columns to treat as categorical.")
@click.option("--numeric", default=None, help="Comma-separated columns to treat as numeric.")
@click.option("--ignore", default=None, help="Comma-separated columns to leave out of the features.")
@click.option("--storage", default=None, help="Study database URL (default: sqlite:///OUT/study.db); "
                                             "postgresql://... lets `autopipe worker` join from other hosts.")
@click.option("--study", "study_name", default=None, help="Study name in --storage (default: autopipe).")
@click.option("--dask", "dask_address", default=None, help="Run trials on this Dask scheduler (tcp://host:8786).")
def fit(data, target, time_budget, n_trials, metric, cv, cv_repeats, seed, task, n_jobs, out, sep, decimal, encoding, quiet,
        storage=None, study_name=None, dask_address=None, categorical=None, numeric=None, ignore=None,
        as_json=False):
    """Search pipelines predicting TARGET in the CSV file DATA; save the best to --out.

    \b
    Examples:
      autopipe fit datasets/breast_cancer.csv --target target --time-budget 60 --out runs/bc
      autopipe fit datasets/diamonds.csv --target price --time-budget 120 --metric rmse
      autopipe -q fit data.csv --target churn --trials 50 --json > result.json
    """
    import autopipe

    quiet = quiet or verbosity() < 0

    table = read_table(data, sep=sep, decimal=decimal, encoding=encoding)
    if target not in table.columns:
        raise ParameterError(f"--target {target!r} is not a column of {data}. Columns: "
                             f"{', '.join(map(str, list(table.columns)[:15]))}.")
    kinds = column_kinds_from_flags(table.columns, categorical=categorical, numeric=numeric, ignore=ignore)
    summary = describe_kinds(table, target, kinds)
    out_dir = Path(out) if out is not None else Path("runs") / Path(data).name.split(".")[0]
    out_dir.mkdir(parents=True, exist_ok=True)
    if not quiet:
        click.echo(f"Read {data} ({describe_dialect(table)}): {table.shape[0]} rows, {table.shape[1]} columns; "
                   f"target {target!r}. {summary}", err=True)
    progress = Progress(time_budget, n_trials, quiet=quiet)
    recipe = {"data": str(Path(data).resolve()), "target": target, "sep": sep, "decimal": decimal,
              "encoding": encoding, "task": task, "metric": metric, "cv": cv, "cv_repeats": cv_repeats,
              "seed": seed, "n_jobs": n_jobs,
              "column_kinds": kinds}
    client = _dask_client(dask_address)
    try:
        model = autopipe.fit(table, target=target, time_budget=time_budget, n_trials=n_trials, metric=metric,
                             cv=cv, cv_repeats=cv_repeats, seed=seed, task=task, n_jobs=n_jobs, column_kinds=kinds,
                             storage=storage or f"sqlite:///{(out_dir / 'study.db').resolve()}",
                             study_name=study_name, callbacks=[progress], dask_client=client,
                             study_attrs={"cli": recipe})
    finally:
        progress.close()
        if client is not None:
            client.close()
    model.save(out_dir)
    best = model.study_.best_trial
    if as_json:
        click.echo(_json_summary(model, best, out_dir))
        return
    click.echo(f"Best: trial {best.number} ({best.params.get('family')}), CV {model.metric_.name} "
               f"{model.cv_score_:.5g}; {len(model.study_.trials)} trials. Saved to {out_dir}/ "
               f"(report: {out_dir / 'report.html'}).")


def _json_summary(model, best, out_dir: Path) -> str:
    import json
    from collections import Counter

    from autopipe.report._jsonable import to_jsonable

    states = Counter(t.state.name.lower() for t in model.study_.trials if t.state.name != "WAITING")
    return json.dumps(to_jsonable({
        "best_trial": best.number, "family": best.params.get("family"), "metric": model.metric_.name,
        "direction": model.metric_.direction, "cv_score": model.cv_score_, "best_params": best.params,
        "n_trials": sum(states.values()), "states": dict(states), "fit_time_s": model.fit_time_,
        "run_dir": str(out_dir), "report": str(out_dir / "report.html"),
    }), allow_nan=False)


def _dask_client(address: str | None):
    if address is None:
        return None
    try:
        from distributed import Client
    except ImportError:
        raise ParameterError("--dask needs dask.distributed: pip install 'autopipe[scale]'.") from None
    try:
        return Client(address, timeout=30)
    except OSError as exc:
        raise ParameterError(f"--dask: cannot reach the Dask scheduler at {address} ({exc}).") from None


def _repeats(value: str) -> int | str:
    """--cv-repeats: 'auto' or a whole number >= 1."""
    if value == "auto":
        return value
    if not value.isdigit() or int(value) < 1:
        raise click.BadParameter(f"must be 'auto' or a whole number >= 1. Got {value!r}.")
    return int(value)

"""``autopipe worker``: join a shared study from any host and run trials for it."""

from __future__ import annotations

import math

import click

from autopipe.exceptions import ParameterError


@click.command()
@click.option("--storage", required=True, help="Study database URL, e.g. postgresql://user:pw@db-host/autopipe.")
@click.option("--study", "study_name", required=True, help="Name of the study to join.")
@click.option("--time-budget", type=click.FloatRange(min=0, min_open=True), default=60.0, show_default=True,
              help="Seconds this worker searches.")
@click.option("--trials", "n_trials", type=click.IntRange(min=1), default=None, help="Stop after this many trials.")
@click.option("--n-jobs", type=int, default=1, show_default=True, help="Trials this worker runs in parallel.")
@click.option("--data", type=click.Path(dir_okay=False), default=None,
              help="CSV file (default: the path recorded with the study; it must be readable on this host).")
@click.option("--target", default=None, help="Target column (default: as recorded with the study).")
@click.option("--quiet", "-q", is_flag=True, help="Print only errors and the final summary line.")
def worker(storage, study_name, time_budget, n_trials, n_jobs, data, target, quiet):
    """Run trials of the study STUDY in STORAGE, with the data and settings recorded with it.

    Start the study with `autopipe fit ... --storage URL --study NAME`, then start workers
    on other machines; the run that started the study refits and saves the best pipeline.

    \b
    Example:
      autopipe worker --storage postgresql://autopipe:pw@db/autopipe --study churn --time-budget 600
    """
    import autopipe
    from autopipe.cli.progress import Progress
    from autopipe.cli.tables import read_table

    recipe, study_name = _recipe(storage, study_name, data, target)
    table = read_table(recipe["data"], sep=recipe.get("sep"), decimal=recipe.get("decimal"),
                       encoding=recipe.get("encoding"))
    if recipe["target"] not in table.columns:
        raise ParameterError(f"Target {recipe['target']!r} is not a column of {recipe['data']}.")
    progress = Progress(time_budget, n_trials, quiet=quiet)
    try:
        model = autopipe.fit(table, target=recipe["target"], time_budget=time_budget, n_trials=n_trials,
                             metric=recipe.get("metric"), cv=recipe.get("cv", 5),
                             cv_repeats=recipe.get("cv_repeats", 1), seed=recipe.get("seed", 0),
                             task=recipe.get("task"), n_jobs=n_jobs, storage=storage, study_name=study_name,
                             callbacks=[progress], refit=False)
    finally:
        progress.close()
    best = "none complete yet" if math.isnan(model.cv_score_) else f"{model.cv_score_:.5g}"
    click.echo(f"Worker done: {progress.done} trial(s) run here; study {study_name!r} has "
               f"{len(model.study_.trials)} trials, best CV {model.metric_.name} {best}.")


def _recipe(storage: str, study_name: str, data: str | None, target: str | None) -> tuple[dict, str]:
    from autopipe.cli.resume_cmd import read_recipe

    if data is not None and target is not None:
        try:
            recorded, study_name = read_recipe(storage, study_name)
        except ParameterError:
            recorded = {}
        return {**recorded, "data": data, "target": target}, study_name
    recipe, study_name = read_recipe(storage, study_name)
    if data is not None:
        recipe = {**recipe, "data": data}
    if target is not None:
        recipe = {**recipe, "target": target}
    return recipe, study_name

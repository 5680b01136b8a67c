"""``autopipe resume``: continue the search of a run directory after a stop or a crash."""

from __future__ import annotations

from pathlib import Path

import click

from autopipe.exceptions import ParameterError


@click.command()
@click.argument("run_dir", type=click.Path(file_okay=False))
@click.option("--time-budget", type=click.FloatRange(min=0, min_open=True), default=60.0, show_default=True,
              help="Seconds of further search (the final refit comes on top).")
@click.option("--trials", "n_trials", type=click.IntRange(min=1), default=None, help="Stop after this many more trials.")
@click.option("--n-jobs", type=int, default=None, help="Trials run in parallel (default: as recorded).")
@click.option("--storage", default=None, help="Study database URL (default: sqlite:///RUN_DIR/study.db).")
@click.option("--study", "study_name", default=None, help="Study name in --storage.")
@click.option("--dask", "dask_address", default=None, help="Run trials on this Dask scheduler (tcp://host:8786).")
@click.option("--quiet", "-q", is_flag=True, help="Print only errors and the final summary line.")
@click.pass_context
def resume(ctx, run_dir, time_budget, n_trials, n_jobs, storage, study_name, dask_address, quiet):
    """Continue the study of RUN_DIR with the data, target and settings recorded by `autopipe fit`.

    Trials completed before are kept; trials left running by a dead run are failed and
    queued again; the CV folds are the same. The best pipeline is refit and saved again.

    \b
    Example:
      autopipe resume runs/bc --time-budget 120
    """
    from autopipe.cli.fit_cmd import fit

    recipe, study_name = read_recipe(storage or _local_storage(run_dir), study_name)
    ctx.invoke(fit, data=recipe["data"], target=recipe["target"], time_budget=time_budget, n_trials=n_trials,
               metric=recipe.get("metric"), cv=recipe.get("cv", 5), cv_repeats=recipe.get("cv_repeats", 1),
               seed=recipe.get("seed", 0),
               task=recipe.get("task"), n_jobs=recipe.get("n_jobs", 1) if n_jobs is None else n_jobs,
               out=run_dir, sep=recipe.get("sep"), decimal=recipe.get("decimal"), encoding=recipe.get("encoding"),
               quiet=quiet, storage=storage, study_name=study_name, dask_address=dask_address)


def _local_storage(run_dir: str) -> str:
    db = Path(run_dir) / "study.db"
    if not db.is_file():
        raise ParameterError(f"{run_dir} holds no study.db: nothing to resume (start it with `autopipe fit`, "
                             "or give --storage and --study).")
    return f"sqlite:///{db.resolve()}"


def read_recipe(storage: str, study_name: str | None) -> tuple[dict, str]:
    """The data path, target and settings `autopipe fit` recorded with the study."""
    from autopipe.exceptions import StudyError
    from autopipe.search import load_study

    try:
        study = load_study(storage=storage, study_name=study_name)
    except StudyError as exc:
        raise ParameterError(str(exc)) from None
    try:
        recipe = study.user_attrs.get("cli")
    finally:
        study._storage.close()
    if not recipe:
        raise ParameterError(f"Study {study.study_name!r} was not started by `autopipe fit`: its data path and "
                             "target are unknown. Give them with --data and --target.")
    return recipe, study.study_name

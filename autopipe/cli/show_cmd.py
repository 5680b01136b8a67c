"""``autopipe show``: the leaderboard of a run in the terminal (or as JSON for scripts)."""

from __future__ import annotations

from pathlib import Path

import click
import pandas as pd

COLUMNS = ("rank", "trial", "state", "score", "folds_done", "family", "selection", "duration_s")


@click.command()
@click.argument("run_dir", type=click.Path(file_okay=False))
@click.option("--top", type=click.IntRange(min=1), default=15, show_default=True, help="Rows to show.")
@click.option("--json", "as_json", is_flag=True, help="Print the leaderboard as JSON records.")
def show(run_dir, top, as_json):
    """Print the best trials of the run in RUN_DIR, best first.

    \b
    Examples:
      autopipe show runs/bc
      autopipe show runs/bc --top 5
      autopipe show runs/bc --json | jq '.[0].params'
    """
    from autopipe.artifact import read_manifest

    manifest = read_manifest(Path(run_dir))
    board = pd.read_csv(Path(run_dir) / "leaderboard.csv")
    if as_json:
        click.echo(board.head(top).to_json(orient="records"))
        return
    metric = manifest["metric"]
    click.echo(f"{manifest['task']} · {metric['name']} ({metric['direction']}) · best CV {manifest['cv_score']:.5g} "
               f"· {len(board)} trials")
    cols = [c for c in COLUMNS if c in board.columns]
    with pd.option_context("display.width", 160, "display.max_columns", 20):
        click.echo(board[cols].head(top).to_string(index=False))

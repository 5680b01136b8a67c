"""``autopipe report``: (re)write report.html of a run directory."""

from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.argument("run_dir", type=click.Path(file_okay=False))
@click.option("--out", type=click.Path(dir_okay=False), default=None, help="HTML file (default: RUN_DIR/report.html).")
def report(run_dir, out):
    """Write the self-contained HTML report of the run in RUN_DIR."""
    import autopipe

    model = autopipe.load(run_dir)
    path = model.report(Path(out) if out else Path(run_dir) / "report.html")
    click.echo(f"Wrote {path}.")

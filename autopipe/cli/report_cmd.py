"""``autopipe report``: (re)write report.html of a run directory."""

from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.argument("run_dir", type=click.Path(file_okay=False))
@click.option("--out", type=click.Path(dir_okay=False), default=None, help="HTML file (default: RUN_DIR/report.html).")
def report(run_dir, out):
    """Write the self-contained HTML report of the run in RUN_DIR (summary.json beside it).

    \b
    Examples:
      autopipe report runs/bc                       # rewrites runs/bc/report.html
      autopipe report runs/bc --out /tmp/bc.html    # somewhere else
    """
    import autopipe
    from autopipe.artifact import refresh_checksums

    model = autopipe.load(run_dir)
    target = Path(out) if out else Path(run_dir) / "report.html"
    path = model.report(target)
    if Path(path).resolve().parent == Path(run_dir).resolve():
        refresh_checksums(run_dir)  # the run's own report changed: keep its manifest true
    click.echo(f"Wrote {path}.")

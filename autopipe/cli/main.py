"""Entry point: ``autopipe fit | predict | report | show``.

``main(argv) -> int`` is what tests call; exit codes are 0 (ok), 1 (runtime error),
2 (usage error). Errors are printed as one line, never as a traceback.
"""

from __future__ import annotations

import sys

import click

from autopipe.cli import fit_cmd, predict_cmd, report_cmd, resume_cmd, show_cmd, worker_cmd
from autopipe.exceptions import AutopipeError, ParameterError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="autopipe")
@click.option("--quiet", "-q", is_flag=True, help="Print only errors and final results (no progress).")
@click.option("--verbose", "-v", count=True, help="Print more: one line per finished trial.")
@click.pass_context
def cli(ctx: click.Context, quiet: bool, verbose: int) -> None:
    """autopipe: search machine-learning pipelines for a table, save the best, explain it.

    \b
    Examples:
      autopipe fit datasets/breast_cancer.csv --target target --time-budget 60 --out runs/bc
      autopipe -v fit datasets/diamonds.csv --target price --time-budget 120 --out runs/diamonds
      autopipe fit data.csv --target churn --json          # final result as one JSON line
      autopipe show runs/bc                               # leaderboard table
      autopipe show runs/bc --json | jq '.[0]'            # the same, for scripts
      autopipe predict runs/bc new.csv --out predictions.csv --proba
      autopipe report runs/bc                             # rewrite runs/bc/report.html

    Run `autopipe COMMAND --help` for each command's options.
    """
    ctx.ensure_object(dict)
    ctx.obj["verbosity"] = -1 if quiet else verbose


cli.add_command(fit_cmd.fit)
cli.add_command(predict_cmd.predict)
cli.add_command(report_cmd.report)
cli.add_command(show_cmd.show)
cli.add_command(resume_cmd.resume)
cli.add_command(worker_cmd.worker)


def main(argv: list[str] | None = None) -> int:
    try:
        cli.main(args=argv, prog_name="autopipe", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        return 1
    except click.UsageError as exc:
        if exc.ctx is not None:
            click.echo(exc.ctx.get_usage(), err=True)
        click.echo(f"error: {exc.format_message()}", err=True)
        return 2
    except click.ClickException as exc:
        click.echo(f"error: {exc.format_message()}", err=True)
        return exc.exit_code
    except ParameterError as exc:
        click.echo(f"error: {exc}", err=True)
        return 2
    except AutopipeError as exc:
        click.echo(f"error: {exc}", err=True)
        return 1
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        return 1
    except Exception as exc:  # noqa: BLE001 - one line for the user, never a traceback
        click.echo(f"error: unexpected {type(exc).__name__}: {exc}", err=True)
        return 1
    return 0


def entry_point() -> None:
    sys.exit(main())

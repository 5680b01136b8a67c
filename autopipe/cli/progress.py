"""Progress of a search on the terminal: trials done, best so far, time left.

On a terminal it is one line, redrawn in place and cut to the terminal's width:

    [#########-----------]  trials 23  pruned 7  best 0.99213  38s left

Elsewhere (a log file, CI) a plain line every five seconds. The global ``--quiet``
silences it; ``--verbose`` adds one line per finished trial.
"""

from __future__ import annotations

import shutil
import sys
import time

import click

from autopipe.search import TrialState

BAR_WIDTH = 20
LOG_EVERY_S = 5.0


def verbosity() -> int:
    """-1 with the global --quiet, the number of -v given otherwise (0 outside a command)."""
    ctx = click.get_current_context(silent=True)
    obj = ctx.find_root().obj if ctx is not None else None
    return int((obj or {}).get("verbosity", 0)) if isinstance(obj, dict) else 0


class Progress:
    """A study callback that redraws one status line (or prints lines when not a TTY)."""

    def __init__(self, time_budget: float | None, n_trials: int | None, *, stream=None, quiet: bool = False,
                 verbose: bool | None = None):
        level = verbosity()
        self.time_budget = time_budget
        self.n_trials = n_trials
        self.stream = stream if stream is not None else sys.stderr
        self.quiet = bool(quiet) or level < 0
        self.verbose = (level > 0 if verbose is None else bool(verbose)) and not self.quiet
        self.started = time.monotonic()
        self.done = 0
        self.pruned = 0
        self.failed = 0
        self.best: float | None = None
        self._tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self._last_line = 0.0
        self._drawn = False

    def __call__(self, study, trial) -> None:
        self.done += 1
        self.pruned += trial.state == TrialState.PRUNED
        self.failed += trial.state == TrialState.FAIL
        if trial.state == TrialState.COMPLETE:
            try:
                self.best = study.best_value
            except Exception:  # noqa: BLE001 - progress must never break a search
                pass
        if self.quiet:
            return
        if self.verbose:
            self._print(self.trial_line(trial))
        now = time.monotonic()
        if self._tty:
            self._redraw()
        elif now - self._last_line >= LOG_EVERY_S or self._finished() or self.verbose:
            self._last_line = now
            if not self.verbose:
                self._print(self.line())

    def _finished(self) -> bool:
        return self.n_trials is not None and self.done >= self.n_trials

    def fraction(self) -> float:
        """How far the search is through its budget (the further of time and trials)."""
        parts = []
        if self.time_budget:
            parts.append((time.monotonic() - self.started) / float(self.time_budget))
        if self.n_trials:
            parts.append(self.done / self.n_trials)
        return min(1.0, max(parts)) if parts else 0.0

    def line(self) -> str:
        elapsed = time.monotonic() - self.started
        parts = [f"trials {self.done}" + (f"/{self.n_trials}" if self.n_trials else ""),
                 f"pruned {self.pruned}"]
        if self.failed:
            parts.append(f"failed {self.failed}")
        parts.append("best " + ("-" if self.best is None else f"{self.best:.5g}"))
        if self.time_budget is not None:
            parts.append(f"{max(0.0, self.time_budget - elapsed):.0f}s left")
        else:
            parts.append(f"{elapsed:.0f}s")
        return "  ".join(parts)

    def bar(self) -> str:
        filled = int(round(self.fraction() * BAR_WIDTH))
        return "[" + "#" * filled + "-" * (BAR_WIDTH - filled) + "]"

    @staticmethod
    def trial_line(trial) -> str:
        value = "-" if trial.value is None else f"{trial.value:.5g}"
        family = (trial.params or {}).get("family", "")
        return f"trial {trial.number:>4}  {trial.state.name.lower():<8}  {value:>10}  {family}"

    def _redraw(self) -> None:
        width = max(20, shutil.get_terminal_size((100, 20)).columns - 1)
        text = f"{self.bar()}  {self.line()}"[:width]
        click.echo("\r" + text + "\x1b[K", file=self.stream, nl=False)
        self._drawn = True

    def _print(self, text: str) -> None:
        if self._tty and self._drawn:
            click.echo("\r\x1b[K", file=self.stream, nl=False)
            self._drawn = False
        click.echo(text, file=self.stream)

    def close(self) -> None:
        if self._tty and self._drawn and not self.quiet:
            click.echo("", file=self.stream)
            self._drawn = False

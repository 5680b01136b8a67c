"""Progress of a search on the terminal: trials done, best so far, time left."""

from __future__ import annotations

import sys
import time

import click

from autopipe.search import TrialState


class Progress:
    """A study callback that redraws one status line (or prints lines when not a TTY)."""

    def __init__(self, time_budget: float | None, n_trials: int | None, *, stream=None, quiet: bool = False):
        self.time_budget = time_budget
        self.n_trials = n_trials
        self.stream = stream if stream is not None else sys.stderr
        self.quiet = quiet
        self.started = time.monotonic()
        self.done = 0
        self.pruned = 0
        self.best: float | None = None
        self._tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self._last_line = 0.0

    def __call__(self, study, trial) -> None:
        self.done += 1
        self.pruned += trial.state == TrialState.PRUNED
        if trial.state == TrialState.COMPLETE:
            try:
                self.best = study.best_value
            except Exception:  # noqa: BLE001 - progress must never break a search
                pass
        if self.quiet:
            return
        now = time.monotonic()
        if self._tty or now - self._last_line >= 5 or self._finished():
            self._last_line = now
            end = "\r" if self._tty else "\n"
            click.echo(self.line() + end, file=self.stream, nl=False)

    def _finished(self) -> bool:
        return self.n_trials is not None and self.done >= self.n_trials

    def line(self) -> str:
        elapsed = time.monotonic() - self.started
        parts = [f"trials {self.done}" + (f"/{self.n_trials}" if self.n_trials else ""),
                 f"pruned {self.pruned}",
                 "best " + ("-" if self.best is None else f"{self.best:.5g}")]
        if self.time_budget is not None:
            parts.append(f"{max(0.0, self.time_budget - elapsed):.0f}s left")
        else:
            parts.append(f"{elapsed:.0f}s")
        return "  ".join(parts)

    def close(self) -> None:
        if self._tty and not self.quiet:
            click.echo("", file=self.stream)

"""Trials in k processes on this machine, sharing the study through its database.

Workers are fresh interpreters (``python -m autopipe.search.executors._child``), so
nothing of the caller's state is inherited by fork (database connections, OpenMP
pools, locks held by other threads) and a script needs no ``__main__`` guard. The
caller hands out each trial, so ``n_trials`` and ``timeout`` are exact and callbacks
run here, as each trial finishes.
"""

from __future__ import annotations

import base64
import os
import selectors
import subprocess
import sys
import tempfile
import time
from typing import TYPE_CHECKING, Callable

import cloudpickle

if TYPE_CHECKING:
    from autopipe.search.study import Study


def optimize_in_processes(study: "Study", payload: bytes, *, n_jobs: int, keep_going: Callable[[], bool],
                          callbacks: list) -> None:
    with tempfile.NamedTemporaryFile(prefix="autopipe-payload-", suffix=".pkl", delete=False) as fh:
        fh.write(payload)
    workers: list[subprocess.Popen] = []
    try:
        workers = [_start(fh.name) for _ in range(n_jobs)]
        error = _serve(study, workers, keep_going, callbacks)
    except BaseException:
        _shutdown(workers, patience=10.0)
        raise
    finally:
        _shutdown(workers, patience=60.0)
        os.unlink(fh.name)
    if error is not None:
        raise error


def _start(payload_path: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "autopipe.search.executors._child", payload_path],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)


def _serve(study: "Study", workers: list[subprocess.Popen], keep_going: Callable[[], bool],
           callbacks: list) -> BaseException | None:
    """Answer the workers until all have stopped; return the first uncaught objective error."""
    selector = selectors.DefaultSelector()
    pending: dict[int, bytes] = {}
    for proc in workers:
        selector.register(proc.stdout, selectors.EVENT_READ, proc)
        pending[proc.pid] = b""
    error: BaseException | None = None
    while selector.get_map():
        for key, _ in selector.select(timeout=1.0):
            proc: subprocess.Popen = key.data
            chunk = os.read(proc.stdout.fileno(), 65536)
            if not chunk:
                selector.unregister(proc.stdout)
                continue
            *lines, pending[proc.pid] = (pending[proc.pid] + chunk).split(b"\n")
            for line in lines:
                error = _answer(study, proc, line.decode("ascii").strip(), keep_going, callbacks, error)
    return error


def _answer(study, proc, line: str, keep_going, callbacks, error):
    word, _, rest = line.partition(" ")
    if word == "next":
        _send(proc, "go" if error is None and keep_going() else "stop")
    elif word == "done":
        frozen = study._storage.get_trial(int(rest))
        for callback in callbacks:
            callback(study, frozen)
    elif word == "error" and error is None:
        error = cloudpickle.loads(base64.b64decode(rest))
    return error


def _send(proc: subprocess.Popen, word: str) -> None:
    try:
        proc.stdin.write((word + "\n").encode("ascii"))
    except (BrokenPipeError, OSError):
        pass


def _shutdown(workers: list[subprocess.Popen], patience: float) -> None:
    """Close each worker's stdin (it stops after its current trial); kill laggards."""
    for proc in workers:
        try:
            proc.stdin.close()
        except OSError:
            pass
    deadline = time.monotonic() + patience
    for proc in workers:
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()


__all__ = ["optimize_in_processes"]

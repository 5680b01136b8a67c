"""Retry a database transaction that lost a race for a lock, with jittered backoff.

SQLite answers 'database is locked' when a writer holds the file longer than the busy
timeout; PostgreSQL answers 'deadlock detected' or 'could not serialize'. The whole
transaction was rolled back in each case, so running it again is safe.
"""

from __future__ import annotations

import random
import time
from typing import Callable, TypeVar

import sqlalchemy as sa

T = TypeVar("T")

_TRANSIENT = ("database is locked", "database is busy", "deadlock detected", "could not serialize",
              "database table is locked")


def is_transient(exc: BaseException) -> bool:
    if not isinstance(exc, sa.exc.OperationalError):
        return False
    text = str(getattr(exc, "orig", exc)).lower()
    return any(marker in text for marker in _TRANSIENT)


def with_retries(fn: Callable[[], T], *, attempts: int = 12, first_wait: float = 0.05,
                 max_wait: float = 2.0, also: tuple[type[BaseException], ...] = ()) -> T:
    """Call ``fn`` until it succeeds; retry transient lock errors (and ``also``) up to ``attempts`` times."""
    wait = first_wait
    for attempt in range(attempts):
        try:
            return fn()
        except (sa.exc.OperationalError, *also) as exc:
            if attempt == attempts - 1 or not (is_transient(exc) or isinstance(exc, also)):
                raise
        time.sleep(wait * (0.5 + random.random()))
        wait = min(max_wait, wait * 2)
    raise AssertionError("unreachable")

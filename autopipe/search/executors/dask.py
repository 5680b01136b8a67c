"""Trials on a Dask distributed cluster: each task runs one trial on a worker.

The study and objective are pickled once (cloudpickle), scattered to the workers and
unpickled once per worker process. Workers reach the study through its storage URL, so
it must be a database they can all open: PostgreSQL across machines, a SQLite file for
a ``LocalCluster``. This process keeps one trial in flight per worker thread, decides
when to stop, and runs the callbacks as trials finish.
"""

from __future__ import annotations

import threading
import uuid
from typing import TYPE_CHECKING, Callable

from autopipe.exceptions import ParameterError

if TYPE_CHECKING:
    from autopipe.search.study import Study

_LOADED: dict[str, object] = {}
_LOADED_LOCK = threading.Lock()


def optimize_on_dask(study: "Study", payload: bytes, *, client, keep_going: Callable[[], bool],
                     callbacks: list) -> None:
    try:
        from distributed import as_completed, wait
    except ImportError:
        raise ParameterError("dask_client needs dask.distributed: pip install 'autopipe[scale]'.") from None
    token = uuid.uuid4().hex
    shared = client.scatter(payload, broadcast=True, hash=False)
    slots = max(1, sum(client.nthreads().values()))

    def submit():
        return client.submit(_run_one_trial, shared, token, pure=False)

    running = as_completed([submit() for _ in range(slots) if keep_going()])
    error = None
    for future in running:
        try:
            trial_id = future.result()
        except Exception as exc:  # noqa: BLE001 - re-raised once the trials in flight have ended
            error = error or exc
            continue
        frozen = study._storage.get_trial(trial_id)
        for callback in callbacks:
            callback(study, frozen)
        if error is None and keep_going():
            running.add(submit())
    client.run(_forget, token)
    wait([shared])
    if error is not None:
        raise error


def _run_one_trial(payload: bytes, token: str) -> int:
    """Runs on a worker: unpickle the study once per process, then run one trial."""
    from autopipe.search.executors._payload import Payload

    with _LOADED_LOCK:
        loaded = _LOADED.get(token)
        if loaded is None:
            loaded = _LOADED[token] = Payload.loads(payload)
    with loaded.environment():
        return loaded.run_one().trial_id


def _forget(token: str) -> None:
    with _LOADED_LOCK:
        loaded = _LOADED.pop(token, None)
    if loaded is not None:
        loaded.study._storage.close()

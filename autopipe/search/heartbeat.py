"""Heartbeats: a running trial proves its worker alive; a silent one is failed and retried.

A worker that is killed (SIGKILL, power loss, a preempted machine) cannot record its
trial's end. While an objective runs, a daemon thread beats every
``storage.heartbeat_interval`` seconds; before starting a trial, every worker asks the
storage for RUNNING trials that stopped beating (or whose process on this host is
gone), marks them FAIL, and queues each once more with the parameters it had drawn so
far (system attrs ``retry_of`` and ``retries``), up to ``MAX_RETRIES`` times.
"""

from __future__ import annotations

import contextlib
import threading
from typing import TYPE_CHECKING, Iterator

from autopipe.search.frozen import FrozenTrial, TrialState

if TYPE_CHECKING:
    from autopipe.search.study import Study
    from autopipe.search.trial import Trial

MAX_RETRIES = 1


@contextlib.contextmanager
def heartbeat(study: "Study", trial: "Trial") -> Iterator[None]:
    """Beat for ``trial`` while the block runs (no thread when the storage keeps no heartbeats)."""
    storage = study._storage
    interval = getattr(storage, "heartbeat_interval", None)
    if interval is None:
        yield
        return
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(interval):
            try:
                storage.record_heartbeat(trial._trial_id)
            except Exception:  # noqa: BLE001 - a missed beat must never kill the trial
                pass

    thread = threading.Thread(target=beat, name=f"autopipe-heartbeat-{trial.number}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=5)


def fail_stale_trials(study: "Study", max_retries: int = MAX_RETRIES) -> list[FrozenTrial]:
    """Fail the study's trials whose worker died; queue each again (once by default)."""
    failed = []
    for trial_id in study._storage.fail_stale_trials(study._study_id):
        record = study._storage.get_trial(trial_id)
        failed.append(record)
        retries = int(record.system_attrs.get("retries", 0))
        if retries < max_retries:
            template = FrozenTrial(number=-1, state=TrialState.WAITING, value=None, params={}, distributions={},
                                   system_attrs={"fixed_params": dict(record.params), "retry_of": record.number,
                                                 "retries": retries + 1})
            study._storage.create_new_trial(study._study_id, template)
    return failed

"""Where trials run when a study is optimised in parallel.

- threads (``_optimize``): the in-memory storage, or an objective that cannot be pickled;
- processes on this machine (``process``): ``n_jobs > 1`` with a database storage;
- a Dask cluster (``dask``): ``optimize(..., dask_client=client)``.

Processes and Dask workers share the study through its storage, so the storage must be
a database every worker can reach (a SQLite file on this machine or a shared disk,
PostgreSQL for many machines). The calling process hands out trials (so ``n_trials``
and ``timeout`` are exact) and runs the callbacks as trials finish.
"""

from autopipe.search.executors._payload import Payload, can_run_out_of_process

__all__ = ["Payload", "can_run_out_of_process"]

"""What a worker process needs to run trials of a study: the study, objective, rules."""

from __future__ import annotations

import contextlib
import io
import pickle
import sys
import threading
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

import cloudpickle

from autopipe.search.frozen import FrozenTrial


@dataclass
class Payload:
    """Pickled with cloudpickle, so closures and lambdas travel too."""

    study: Any
    func: Callable
    catch: tuple[type[BaseException], ...]
    sys_path: list[str] = field(default_factory=lambda: list(sys.path))
    warning_filters: list = field(default_factory=lambda: list(warnings.filters))
    limit_threads: bool = True

    def dumps(self) -> bytes:
        buffer = io.BytesIO()
        _Pickler(buffer).dump(self)
        return pickle.dumps((self.sys_path, buffer.getvalue()))

    @staticmethod
    def loads(data: bytes) -> "Payload":
        """Extend sys.path before unpickling: objectives defined in the caller's modules
        are pickled by reference and must be importable here."""
        sys_path, body = pickle.loads(data)
        sys.path.extend(p for p in sys_path if p not in sys.path)
        return cloudpickle.loads(body)

    @contextlib.contextmanager
    def environment(self) -> Iterator[None]:
        """The caller's warning filters; native thread pools at one thread per trial, so
        k worker processes use k cores rather than k times all of them."""
        with warnings.catch_warnings():
            warnings.filters[:] = self.warning_filters
            if not self.limit_threads:
                yield
                return
            from threadpoolctl import threadpool_limits

            with threadpool_limits(limits=1):
                yield

    def run_one(self) -> FrozenTrial:
        from autopipe.search._optimize import run_trial

        return run_trial(self.study, self.func, self.catch, [])


def can_run_out_of_process(storage) -> bool:
    """A storage other processes can open: a database file or server, not memory."""
    url = getattr(storage, "url", None)
    if not isinstance(url, str):
        return False
    import sqlalchemy as sa

    parsed = sa.engine.make_url(url)
    return not (parsed.get_backend_name() == "sqlite" and parsed.database in (None, "", ":memory:"))


_LOCKS = {type(threading.Lock()): threading.Lock, type(threading.RLock()): threading.RLock}


class _Pickler(cloudpickle.CloudPickler):
    """cloudpickle, plus: a lock (say, guarding a per-run cache in the objective's closure)
    travels as a fresh, unlocked lock of the same kind."""

    def reducer_override(self, obj):
        factory = _LOCKS.get(type(obj))
        if factory is not None:
            return factory, ()
        return super().reducer_override(obj)

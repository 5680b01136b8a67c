"""Storages keep studies: in memory for one process, or in a database to share and resume."""

from __future__ import annotations

from autopipe.exceptions import ParameterError
from autopipe.search.storage.base import BaseStorage
from autopipe.search.storage.memory import InMemoryStorage


def get_storage(storage: "str | BaseStorage | None") -> BaseStorage:
    """None -> a new in-memory storage; a URL (sqlite:///path.db, postgresql://...) -> RDBStorage."""
    if storage is None:
        return InMemoryStorage()
    if isinstance(storage, BaseStorage):
        return storage
    if isinstance(storage, str):
        from autopipe.search.storage.rdb import RDBStorage

        return RDBStorage(storage)
    raise ParameterError(f"'storage' must be None, a database URL or a storage object. Got {type(storage).__name__}.")


__all__ = ["BaseStorage", "InMemoryStorage", "get_storage"]

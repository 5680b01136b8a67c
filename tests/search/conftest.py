"""Shared fixtures: every storage and every sampler, so contract suites run them all."""

from __future__ import annotations

import pytest

from autopipe.search import InMemoryStorage, NopPruner, RandomSampler, TPESampler, create_study
from autopipe.search.storage.rdb import RDBStorage

SAMPLERS = {
    "random": lambda seed=None: RandomSampler(seed=seed),
    "tpe": lambda seed=None: TPESampler(seed=seed),
    "tpe_univariate": lambda seed=None: TPESampler(seed=seed, multivariate=False),
}


@pytest.fixture(params=sorted(SAMPLERS))
def make_sampler(request):
    """A factory ``seed -> sampler`` for each sampler under test."""
    return SAMPLERS[request.param]


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def storage(request, tmp_path):
    """A fresh storage object of each kind; closed after the test (PostgreSQL: see pg_server)."""
    if request.param == "postgresql":
        from pg_server import fresh_database

        with fresh_database() as url:
            backend = RDBStorage(url)
            yield backend
            backend.close()
        return
    backend = InMemoryStorage() if request.param == "memory" else RDBStorage(f"sqlite:///{tmp_path / 'study.db'}")
    yield backend
    backend.close()


@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path / 'shared.db'}"


@pytest.fixture
def new_study():
    """``create_study`` with pruning off unless asked, so samplers are judged on their own."""

    def make(storage=None, sampler=None, **kwargs):
        kwargs.setdefault("pruner", NopPruner())
        return create_study(storage=storage, sampler=sampler, **kwargs)

    return make

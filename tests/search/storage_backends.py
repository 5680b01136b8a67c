"""Database URLs for the scaling tests: a SQLite file, or a fresh PostgreSQL schema."""

from __future__ import annotations

import pytest


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'study.db'}"
        return
    from pg_server import fresh_database

    with fresh_database() as url:
        yield url

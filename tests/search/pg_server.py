"""A PostgreSQL database per test, on the server .ci/run starts.

The server comes from AUTOPIPE_TEST_POSTGRES_URL (or, on a developer machine, the local
default below). Without one the tests skip with the reason, except in CI (CI=true),
where a missing server is a failure: the storage must be tested on both backends.
"""

from __future__ import annotations

import os
import uuid
from contextlib import contextmanager

import pytest

LOCAL_DEFAULT = "postgresql://autopipe:autopipe@localhost:5432/autopipe_test"


def server_url() -> str:
    url = os.environ.get("AUTOPIPE_TEST_POSTGRES_URL", LOCAL_DEFAULT)
    reason = _unreachable(url)
    if reason is not None:
        message = (f"no PostgreSQL server at {_safe(url)} ({reason}); set AUTOPIPE_TEST_POSTGRES_URL "
                   "(.ci/run installs and starts one)")
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true: " + message)
        pytest.skip(message)
    return url


@contextmanager
def fresh_database():
    """Yield the URL of a new, empty schema (search_path set in the URL); drop it afterwards."""
    import sqlalchemy as sa

    base = sa.engine.make_url(server_url())
    name = f"autopipe_t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{name}"')
    try:
        yield base.update_query_dict({"options": f"-csearch_path={name}"}).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
        admin.dispose()


def _unreachable(url: str) -> str | None:
    try:
        import sqlalchemy as sa

        engine = sa.create_engine(url, connect_args={"connect_timeout": 5})
        with engine.connect():
            pass
        engine.dispose()
    except Exception as exc:  # noqa: BLE001 - any failure means: no usable server
        return f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
    return None


def _safe(url: str) -> str:
    import sqlalchemy as sa

    return sa.engine.make_url(url).render_as_string(hide_password=True)

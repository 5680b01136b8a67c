"""SQLAlchemy engines tuned per backend: SQLite shared by processes, PostgreSQL by hosts.

SQLite runs in WAL mode (readers never wait for the writer) with a busy timeout, and
every write transaction starts with ``BEGIN IMMEDIATE``: it takes the write lock up
front, waiting through the busy timeout, instead of reading first and failing with
'database is locked' when another process wrote in between (a deferred transaction
that upgrades a stale read snapshot fails at once, without waiting).
"""

from __future__ import annotations

import sqlalchemy as sa

BUSY_TIMEOUT_MS = 30_000


def _sqlite_connect(dbapi_conn, _record) -> None:
    dbapi_conn.isolation_level = None  # we emit BEGIN ourselves (see _sqlite_begin)
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def _sqlite_begin(conn) -> None:
    immediate = conn.get_execution_options().get("autopipe_write", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def make_engines(url: str) -> tuple[sa.Engine, sa.Engine]:
    """(reader, writer): the writer marks its transactions as writes (BEGIN IMMEDIATE on SQLite)."""
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = sa.create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
        sa.event.listen(engine, "connect", _sqlite_connect)
        sa.event.listen(engine, "begin", _sqlite_begin)
    else:
        engine = sa.create_engine(url, pool_pre_ping=True, pool_size=2, max_overflow=8)
    return engine, engine.execution_options(autopipe_write=True)


def safe_url(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return url

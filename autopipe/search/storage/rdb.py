"""Relational storage through SQLAlchemy: SQLite files by default, PostgreSQL to share.

One schema (``_schema``) and one code path for every backend. Processes and hosts share
a study safely: trial numbers come from a per-study counter row updated in the same
transaction as the insert; SQLite write transactions take the lock up front and any
transaction that loses a lock race is retried with backoff. A RUNNING trial carries a
heartbeat (host, pid, last beat) so a trial whose worker died can be failed by the
next worker. Finished trials are cached per process because they never change, so
reading the history costs one small query for what is new.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import threading
from typing import Any, Callable, Iterable

import sqlalchemy as sa

from autopipe.exceptions import StudyError
from autopipe.search.distributions import (
    Distribution,
    distribution_to_json,
    from_stored,
    json_to_distribution,
    to_stored,
)
from autopipe.search.frozen import FrozenTrial, StudyDirection, TrialState
from autopipe.search.storage import _schema as S
from autopipe.search.storage._engine import make_engines, safe_url
from autopipe.search.storage._retry import with_retries
from autopipe.search.storage.base import BaseStorage

SCHEMA_VERSION = S.SCHEMA_VERSION
_UNFINISHED = (TrialState.RUNNING.name, TrialState.WAITING.name)


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


class RDBStorage(BaseStorage):
    """A study database at ``url``.

    ``heartbeat_interval`` (seconds, None to disable) is how often a running trial
    proves its worker alive; a trial silent for ``grace_period`` seconds (default: 3
    intervals), or whose process on this host is gone, is failed by the next worker.
    """

    def __init__(self, url: str, *, heartbeat_interval: float | None = 10.0, grace_period: float | None = None,
                 ) -> None:
        self.url = url
        self.heartbeat_interval = heartbeat_interval
        self.grace_period = None if heartbeat_interval is None else (
            3.0 * heartbeat_interval if grace_period is None else float(grace_period))
        try:
            self.engine, self._writer = make_engines(url)
        except (sa.exc.ArgumentError, ImportError) as exc:
            raise StudyError(f"Cannot open storage {safe_url(url)!r}: {exc}") from None
        self._cache: dict[int, FrozenTrial] = {}
        self._cache_lock = threading.Lock()
        self._host = socket.gethostname()[:255]
        try:
            with_retries(self._create_schema, also=(sa.exc.IntegrityError, sa.exc.ProgrammingError))
        except (sa.exc.OperationalError, sa.exc.ProgrammingError) as exc:
            raise StudyError(f"Cannot open storage {safe_url(url)!r}: {getattr(exc, 'orig', exc)}") from None

    def _create_schema(self) -> None:
        with self._writer.begin() as conn:
            S.meta.create_all(conn)
            found = conn.execute(sa.select(S.version.c.version)).scalar()
            if found is None:
                conn.execute(S.version.insert().values(version=SCHEMA_VERSION))
            elif found < SCHEMA_VERSION:
                S.migrate(conn, found)
            elif found != SCHEMA_VERSION:
                raise StudyError(f"Storage {safe_url(self.url)!r} has schema version {found}; this autopipe "
                                 f"reads version {SCHEMA_VERSION}.")

    def __getstate__(self) -> dict:
        return {"url": self.url, "heartbeat_interval": self.heartbeat_interval, "grace_period": self.grace_period}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["url"], heartbeat_interval=state.get("heartbeat_interval", 10.0),
                      grace_period=state.get("grace_period"))

    def __repr__(self) -> str:
        return f"RDBStorage({safe_url(self.url)!r})"

    # -- transactions ----------------------------------------------------------------------
    def _write(self, fn: Callable[[Any], Any]) -> Any:
        def attempt():
            with self._writer.begin() as conn:
                return fn(conn)

        return with_retries(attempt)

    def _read(self, fn: Callable[[Any], Any]) -> Any:
        def attempt():
            with self.engine.connect() as conn:
                return fn(conn)

        return with_retries(attempt)

    # -- studies -----------------------------------------------------------------------
    def create_new_study(self, direction: StudyDirection, study_name: str) -> int:
        def insert(conn):
            res = conn.execute(S.studies.insert().values(name=study_name, direction=StudyDirection(direction).value))
            study_id = int(res.inserted_primary_key[0])
            conn.execute(S.counters.insert().values(study_id=study_id, next_number=0))
            return study_id

        try:
            return self._write(insert)
        except sa.exc.IntegrityError:
            raise StudyError(f"A study named {study_name!r} already exists in {safe_url(self.url)}.") from None

    def get_study_id_from_name(self, study_name: str) -> int:
        found = self._read(lambda conn: conn.execute(
            sa.select(S.studies.c.study_id).where(S.studies.c.name == study_name)).scalar())
        if found is None:
            raise KeyError(study_name)
        return int(found)

    def get_all_study_names(self) -> list[str]:
        return self._read(lambda conn: list(conn.execute(
            sa.select(S.studies.c.name).order_by(S.studies.c.study_id)).scalars()))

    def get_study_direction(self, study_id: int) -> StudyDirection:
        return StudyDirection(self._read(lambda conn: conn.execute(
            sa.select(S.studies.c.direction).where(S.studies.c.study_id == study_id)).scalar()))

    def set_study_user_attr(self, study_id: int, key: str, value: Any) -> None:
        where = (S.study_attrs.c.study_id == study_id) & (S.study_attrs.c.key == key)
        text = json.dumps(value)

        def upsert(conn):
            if conn.execute(S.study_attrs.update().where(where).values(value_json=text)).rowcount == 0:
                conn.execute(S.study_attrs.insert().values(study_id=study_id, key=key, value_json=text))

        with_retries(lambda: self._write(upsert), attempts=4, also=(sa.exc.IntegrityError,))

    def get_study_user_attrs(self, study_id: int) -> dict[str, Any]:
        rows = self._read(lambda conn: conn.execute(sa.select(S.study_attrs.c.key, S.study_attrs.c.value_json)
                                                    .where(S.study_attrs.c.study_id == study_id)).all())
        return {k: json.loads(v) for k, v in rows}

    # -- trials --------------------------------------------------------------------------
    def create_new_trial(self, study_id: int, template: FrozenTrial | None = None) -> FrozenTrial:
        state = TrialState.RUNNING if template is None else template.state
        start = dt.datetime.now() if template is None else template.datetime_start
        if start is None and state == TrialState.RUNNING:
            start = dt.datetime.now()

        def insert(conn):
            number = self._next_number(conn, study_id)
            res = conn.execute(S.trials.insert().values(
                study_id=study_id, number=number, state=state.name, datetime_start=start,
                value=None if template is None else template.value,
                datetime_complete=None if template is None else template.datetime_complete))
            trial_id = int(res.inserted_primary_key[0])
            if template is not None:
                self._copy_template(conn, trial_id, template)
            if state == TrialState.RUNNING:
                self._own(conn, trial_id)
            return trial_id

        return self.get_trial(self._write(insert))

    @staticmethod
    def _next_number(conn, study_id: int) -> int:
        """Increment the study's counter row; the row lock (or SQLite's write lock) is held
        until commit, so concurrent inserts get distinct numbers."""
        bumped = conn.execute(S.counters.update().where(S.counters.c.study_id == study_id)
                              .values(next_number=S.counters.c.next_number + 1)).rowcount
        if bumped == 0:  # a study created outside this code: start from what is there
            top = conn.execute(sa.select(sa.func.max(S.trials.c.number))
                               .where(S.trials.c.study_id == study_id)).scalar()
            conn.execute(S.counters.insert().values(study_id=study_id, next_number=(-1 if top is None else top) + 2))
        return int(conn.execute(sa.select(S.counters.c.next_number)
                                .where(S.counters.c.study_id == study_id)).scalar()) - 1

    def _own(self, conn, trial_id: int) -> None:
        """Record this process as the trial's worker, beating now."""
        conn.execute(S.heartbeats.delete().where(S.heartbeats.c.trial_id == trial_id))
        conn.execute(S.heartbeats.insert().values(trial_id=trial_id, host=self._host, pid=os.getpid(),
                                                  beat=_utcnow()))

    @staticmethod
    def _copy_template(conn, trial_id: int, template: FrozenTrial) -> None:
        for name, value in template.params.items():
            d = template.distributions[name]
            conn.execute(S.params.insert().values(trial_id=trial_id, name=name, internal=to_stored(d, value),
                                                  distribution_json=distribution_to_json(d)))
        for step, value in template.intermediate_values.items():
            conn.execute(S.steps.insert().values(trial_id=trial_id, step=int(step), value=float(value)))
        for system, attrs in ((False, template.user_attrs), (True, template.system_attrs)):
            for key, value in attrs.items():
                conn.execute(S.trial_attrs.insert().values(trial_id=trial_id, system=system, key=key,
                                                           value_json=json.dumps(value, default=str)))

    @staticmethod
    def _require_unfinished(conn, trial_id: int) -> str:
        state = conn.execute(sa.select(S.trials.c.state).where(S.trials.c.trial_id == trial_id)).scalar()
        if state is None:
            raise StudyError(f"No trial with id {trial_id}.")
        if TrialState[state].is_finished():
            raise StudyError(f"Trial {trial_id} is already finished ({state}) and cannot be changed.")
        return state

    def set_trial_param(self, trial_id: int, name: str, value: Any, distribution: Distribution) -> None:
        def insert(conn):
            self._require_unfinished(conn, trial_id)
            conn.execute(S.params.insert().values(trial_id=trial_id, name=name, internal=to_stored(distribution, value),
                                                  distribution_json=distribution_to_json(distribution)))

        self._write(insert)

    def set_trial_intermediate_value(self, trial_id: int, step: int, value: float) -> None:
        def insert(conn):
            self._require_unfinished(conn, trial_id)
            conn.execute(S.steps.insert().values(trial_id=trial_id, step=int(step), value=float(value)))

        self._write(insert)

    def set_trial_attr(self, trial_id: int, key: str, value: Any, *, system: bool = False) -> None:
        t = S.trial_attrs
        where = (t.c.trial_id == trial_id) & (t.c.system == system) & (t.c.key == key)

        def replace(conn):
            self._require_unfinished(conn, trial_id)
            conn.execute(t.delete().where(where))
            conn.execute(t.insert().values(trial_id=trial_id, system=system, key=key,
                                           value_json=json.dumps(value, default=str)))

        self._write(replace)

    def set_trial_state_values(self, trial_id: int, state: TrialState, value: float | None = None) -> bool:
        values: dict[str, Any] = {"state": state.name, "value": value}
        now = dt.datetime.now()
        if state == TrialState.RUNNING:
            values["datetime_start"] = now
        if state.is_finished():
            values["datetime_complete"] = now

        def update(conn):
            stmt = S.trials.update().where(S.trials.c.trial_id == trial_id)
            if state == TrialState.RUNNING:
                stmt = stmt.where(S.trials.c.state == TrialState.WAITING.name)
            else:
                self._require_unfinished(conn, trial_id)
                stmt = stmt.where(S.trials.c.state.in_(_UNFINISHED))
            changed = conn.execute(stmt.values(**values)).rowcount == 1
            if changed and state == TrialState.RUNNING:
                self._own(conn, trial_id)
            elif state.is_finished():
                if not changed:
                    raise StudyError(f"Trial {trial_id} was finished by another worker meanwhile.")
                conn.execute(S.heartbeats.delete().where(S.heartbeats.c.trial_id == trial_id))
            return changed

        return self._write(update)

    # -- heartbeats ---------------------------------------------------------------------
    def record_heartbeat(self, trial_id: int) -> None:
        self._write(lambda conn: conn.execute(S.heartbeats.update().where(S.heartbeats.c.trial_id == trial_id)
                                              .values(beat=_utcnow())))

    def fail_stale_trials(self, study_id: int) -> list[int]:
        if self.heartbeat_interval is None:
            return []
        stale = [tid for tid, why in self._stale_candidates(study_id)
                 if self._write(lambda conn, tid=tid, why=why: self._fail_one(conn, tid, why))]
        return stale

    def _stale_candidates(self, study_id: int) -> list[tuple[int, str]]:
        t, h = S.trials, S.heartbeats
        rows = self._read(lambda conn: conn.execute(
            sa.select(t.c.trial_id, t.c.datetime_start, h.c.host, h.c.pid, h.c.beat)
            .select_from(t.outerjoin(h, h.c.trial_id == t.c.trial_id))
            .where((t.c.study_id == study_id) & (t.c.state == TrialState.RUNNING.name))).all())
        now, local_now = _utcnow(), dt.datetime.now()
        grace = dt.timedelta(seconds=self.grace_period)
        found = []
        for r in rows:
            if r.beat is None:
                if r.datetime_start is None or local_now - r.datetime_start > grace:
                    found.append((r.trial_id, "the trial has no heartbeat (started by an older version)"))
            elif now - r.beat > grace:
                found.append((r.trial_id, f"no heartbeat from {r.host}:{r.pid} for {(now - r.beat).total_seconds():.0f}s"))
            elif r.host == self._host and r.pid != os.getpid() and not _pid_alive(r.pid):
                found.append((r.trial_id, f"its worker process {r.host}:{r.pid} is gone"))
        return found

    def _fail_one(self, conn, trial_id: int, reason: str) -> bool:
        changed = conn.execute(S.trials.update().where((S.trials.c.trial_id == trial_id)
                                                       & (S.trials.c.state == TrialState.RUNNING.name))
                               .values(state=TrialState.FAIL.name, datetime_complete=dt.datetime.now())).rowcount
        if changed != 1:
            return False
        conn.execute(S.heartbeats.delete().where(S.heartbeats.c.trial_id == trial_id))
        conn.execute(S.trial_attrs.insert().values(trial_id=trial_id, system=True, key="fail_reason",
                                                   value_json=json.dumps(f"worker lost: {reason}")))
        return True

    # -- reading -------------------------------------------------------------------------
    def get_trial(self, trial_id: int) -> FrozenTrial:
        with self._cache_lock:
            if trial_id in self._cache:
                return self._cache[trial_id]

        def load(conn):
            rows = conn.execute(sa.select(S.trials).where(S.trials.c.trial_id == trial_id)).all()
            if not rows:
                raise StudyError(f"No trial with id {trial_id}.")
            return self._load(conn, rows)[0]

        return self._read(load)

    def get_all_trials(self, study_id: int, states: Iterable[TrialState] | None = None) -> list[FrozenTrial]:
        wanted = None if states is None else {s.name for s in states}

        def load(conn):
            heads = conn.execute(sa.select(S.trials.c.trial_id, S.trials.c.state)
                                 .where(S.trials.c.study_id == study_id).order_by(S.trials.c.number)).all()
            if wanted is not None:
                heads = [h for h in heads if h.state in wanted]
            with self._cache_lock:
                missing = [h.trial_id for h in heads if h.trial_id not in self._cache]
            loaded = {}
            for chunk in range(0, len(missing), 500):
                ids = missing[chunk:chunk + 500]
                rows = conn.execute(sa.select(S.trials).where(S.trials.c.trial_id.in_(ids))).all()
                loaded.update({t.trial_id: t for t in self._load(conn, rows)})
            return heads, loaded

        heads, loaded = self._read(load)
        with self._cache_lock:
            return [self._cache.get(h.trial_id) or loaded[h.trial_id] for h in heads]

    def _load(self, conn, rows) -> list[FrozenTrial]:
        ids = [r.trial_id for r in rows]
        params: dict[int, dict] = {i: {} for i in ids}
        dists: dict[int, dict] = {i: {} for i in ids}
        query = sa.select(S.params).where(S.params.c.trial_id.in_(ids)).order_by(S.params.c.trial_id, S.params.c.name)
        for p in conn.execute(query):
            d = json_to_distribution(p.distribution_json)
            params[p.trial_id][p.name] = from_stored(d, p.internal)
            dists[p.trial_id][p.name] = d
        steps: dict[int, dict] = {i: {} for i in ids}
        for s in conn.execute(sa.select(S.steps).where(S.steps.c.trial_id.in_(ids))):
            steps[s.trial_id][s.step] = s.value
        attrs: dict[int, tuple[dict, dict]] = {i: ({}, {}) for i in ids}
        for a in conn.execute(sa.select(S.trial_attrs).where(S.trial_attrs.c.trial_id.in_(ids))):
            attrs[a.trial_id][1 if a.system else 0][a.key] = json.loads(a.value_json)
        out = []
        for r in rows:
            t = FrozenTrial(
                number=r.number, state=TrialState[r.state], value=r.value, params=params[r.trial_id],
                distributions=dists[r.trial_id], intermediate_values=dict(sorted(steps[r.trial_id].items())),
                user_attrs=attrs[r.trial_id][0], system_attrs=attrs[r.trial_id][1],
                datetime_start=r.datetime_start, datetime_complete=r.datetime_complete, trial_id=r.trial_id,
            )
            if t.state.is_finished():
                with self._cache_lock:
                    self._cache[r.trial_id] = t
            out.append(t)
        return out

    def close(self) -> None:
        self.engine.dispose()

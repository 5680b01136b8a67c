"""Relational storage through SQLAlchemy: SQLite files by default, PostgreSQL to share.

One schema for every backend. SQLite runs in WAL mode with a busy timeout so several
processes can share one file; finished trials are cached per process because they never
change, so reading the history costs one small query for what is new.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from typing import Any, Iterable

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
from autopipe.search.storage.base import BaseStorage

SCHEMA_VERSION = 1

_meta = sa.MetaData()
_version = sa.Table("schema_version", _meta, sa.Column("version", sa.Integer, primary_key=True))
_studies = sa.Table(
    "studies", _meta,
    sa.Column("study_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(512), unique=True, nullable=False),
    sa.Column("direction", sa.String(16), nullable=False),
)
_study_attrs = sa.Table(
    "study_attrs", _meta,
    sa.Column("study_id", sa.ForeignKey("studies.study_id"), primary_key=True),
    sa.Column("key", sa.String(512), primary_key=True),
    sa.Column("value_json", sa.Text, nullable=False),
)
_trials = sa.Table(
    "trials", _meta,
    sa.Column("trial_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("study_id", sa.ForeignKey("studies.study_id"), index=True, nullable=False),
    sa.Column("number", sa.Integer, nullable=False),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("value", sa.Float, nullable=True),
    sa.Column("datetime_start", sa.DateTime, nullable=True),
    sa.Column("datetime_complete", sa.DateTime, nullable=True),
)
_params = sa.Table(
    "trial_params", _meta,
    sa.Column("trial_id", sa.ForeignKey("trials.trial_id"), primary_key=True),
    sa.Column("name", sa.String(512), primary_key=True),
    sa.Column("internal", sa.Float, nullable=False),
    sa.Column("distribution_json", sa.Text, nullable=False),
)
_steps = sa.Table(
    "trial_intermediate_values", _meta,
    sa.Column("trial_id", sa.ForeignKey("trials.trial_id"), primary_key=True),
    sa.Column("step", sa.Integer, primary_key=True),
    sa.Column("value", sa.Float, nullable=False),
)
_trial_attrs = sa.Table(
    "trial_attrs", _meta,
    sa.Column("trial_id", sa.ForeignKey("trials.trial_id"), primary_key=True),
    sa.Column("system", sa.Boolean, primary_key=True),
    sa.Column("key", sa.String(512), primary_key=True),
    sa.Column("value_json", sa.Text, nullable=False),
)


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=60000")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


class RDBStorage(BaseStorage):
    def __init__(self, url: str) -> None:
        self.url = url
        try:
            self.engine = sa.create_engine(url, future=True)
        except (sa.exc.ArgumentError, ImportError) as exc:
            raise StudyError(f"Cannot open storage {url!r}: {exc}") from None
        if self.engine.dialect.name == "sqlite":
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
        self._cache: dict[int, FrozenTrial] = {}
        self._cache_lock = threading.Lock()
        try:
            _meta.create_all(self.engine)
            self._check_version()
        except sa.exc.OperationalError as exc:
            raise StudyError(f"Cannot open storage {url!r}: {exc.orig}") from None

    def _check_version(self) -> None:
        with self.engine.begin() as conn:
            found = conn.execute(sa.select(_version.c.version)).scalar()
            if found is None:
                conn.execute(_version.insert().values(version=SCHEMA_VERSION))
            elif found != SCHEMA_VERSION:
                raise StudyError(f"Storage {self.url!r} has schema version {found}; this autopipe reads "
                                 f"version {SCHEMA_VERSION}.")

    def __getstate__(self) -> dict:
        return {"url": self.url}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["url"])

    # -- studies -----------------------------------------------------------------------
    def create_new_study(self, direction: StudyDirection, study_name: str) -> int:
        try:
            with self.engine.begin() as conn:
                res = conn.execute(_studies.insert().values(name=study_name, direction=StudyDirection(direction).value))
                return int(res.inserted_primary_key[0])
        except sa.exc.IntegrityError:
            raise StudyError(f"A study named {study_name!r} already exists in {self.url}.") from None

    def get_study_id_from_name(self, study_name: str) -> int:
        with self.engine.connect() as conn:
            found = conn.execute(sa.select(_studies.c.study_id).where(_studies.c.name == study_name)).scalar()
        if found is None:
            raise KeyError(study_name)
        return int(found)

    def get_all_study_names(self) -> list[str]:
        with self.engine.connect() as conn:
            return list(conn.execute(sa.select(_studies.c.name).order_by(_studies.c.study_id)).scalars())

    def get_study_direction(self, study_id: int) -> StudyDirection:
        with self.engine.connect() as conn:
            found = conn.execute(sa.select(_studies.c.direction).where(_studies.c.study_id == study_id)).scalar()
        return StudyDirection(found)

    def set_study_user_attr(self, study_id: int, key: str, value: Any) -> None:
        with self.engine.begin() as conn:
            conn.execute(_study_attrs.delete().where((_study_attrs.c.study_id == study_id) & (_study_attrs.c.key == key)))
            conn.execute(_study_attrs.insert().values(study_id=study_id, key=key, value_json=json.dumps(value)))

    def get_study_user_attrs(self, study_id: int) -> dict[str, Any]:
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(_study_attrs.c.key, _study_attrs.c.value_json)
                                .where(_study_attrs.c.study_id == study_id)).all()
        return {k: json.loads(v) for k, v in rows}

    # -- trials --------------------------------------------------------------------------
    def create_new_trial(self, study_id: int, template: FrozenTrial | None = None) -> FrozenTrial:
        state = TrialState.RUNNING if template is None else template.state
        start = dt.datetime.now() if template is None else template.datetime_start
        if start is None and state == TrialState.RUNNING:
            start = dt.datetime.now()
        with self.engine.begin() as conn:
            res = conn.execute(_trials.insert().values(
                study_id=study_id, number=-1, state=state.name, datetime_start=start,
                value=None if template is None else template.value,
                datetime_complete=None if template is None else template.datetime_complete))
            trial_id = int(res.inserted_primary_key[0])
            number = conn.execute(sa.select(sa.func.count()).select_from(_trials).where(
                (_trials.c.study_id == study_id) & (_trials.c.trial_id < trial_id))).scalar()
            conn.execute(_trials.update().where(_trials.c.trial_id == trial_id).values(number=number))
            if template is not None:
                self._copy_template(conn, trial_id, template)
        return self.get_trial(trial_id)

    @staticmethod
    def _copy_template(conn, trial_id: int, template: FrozenTrial) -> None:
        for name, value in template.params.items():
            d = template.distributions[name]
            conn.execute(_params.insert().values(trial_id=trial_id, name=name, internal=to_stored(d, value),
                                                 distribution_json=distribution_to_json(d)))
        for step, value in template.intermediate_values.items():
            conn.execute(_steps.insert().values(trial_id=trial_id, step=int(step), value=float(value)))
        for system, attrs in ((False, template.user_attrs), (True, template.system_attrs)):
            for key, value in attrs.items():
                conn.execute(_trial_attrs.insert().values(trial_id=trial_id, system=system, key=key,
                                                          value_json=json.dumps(value, default=str)))

    def _require_unfinished(self, conn, trial_id: int) -> str:
        state = conn.execute(sa.select(_trials.c.state).where(_trials.c.trial_id == trial_id)).scalar()
        if state is None:
            raise StudyError(f"No trial with id {trial_id}.")
        if TrialState[state].is_finished():
            raise StudyError(f"Trial {trial_id} is already finished ({state}) and cannot be changed.")
        return state

    def set_trial_param(self, trial_id: int, name: str, value: Any, distribution: Distribution) -> None:
        with self.engine.begin() as conn:
            self._require_unfinished(conn, trial_id)
            conn.execute(_params.insert().values(trial_id=trial_id, name=name, internal=to_stored(distribution, value),
                                                 distribution_json=distribution_to_json(distribution)))

    def set_trial_intermediate_value(self, trial_id: int, step: int, value: float) -> None:
        with self.engine.begin() as conn:
            self._require_unfinished(conn, trial_id)
            conn.execute(_steps.insert().values(trial_id=trial_id, step=int(step), value=float(value)))

    def set_trial_attr(self, trial_id: int, key: str, value: Any, *, system: bool = False) -> None:
        where = (_trial_attrs.c.trial_id == trial_id) & (_trial_attrs.c.system == system) & (_trial_attrs.c.key == key)
        with self.engine.begin() as conn:
            self._require_unfinished(conn, trial_id)
            conn.execute(_trial_attrs.delete().where(where))
            conn.execute(_trial_attrs.insert().values(trial_id=trial_id, system=system, key=key,
                                                      value_json=json.dumps(value, default=str)))

    def set_trial_state_values(self, trial_id: int, state: TrialState, value: float | None = None) -> bool:
        values: dict[str, Any] = {"state": state.name, "value": value}
        now = dt.datetime.now()
        if state == TrialState.RUNNING:
            values["datetime_start"] = now
        if state.is_finished():
            values["datetime_complete"] = now
        with self.engine.begin() as conn:
            stmt = _trials.update().where(_trials.c.trial_id == trial_id)
            if state == TrialState.RUNNING:
                stmt = stmt.where(_trials.c.state == TrialState.WAITING.name)
            else:
                self._require_unfinished(conn, trial_id)
            return conn.execute(stmt.values(**values)).rowcount == 1

    def get_trial(self, trial_id: int) -> FrozenTrial:
        with self._cache_lock:
            if trial_id in self._cache:
                return self._cache[trial_id]
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(_trials).where(_trials.c.trial_id == trial_id)).all()
            if not rows:
                raise StudyError(f"No trial with id {trial_id}.")
            return self._load(conn, rows)[0]

    def get_all_trials(self, study_id: int, states: Iterable[TrialState] | None = None) -> list[FrozenTrial]:
        wanted = None if states is None else {s.name for s in states}
        with self.engine.connect() as conn:
            heads = conn.execute(sa.select(_trials.c.trial_id, _trials.c.state)
                                 .where(_trials.c.study_id == study_id).order_by(_trials.c.number)).all()
            if wanted is not None:
                heads = [h for h in heads if h.state in wanted]
            with self._cache_lock:
                missing = [h.trial_id for h in heads if h.trial_id not in self._cache]
            loaded = {}
            for chunk in range(0, len(missing), 500):
                ids = missing[chunk:chunk + 500]
                rows = conn.execute(sa.select(_trials).where(_trials.c.trial_id.in_(ids))).all()
                loaded.update({t.trial_id: t for t in self._load(conn, rows)})
        with self._cache_lock:
            return [self._cache.get(h.trial_id) or loaded[h.trial_id] for h in heads]

    def _load(self, conn, rows) -> list[FrozenTrial]:
        ids = [r.trial_id for r in rows]
        params: dict[int, dict] = {i: {} for i in ids}
        dists: dict[int, dict] = {i: {} for i in ids}
        for p in conn.execute(sa.select(_params).where(_params.c.trial_id.in_(ids))):
            d = json_to_distribution(p.distribution_json)
            params[p.trial_id][p.name] = from_stored(d, p.internal)
            dists[p.trial_id][p.name] = d
        steps: dict[int, dict] = {i: {} for i in ids}
        for s in conn.execute(sa.select(_steps).where(_steps.c.trial_id.in_(ids))):
            steps[s.trial_id][s.step] = s.value
        attrs: dict[int, tuple[dict, dict]] = {i: ({}, {}) for i in ids}
        for a in conn.execute(sa.select(_trial_attrs).where(_trial_attrs.c.trial_id.in_(ids))):
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

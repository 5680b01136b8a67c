"""The relational schema shared by every backend (SQLite, PostgreSQL), and its migrations.

Version 2 adds a per-study counter (trial numbers stay unique under concurrent
inserts) and a heartbeat table (a trial whose worker died can be recognised). A
version-1 file is upgraded in place when it is opened.
"""

from __future__ import annotations

import sqlalchemy as sa

SCHEMA_VERSION = 2

meta = sa.MetaData()
version = sa.Table("schema_version", meta, sa.Column("version", sa.Integer, primary_key=True))
studies = sa.Table(
    "studies", meta,
    sa.Column("study_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(512), unique=True, nullable=False),
    sa.Column("direction", sa.String(16), nullable=False),
)
study_attrs = sa.Table(
    "study_attrs", meta,
    sa.Column("study_id", sa.ForeignKey("studies.study_id"), primary_key=True),
    sa.Column("key", sa.String(512), primary_key=True),
    sa.Column("value_json", sa.Text, nullable=False),
)
counters = sa.Table(
    "study_trial_counters", meta,
    sa.Column("study_id", sa.ForeignKey("studies.study_id"), primary_key=True),
    sa.Column("next_number", sa.Integer, nullable=False),
)
trials = sa.Table(
    "trials", meta,
    sa.Column("trial_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("study_id", sa.ForeignKey("studies.study_id"), index=True, nullable=False),
    sa.Column("number", sa.Integer, nullable=False),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("value", sa.Float, nullable=True),
    sa.Column("datetime_start", sa.DateTime, nullable=True),
    sa.Column("datetime_complete", sa.DateTime, nullable=True),
)
number_index = sa.Index("ix_trials_study_number", trials.c.study_id, trials.c.number, unique=True)
params = sa.Table(
    "trial_params", meta,
    sa.Column("trial_id", sa.ForeignKey("trials.trial_id"), primary_key=True),
    sa.Column("name", sa.String(512), primary_key=True),
    sa.Column("internal", sa.Float, nullable=False),
    sa.Column("distribution_json", sa.Text, nullable=False),
)
steps = sa.Table(
    "trial_intermediate_values", meta,
    sa.Column("trial_id", sa.ForeignKey("trials.trial_id"), primary_key=True),
    sa.Column("step", sa.Integer, primary_key=True),
    sa.Column("value", sa.Float, nullable=False),
)
trial_attrs = sa.Table(
    "trial_attrs", meta,
    sa.Column("trial_id", sa.ForeignKey("trials.trial_id"), primary_key=True),
    sa.Column("system", sa.Boolean, primary_key=True),
    sa.Column("key", sa.String(512), primary_key=True),
    sa.Column("value_json", sa.Text, nullable=False),
)
heartbeats = sa.Table(
    "trial_heartbeats", meta,
    sa.Column("trial_id", sa.ForeignKey("trials.trial_id"), primary_key=True),
    sa.Column("host", sa.String(255), nullable=False),
    sa.Column("pid", sa.Integer, nullable=False),
    sa.Column("beat", sa.DateTime, nullable=False),  # UTC, naive
)


def migrate(conn, found: int) -> None:
    """Bring a database at schema version ``found`` to SCHEMA_VERSION (in one transaction)."""
    if found == 1:
        # Tables new in version 2 were created by create_all; fill the counters.
        rows = conn.execute(sa.select(studies.c.study_id, sa.func.max(trials.c.number))
                            .select_from(studies.outerjoin(trials, trials.c.study_id == studies.c.study_id))
                            .group_by(studies.c.study_id)).all()
        for study_id, top in rows:
            conn.execute(counters.insert().values(study_id=study_id, next_number=0 if top is None else top + 1))
        duplicated = conn.execute(sa.select(trials.c.study_id).group_by(trials.c.study_id, trials.c.number)
                                  .having(sa.func.count() > 1).limit(1)).first()
        if duplicated is None:
            number_index.create(conn, checkfirst=True)
        conn.execute(version.delete())
        conn.execute(version.insert().values(version=SCHEMA_VERSION))

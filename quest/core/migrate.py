"""Schema migrations: which revision a database is at, bringing it to the code's, and whether
the models and the migrations agree (Alembic, run on a connection we hand it; no alembic.ini).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.runtime.environment import EnvironmentContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import SQLModel

log = logging.getLogger("talentquest")

SCRIPTS = Path(__file__).resolve().parents[1] / "migrations"
INITIAL = "0001"
# pg_advisory_xact_lock key: one process at a time checks, stamps or upgrades the schema.
LOCK_KEY = 7_471_330_901


class SchemaError(RuntimeError):
    """The database cannot be served as it is; the message says what to do, on one line."""


@dataclass(frozen=True)
class Outcome:
    """What bringing a database up did: `created`, `stamped`, `upgraded` or `none`."""

    before: str | None
    after: str
    action: str
    stamped: bool = False  # made before migrations, recognised as revision 0001 first


def model_metadata() -> sa.MetaData:
    """Every table the packages declare (they all share SQLModel.metadata)."""
    import challenges.models  # noqa: F401
    import jobs.models  # noqa: F401
    import leaderboard.models  # noqa: F401
    import quest.accounts.models
    import quest.jobseekers.models
    import quest.quests.models  # noqa: F401

    return SQLModel.metadata


def compare_options(metadata: sa.MetaData | None = None) -> dict[str, Any]:
    """Autogenerate options: compare column types; look only at our tables (a database shared
    with other applications is fine)."""
    tables = set((metadata or model_metadata()).tables)

    def ours(name: str | None, type_: str, parent: dict[str, str | None]) -> bool:
        return type_ != "table" or name in tables

    return {"compare_type": True, "include_name": ours}


@cache
def scripts() -> ScriptDirectory:
    return ScriptDirectory(str(SCRIPTS))


def code_revision() -> str:
    """The revision this code's models are at (the migrations' head)."""
    head = scripts().get_current_head()
    assert head is not None
    return head


def initial_schema() -> sa.MetaData:
    """Revision 0001's tables, as the old `create_all` made them."""
    revision = scripts().get_revision(INITIAL)
    assert revision is not None
    schema: Callable[[], sa.MetaData] = revision.module.schema
    return schema()


def database_revision(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


def differences(conn: Connection, metadata: sa.MetaData) -> list[str]:
    """How the database differs from `metadata`, one short phrase per difference."""
    context = MigrationContext.configure(conn, opts=compare_options(metadata))
    return [describe(diff) for diff in compare_metadata(context, metadata)]


def describe(diff: Any) -> str:
    """`add_table account`, `modify_type solve.points`, `add_index ix_solve_account`."""
    if isinstance(diff, list):  # column changes come grouped
        diff = diff[0]
    kind, *parts = diff
    names: list[str] = []
    for part in parts:
        if part is None:
            continue
        if isinstance(part, str):
            names.append(part)
            continue
        name = getattr(part, "name", None)
        table = getattr(part, "table", None)
        if name is None and table is not None:
            name = f"{table.name}({', '.join(c.name for c in getattr(part, 'columns', []))})"
        if name is not None:
            names.append(str(name))
        break
    return f"{kind} {'.'.join(names)}".strip()


def _config(conn: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(SCRIPTS))
    config.attributes["connection"] = conn
    return config


def _run(conn: Connection, *, stamp: str | None = None) -> None:
    """Upgrade to head (or only stamp `stamp`) in the caller's transaction.

    What `alembic upgrade` does through env.py, without loading env.py and the scripts again
    on every start (a fresh test database is made this way hundreds of times per run)."""
    script = scripts()

    def steps(revision: Any, _context: MigrationContext) -> Any:
        if stamp is not None:
            return script._stamp_revs(stamp, revision)
        return script._upgrade_revs("head", revision)

    environment = EnvironmentContext(_config(conn), script, fn=steps)
    with environment:
        environment.configure(connection=conn, target_metadata=model_metadata())
        with environment.begin_transaction():
            environment.run_migrations()


def _lock(conn: Connection) -> None:
    """PostgreSQL: one process at a time (the lock ends with the transaction); DDL may take
    longer than the serving statement timeout. SQLite: BEGIN IMMEDIATE already serialises."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SET LOCAL statement_timeout = 0")
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})


def _known(revision: str) -> bool:
    try:
        return scripts().get_revision(revision) is not None
    except CommandError:
        return False


def _our_tables(conn: Connection) -> list[str]:
    present = set(sa.inspect(conn).get_table_names())
    return sorted(present & set(model_metadata().tables))


def bring_up(conn: Connection, *, upgrade: bool) -> Outcome:
    """Bring the database to the code's revision inside the caller's transaction.

    Empty: created. Made by the old `create_all` (tables, no alembic_version): stamped with
    revision 0001 when it equals it. Behind: upgraded when `upgrade`, else SchemaError.
    """
    _lock(conn)
    head = code_revision()
    before = current = database_revision(conn)
    action = "none"
    if current is None:
        if not _our_tables(conn):
            _run(conn)
            log.info("database schema created at revision %s", head)
            return Outcome(None, head, "created")
        diffs = differences(conn, initial_schema())
        if diffs:
            raise SchemaError(
                "the database has Talent Quest tables but no migration record, and they differ "
                f"from revision {INITIAL} ({'; '.join(diffs[:3])}): restore a backup made by "
                "this release's predecessor or start from an empty database"
            )
        _run(conn, stamp=INITIAL)
        log.info("database made before migrations equals revision %s: stamped it", INITIAL)
        current, action = INITIAL, "stamped"
    stamped = action == "stamped"
    if current == head:
        return Outcome(before, head, action, stamped)
    if not _known(current):
        raise SchemaError(
            f"the database is at revision {current}, which this code does not know "
            "(made by a newer release?): run that release, or restore a backup"
        )
    if not upgrade:
        raise SchemaError(
            f"the database is at revision {current} and this code needs {head}: back it up, "
            "then run `talentquest db upgrade` (or start with TQ_AUTO_MIGRATE=true)"
        )
    _run(conn)
    log.info("database upgraded from revision %s to %s", current, head)
    return Outcome(current, head, "upgraded", stamped)


async def prepare(engine: AsyncEngine, *, upgrade: bool) -> Outcome:
    """Start-up and `db upgrade`: the schema at the code's revision, or SchemaError."""
    async with engine.connect() as conn:
        return await conn.run_sync(lambda sync: _prepare(sync, upgrade=upgrade))


def _prepare(conn: Connection, *, upgrade: bool) -> Outcome:
    """One transaction. SQLite: foreign keys off meanwhile (a batch migration copies a table
    and drops the old one, which rows elsewhere still point at; the pragma only takes effect
    outside a transaction), and checked before the commit."""
    sqlite = conn.dialect.name == "sqlite"
    if sqlite:
        _pragma(conn, "PRAGMA foreign_keys=OFF")
    try:
        with conn.begin():
            outcome = bring_up(conn, upgrade=upgrade)
            if sqlite and outcome.action == "upgraded":
                broken = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
                if broken:
                    raise SchemaError(f"the upgrade would break {len(broken)} foreign keys")
        return outcome
    finally:
        if sqlite:
            _pragma(conn, "PRAGMA foreign_keys=ON")


def _pragma(conn: Connection, sql: str) -> None:
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(sql)
    finally:
        cursor.close()


@dataclass(frozen=True)
class Status:
    revision: str | None
    head: str
    legacy: bool  # tables made by the old create_all, not yet stamped


async def status(engine: AsyncEngine) -> Status:
    def read(conn: Connection) -> Status:
        revision = database_revision(conn)
        legacy = revision is None and bool(_our_tables(conn))
        return Status(revision, code_revision(), legacy)

    async with engine.connect() as conn:
        return await conn.run_sync(read)


async def check(engine: AsyncEngine) -> list[str]:
    """Why the database (at the migrations' head) and the models differ; empty when they agree."""

    def compare(conn: Connection) -> list[str]:
        revision, head = database_revision(conn), code_revision()
        if revision != head:
            return [f"the database is at revision {revision or 'none'}, not {head}"]
        return differences(conn, model_metadata())

    async with engine.connect() as conn:
        return await conn.run_sync(compare)

"""The database engine, the session factory, and the one place transactions are handled."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry
from sqlmodel.ext.asyncio.session import AsyncSession

from quest.core.datadir import create_private_file, private_file
from quest.core.text import refuse_nul

if TYPE_CHECKING:
    from quest.core.settings import Settings
    from quest.core.state import AppState


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


@dataclass(frozen=True)
class PoolOptions:
    """Connection pool and timeouts of a client-server database (TQ_DATABASE_* settings)."""

    size: int = 20
    max_overflow: int = 20
    timeout_s: float = 30.0
    statement_timeout_s: float = 30.0

    @classmethod
    def of(cls, settings: Settings) -> PoolOptions:
        return cls(
            size=settings.database_pool_size,
            max_overflow=settings.database_max_overflow,
            timeout_s=settings.database_pool_timeout_s,
            statement_timeout_s=settings.database_statement_timeout_s,
        )


def _server_settings(url: str, pool: PoolOptions, *, read_only: bool = False) -> dict[str, Any]:
    """connect_args that set PostgreSQL's statement_timeout (and read-only) on each connection."""
    if not url.startswith("postgresql"):
        return {}
    options = {}
    if pool.statement_timeout_s > 0:
        options["statement_timeout"] = str(int(pool.statement_timeout_s * 1000))
    if read_only:
        options["default_transaction_read_only"] = "on"
    if not options:
        return {}
    if url.startswith("postgresql+asyncpg"):
        return {"server_settings": options}
    return {"options": " ".join(f"-c {k}={v}" for k, v in options.items())}


def _server_engine(url: str, pool: PoolOptions, *, read_only: bool = False) -> AsyncEngine:
    return create_async_engine(
        url,
        pool_size=pool.size,
        max_overflow=pool.max_overflow,
        pool_timeout=pool.timeout_s,
        pool_pre_ping=True,
        connect_args=_server_settings(url, pool, read_only=read_only),
    )


def make_engine(url: str, pool: PoolOptions | None = None) -> AsyncEngine:
    """The writer engine. SQLite: one connection, WAL, BEGIN IMMEDIATE, a busy timeout."""
    if is_sqlite(url):
        private_sqlite_files(url)
        # One connection serialises writers inside the process; BEGIN IMMEDIATE makes other
        # processes (the CLI, a second server) wait on the busy timeout instead of failing.
        engine = create_async_engine(
            url, pool_size=1, max_overflow=0, pool_timeout=60, connect_args={"timeout": 30}
        )
        _sqlite_events(engine, begin="BEGIN IMMEDIATE")
    else:
        engine = _server_engine(url, pool or PoolOptions())
    refuse_nul(engine)  # PostgreSQL cannot take U+0000: a 422, the same on SQLite
    return engine


def make_read_engine(url: str, writer: AsyncEngine) -> AsyncEngine:
    """Reads that must not wait for the writer (token look-ups). SQLite WAL readers never block."""
    return _sqlite_reader(url) if is_sqlite(url) else writer


def _sqlite_reader(url: str) -> AsyncEngine:
    engine = create_async_engine(
        url, pool_size=4, max_overflow=4, pool_timeout=60, connect_args={"timeout": 30}
    )
    _sqlite_events(engine, begin="BEGIN")
    refuse_nul(engine)
    return engine


def make_replica_engine(url: str, pool: PoolOptions | None = None) -> AsyncEngine:
    """TQ_DATABASE_READ_URL: a read replica; on PostgreSQL its transactions are read-only."""
    if is_sqlite(url):
        return _sqlite_reader(url)
    engine = _server_engine(url, pool or PoolOptions(), read_only=True)
    refuse_nul(engine)
    return engine


def make_sync_engine(url: str, pool: PoolOptions | None = None) -> Engine:
    """The attempt writer's plain engine (pysqlite / psycopg): one thread hop per batch."""
    url = url.replace("sqlite+aiosqlite://", "sqlite://").replace(
        "postgresql+asyncpg://", "postgresql+psycopg://"
    )
    if url.startswith("sqlite"):
        private_sqlite_files(url)
        engine = create_engine(
            url,
            pool_size=1,
            max_overflow=0,
            connect_args={"timeout": 30, "check_same_thread": False},
        )
        _sqlite_events(engine, begin="BEGIN IMMEDIATE")
        return engine
    pool = pool or PoolOptions()
    return create_engine(
        url,
        pool_size=8,
        max_overflow=4,
        pool_timeout=pool.timeout_s,
        pool_pre_ping=True,
        connect_args=_server_settings(url, pool),
    )


def _sqlite_events(engine: AsyncEngine | Engine, *, begin: str) -> None:
    sync = engine.sync_engine if isinstance(engine, AsyncEngine) else engine

    @event.listens_for(sync, "connect")
    def _pragmas(dbapi_conn: Any, _record: ConnectionPoolEntry) -> None:
        dbapi_conn.isolation_level = None  # SQLAlchemy emits BEGIN itself (below)
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        # Commits never checkpoint (that fsync stalled the attempt writer for ~200 ms);
        # `checkpoint_forever` does it off to the side instead.
        cur.execute("PRAGMA wal_autocheckpoint=0")
        cur.close()

    @event.listens_for(sync, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql(begin)


class WriteSession(AsyncSession):
    """A session on the writer engine: the only kind that may change rows."""


class ReadSession(AsyncSession):
    """A session on the read engine: look-ups only. On SQLite it never holds the writer's one
    connection, so a GET typed with it can never queue behind (or block) the writers."""


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[WriteSession]:
    return async_sessionmaker(engine, class_=WriteSession, expire_on_commit=False)


def make_readmaker(engine: AsyncEngine) -> async_sessionmaker[ReadSession]:
    return async_sessionmaker(engine, class_=ReadSession, expire_on_commit=False)


async def create_schema(engine: AsyncEngine) -> None:
    """The schema at the code's revision: created, stamped or upgraded (tests, benchmarks)."""
    from quest.core.migrate import prepare

    await prepare(engine, upgrade=True)


def private_sqlite_files(url: str) -> None:
    """Emails and profiles: the database file is 0600 before SQLite first opens it.

    SQLite gives the -wal and -shm files the mode of the database file; older ones are
    tightened too. An in-memory database, or one in a missing directory, is left to SQLite.
    """
    name = sqlite_path(url)
    if not name or name.startswith(":memory:") or name.startswith("file:"):
        return
    path = Path(name.split("?", 1)[0])
    if not path.parent.is_dir():
        return
    create_private_file(path)
    for suffix in ("-wal", "-shm", "-journal"):
        private_file(path.with_name(path.name + suffix))


def sqlite_path(url: str) -> str | None:
    """The file behind a SQLite URL, or None for other databases."""
    if not is_sqlite(url):
        return None
    return url.split(":///", 1)[1] if ":///" in url else None


async def checkpoint_forever(path: str, *, every_s: float = 1.0) -> None:
    """Move the WAL into the database file in the background (PASSIVE: blocks nobody)."""
    import asyncio
    import sqlite3

    def checkpoint() -> None:
        conn = sqlite3.connect(path, timeout=30)
        try:
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
        finally:
            conn.close()

    while True:
        await asyncio.sleep(every_s)
        try:
            await asyncio.to_thread(checkpoint)
        except sqlite3.Error:
            continue


async def checkpoint_task(state: AppState) -> None:
    """Background task: on SQLite, checkpoint the WAL off the commit path; elsewhere, nothing."""
    path = sqlite_path(state.settings.resolved_database_url)
    if path is not None:
        await checkpoint_forever(path)


def on_commit(session: AsyncSession, callback: Callable[[], None]) -> None:
    """Run `callback` once the session's transaction has committed (never on rollback)."""
    session.info.setdefault("on_commit", []).append(callback)


def run_on_commit(session: AsyncSession) -> None:
    for callback in session.info.pop("on_commit", []):
        callback()


def after_commit(session: AsyncSession, follow_up: Callable[[], Awaitable[None]]) -> None:
    """Await `follow_up` once the transaction has committed (never on rollback): the Redis
    side of a change, so a rolled-back change leaves nothing behind in Redis."""
    session.info.setdefault("after_commit", []).append(follow_up)


async def run_after_commit(session: AsyncSession) -> None:
    for follow_up in session.info.pop("after_commit", []):
        await follow_up()

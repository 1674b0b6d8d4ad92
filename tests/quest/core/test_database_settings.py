"""Pool sizes, timeouts and the read replica URL (TQ_DATABASE_*)."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import text

from quest.core.db import PoolOptions, _server_settings
from quest.core.settings import Settings
from tests.support.app import running_app


def test_database_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TQ_AUTO_MIGRATE", "true")
    monkeypatch.setenv("TQ_DATABASE_READ_URL", "postgresql://reader@replica:5432/tq")
    monkeypatch.setenv("TQ_DATABASE_POOL_SIZE", "5")
    monkeypatch.setenv("TQ_DATABASE_MAX_OVERFLOW", "0")
    monkeypatch.setenv("TQ_DATABASE_POOL_TIMEOUT_S", "2.5")
    monkeypatch.setenv("TQ_DATABASE_STATEMENT_TIMEOUT_S", "0")
    settings = Settings(environment="test")
    assert settings.auto_migrate is True
    assert settings.resolved_database_read_url == "postgresql+asyncpg://reader@replica:5432/tq"
    assert PoolOptions.of(settings) == PoolOptions(
        size=5, max_overflow=0, timeout_s=2.5, statement_timeout_s=0
    )


def test_defaults_refuse_to_migrate_and_read_the_database_itself() -> None:
    settings = Settings(environment="test", database_read_url="")
    assert settings.auto_migrate is False
    assert settings.resolved_database_read_url is None


def test_statement_timeout_reaches_each_postgres_driver() -> None:
    pool = PoolOptions(statement_timeout_s=1.5)
    asyncpg = _server_settings("postgresql+asyncpg://h/db", pool)
    assert asyncpg == {"server_settings": {"statement_timeout": "1500"}}
    psycopg = _server_settings("postgresql+psycopg://h/db", pool, read_only=True)
    assert psycopg == {"options": "-c statement_timeout=1500 -c default_transaction_read_only=on"}
    assert _server_settings("sqlite+aiosqlite:///x.db", pool) == {}


async def test_reads_that_tolerate_lag_use_the_read_url(settings: Settings) -> None:
    """With TQ_DATABASE_READ_URL (here the same database), the read sessions go there, the
    rebuild/sweep/token reads and the writes do not; a new token works at once."""
    assert settings.database_url
    settings = settings.model_copy(update={"database_read_url": settings.database_url})
    async with running_app(settings, background=False) as app:
        state = app.state.tq
        assert state.readmaker.kw["bind"] is not state.primary_readmaker.kw["bind"]
        if settings.database_url.startswith("postgresql"):
            async with state.readmaker() as session:
                assert (await session.exec(text("SHOW transaction_read_only"))).one()[0] == "on"
            async with state.primary_readmaker() as session:
                assert (await session.exec(text("SHOW transaction_read_only"))).one()[0] == "off"
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            r = await client.post(
                "/api/players", json={"handle": "reader1", "password": "pw123456"}
            )
            assert r.status_code == 201, r.text
            me = await client.get(
                "/api/quests", headers={"Authorization": f"Bearer {r.json()['token']}"}
            )
            assert me.status_code == 200, me.text

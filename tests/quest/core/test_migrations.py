"""Migrations: the models and the migrations agree; a database made by the old `create_all`
is recognised and keeps every row; start-up upgrades SQLite and, on PostgreSQL, refuses a
database behind the code unless TQ_AUTO_MIGRATE. On SQLite, and on PostgreSQL when
TQ_TEST_DATABASE_URL names one."""

from __future__ import annotations

import logging
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from kit.time import utcnow
from quest.core import migrate
from quest.core.db import make_engine
from quest.core.settings import Settings
from tests.support.app import ROOT, reset_stores, running_app, sync_url

NEXT = '''"""A test-only revision on top of the shipped ones: one new nullable column."""

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine
from alembic import op

revision = "9999"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("account", sa.Column("nickname", sa.String(length=32), nullable=True))


def downgrade() -> None:
    op.drop_column("account", "nickname")
'''


@pytest.fixture
def empty_database(settings: Settings) -> str:
    """The test's database with none of our tables (PostgreSQL: dropped; SQLite: a new file)."""
    reset_stores(settings)
    assert settings.database_url
    return settings.database_url


@pytest.fixture
def one_revision_ahead(tmp_path: Path) -> Iterator[str]:
    """The code as a release that adds revision 9999 would ship it."""
    scripts = tmp_path / "migrations"
    shutil.copytree(migrate.SCRIPTS, scripts, ignore=shutil.ignore_patterns("__pycache__"))
    head = migrate.code_revision()
    (scripts / "versions" / "9999_next.py").write_text(NEXT.format(head=head))
    original = migrate.SCRIPTS
    migrate.SCRIPTS = scripts
    migrate.scripts.cache_clear()
    try:
        yield head
    finally:
        migrate.SCRIPTS = original
        migrate.scripts.cache_clear()


def fill(database_url: str) -> dict[str, int]:
    """Players, a quest, solves, jobseekers and outbox rows in revision 0001's tables (written
    with those tables, not today's models, which may have moved on); the rows per table."""
    tables = migrate.initial_schema().tables
    engine = sa.create_engine(sync_url(database_url))
    with engine.begin() as conn:

        def add(table: str, **values: Any) -> int:
            result = conn.execute(sa.insert(tables[table]).values(**filled(tables[table], values)))
            return int(result.inserted_primary_key[0]) if result.inserted_primary_key else 0

        quest = add("quest", slug="expo", title="Expo")
        challenge = add("challenge", quest_id=quest, slug="c", kind="text", points=10)
        for n in range(30):
            player = add("account", handle=f"p{n}", handle_key=f"p{n}")
            add("solve", account_id=player, challenge_id=challenge, quest_id=quest, points=10)
            if n % 3 == 0:
                candidate = f"cand-{n}"
                add("jobseeker", candidate_id=candidate, account_id=player, consent=True)
                add("handoff_event", webhook_id=f"msg_{n}", account_id=player, payload="{}")
    engine.dispose()
    return rows(database_url)


def filled(table: sa.Table, values: dict[str, Any]) -> dict[str, Any]:
    """`values`, and a plain value for every other required column."""
    plain = {sa.Integer: 0, sa.Boolean: False, sa.JSON: [], sa.Float: 0.0}
    out = dict(values)
    for column in table.columns:
        if column.name in out or column.nullable or column.primary_key:
            continue
        if isinstance(column.type, sa.DateTime):
            out[column.name] = utcnow()
        elif isinstance(column.type, sa.String):  # Text too
            out[column.name] = "x"
        else:
            out[column.name] = next(v for t, v in plain.items() if isinstance(column.type, t))
    return out


def rows(database_url: str) -> dict[str, int]:
    """Rows per table of revision 0001 (later revisions may add tables of their own)."""
    engine = sa.create_engine(sync_url(database_url))
    with engine.connect() as conn:
        counts = {
            table.name: int(
                conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
            )
            for table in migrate.initial_schema().sorted_tables
        }
    engine.dispose()
    return counts


def cli(database_url: str, data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": "/usr/bin:/bin",
        "TQ_ENVIRONMENT": "test",
        "TQ_DATABASE_URL": database_url,
        "TQ_DATA_DIR": str(data_dir),
    }
    return subprocess.run(
        [sys.executable, "-m", "quest.cli", "db", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


async def stamp_initial(engine: AsyncEngine) -> None:
    """What the release that shipped revision 0001 left in alembic_version."""
    async with engine.begin() as conn:
        await conn.exec_driver_sql(
            "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)"
        )
        await conn.exec_driver_sql("INSERT INTO alembic_version VALUES ('0001')")


def is_postgres(url: str) -> bool:
    return url.startswith("postgresql")


async def test_a_fresh_upgrade_matches_the_models(empty_database: str, tmp_path: Path) -> None:
    engine = make_engine(empty_database)
    try:
        outcome = await migrate.prepare(engine, upgrade=True)
        assert (outcome.before, outcome.action) == (None, "created")
        assert outcome.after == migrate.code_revision()
        assert await migrate.check(engine) == []
        again = await migrate.prepare(engine, upgrade=False)
        assert again.action == "none"
        if not is_postgres(empty_database):  # off while migrating, on again for serving
            async with engine.connect() as conn:
                assert (await conn.exec_driver_sql("PRAGMA foreign_keys")).scalar_one() == 1
    finally:
        await engine.dispose()
    checked = cli(empty_database, tmp_path, "check")
    assert checked.returncode == 0, checked.stderr
    current = cli(empty_database, tmp_path, "current")
    assert current.returncode == 0, current.stderr
    assert current.stdout.split()[0] == migrate.code_revision()


async def test_db_upgrade_then_current_on_the_command_line(
    empty_database: str, tmp_path: Path
) -> None:
    before = cli(empty_database, tmp_path, "current")
    assert before.stdout.strip() == "none (empty database)"
    upgraded = cli(empty_database, tmp_path, "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    assert upgraded.stdout.strip() == f"created the schema at revision {migrate.code_revision()}"
    again = cli(empty_database, tmp_path, "upgrade")
    assert again.stdout.strip() == f"already at revision {migrate.code_revision()}"
    after = cli(empty_database, tmp_path, "current")
    assert after.stdout.strip() == f"{migrate.code_revision()} (head)"


async def test_check_fails_in_one_line_when_models_and_migrations_differ(
    empty_database: str, tmp_path: Path
) -> None:
    engine = make_engine(empty_database)
    try:
        await migrate.prepare(engine, upgrade=True)
        async with engine.begin() as conn:
            await conn.exec_driver_sql("DROP INDEX ix_solve_account")
            await conn.exec_driver_sql("ALTER TABLE account ADD COLUMN nickname VARCHAR(20)")
        problems = await migrate.check(engine)
    finally:
        await engine.dispose()
    assert sorted(problems) == ["add_index ix_solve_account", "remove_column account.nickname"]
    checked = cli(empty_database, tmp_path, "check")
    assert checked.returncode == 1
    assert checked.stderr.count("\n") == 1
    assert "models and migrations differ" in checked.stderr
    assert "ix_solve_account" in checked.stderr


async def test_check_fails_on_a_database_behind_the_code(
    empty_database: str, tmp_path: Path
) -> None:
    checked = cli(empty_database, tmp_path, "check")
    assert checked.returncode == 1
    assert f"revision none, not {migrate.code_revision()}" in checked.stderr


async def test_a_create_all_database_is_stamped_and_keeps_every_row(
    empty_database: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    engine = make_engine(empty_database)
    try:
        async with engine.begin() as conn:  # how every database was made before migrations
            await conn.run_sync(migrate.initial_schema().create_all)  # as create_all made it
        counts = fill(empty_database)
        assert counts["account"] == 30 and counts["solve"] == 30
        assert counts["jobseeker"] == 10 and counts["handoff_event"] == 10
        status = await migrate.status(engine)
        assert (status.revision, status.legacy) == (None, True)
        current = cli(empty_database, tmp_path, "current")
        assert "tables made before migrations" in current.stdout
        with caplog.at_level(logging.INFO, logger="talentquest"):
            outcome = await migrate.prepare(engine, upgrade=True)
        assert outcome.stamped and outcome.after == migrate.code_revision()
        assert any("stamped" in r.getMessage() for r in caplog.records)
        assert await migrate.check(engine) == []
    finally:
        await engine.dispose()
    assert rows(empty_database) == counts


async def test_db_upgrade_stamps_a_create_all_database(empty_database: str, tmp_path: Path) -> None:
    engine = make_engine(empty_database)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(migrate.initial_schema().create_all)  # as create_all made it
    finally:
        await engine.dispose()
    counts = fill(empty_database)
    upgraded = cli(empty_database, tmp_path, "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    assert "recognised a database made before migrations: stamped revision 0001" in upgraded.stdout
    assert rows(empty_database) == counts
    assert cli(empty_database, tmp_path, "check").returncode == 0


async def test_a_create_all_database_that_differs_is_refused(
    empty_database: str, tmp_path: Path
) -> None:
    engine = make_engine(empty_database)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(migrate.initial_schema().create_all)  # as create_all made it
            await conn.exec_driver_sql("DROP INDEX ix_solve_account")
        with pytest.raises(migrate.SchemaError, match="differ from revision 0001"):
            await migrate.prepare(engine, upgrade=True)
        assert (await migrate.status(engine)).revision is None  # nothing stamped
    finally:
        await engine.dispose()


async def test_an_upgrade_keeps_every_row(
    empty_database: str, tmp_path: Path, one_revision_ahead: str
) -> None:
    engine = make_engine(empty_database)
    try:
        async with engine.begin() as conn:  # the database as the previous release made it
            await conn.run_sync(migrate.initial_schema().create_all)
        await stamp_initial(engine)
        counts = fill(empty_database)
        with pytest.raises(migrate.SchemaError, match="TQ_AUTO_MIGRATE"):
            await migrate.prepare(engine, upgrade=False)
        outcome = await migrate.prepare(engine, upgrade=True)
        assert (outcome.before, outcome.after, outcome.action) == ("0001", "9999", "upgraded")
    finally:
        await engine.dispose()
    assert rows(empty_database) == counts


async def test_start_up_upgrades_or_refuses_a_database_behind_the_code(
    settings: Settings, empty_database: str, one_revision_ahead: str
) -> None:
    """SQLite (the embedded default) upgrades itself; PostgreSQL refuses unless told to."""
    engine = make_engine(empty_database)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(migrate.initial_schema().create_all)
        await stamp_initial(engine)
        if is_postgres(empty_database):
            with pytest.raises(migrate.SchemaError) as refused:
                async with running_app(settings, reset=False):
                    pytest.fail("served a database behind the code")
            message = str(refused.value)
            assert "\n" not in message
            assert "revision 0001" in message and "needs 9999" in message
            assert "talentquest db upgrade" in message and "TQ_AUTO_MIGRATE=true" in message
            assert (await migrate.status(engine)).revision == "0001"
            settings = settings.model_copy(update={"auto_migrate": True})
        async with running_app(settings, reset=False, background=False) as app:
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                r = await client.post(
                    "/api/players", json={"handle": "after_upgrade", "password": "password123"}
                )
                assert r.status_code == 201, r.text
        assert (await migrate.status(engine)).revision == "9999"
    finally:
        await engine.dispose()

"""Migration 0002: each quest of a database at revision 0001 gets revision 1, its document;
the next change is revision 2 with a summary against it."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlmodel import select

from quest.core import migrate
from quest.core.db import make_engine, make_sessionmaker
from quest.core.settings import Settings
from quest.quests.content import validate
from quest.quests.models import QuestRevision
from quest.quests.service import import_document
from tests.support.app import QUEST_DOC, reset_stores


async def test_quests_made_before_revisions_get_revision_one(settings: Settings) -> None:
    reset_stores(settings)
    assert settings.database_url
    engine = make_engine(settings.database_url)
    old = migrate.initial_schema()
    # as imports stored it before revisions: the validated document
    document = validate({**QUEST_DOC, "title": "Before"}).model_dump(mode="json")
    try:
        async with engine.begin() as conn:  # the database as revision 0001 left it
            await conn.run_sync(old.create_all)
            await conn.exec_driver_sql(
                "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)"
            )
            await conn.exec_driver_sql("INSERT INTO alembic_version VALUES ('0001')")
            when = datetime(2026, 1, 2, 3, 4, 5)
            await conn.execute(
                sa.insert(old.tables["quest"]).values(
                    slug="expo",
                    title="Before",
                    timezone="Asia/Hong_Kong",
                    starts_at=when,
                    ends_at=datetime(2030, 1, 1),
                    status="open",
                    frozen=False,
                    document=document,
                    created_at=when,
                    updated_at=when,
                )
            )
        await migrate.prepare(engine, upgrade=True)
        sessions = make_sessionmaker(engine)
        async with sessions() as session:
            rows = list(await session.exec(select(QuestRevision)))
        assert [(r.n, r.by, r.document) for r in rows] == [(1, "(before revisions)", document)]
        assert rows[0].at == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
        async with sessions() as session, session.begin():
            imported = await import_document(
                session=session, document=json.dumps({**QUEST_DOC, "title": "After"})
            )
        assert imported.revision == 2
        async with sessions() as session:
            latest = (await session.exec(select(QuestRevision).where(QuestRevision.n == 2))).one()
        assert latest.summary == "title 'Before' → 'After'" and latest.by == "cli"
    finally:
        await engine.dispose()

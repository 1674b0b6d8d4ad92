"""Load the demo content: the Talent Quest and the expo's job listings (idempotent)."""

from __future__ import annotations

from pathlib import Path

from quest.core.state import AppState
from quest.quests.revisions import Author
from quest.quests.service import import_document

DEMO_QUEST = Path(__file__).parent / "talent-quest.yaml"


async def load_demo(state: AppState) -> str:
    async with state.sessionmaker() as session, session.begin():
        imported = await import_document(
            session=session,
            document=DEMO_QUEST.read_text(encoding="utf-8"),
            author=Author("demo"),
            confirm=True,  # the demo file is the source of truth for the demo quest
        )
    from jobs.generator import load_demo as load_jobs

    async with state.sessionmaker() as session, session.begin():
        jobs = await load_jobs(session=session)
    candidates = 0
    if state.settings.demo_simulation_on:
        # The living demo: simulated players never reach recruiters, so the recruiter pages
        # get made-up candidates (jobs/demo_candidates.py); TQ_DEMO_SIMULATION=false: none.
        from jobs.demo_candidates import load_demo_candidates

        async with state.sessionmaker() as session, session.begin():
            candidates = await load_demo_candidates(session=session, quest=imported.quest.title)
    from quest.rehearsal.demo import mark_demo

    mark_demo(state.settings)  # `serve` then starts the demo's simulated crowd
    verb = "created" if imported.created else "up to date"
    added = f"; {candidates} demo candidates added" if candidates else ""
    return f"demo quest {imported.quest.slug} {verb}; {jobs} jobs added{added}"

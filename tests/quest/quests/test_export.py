"""Export: a quest's document as YAML re-imports to the same quest (no revision, the same
challenges, answers and scoring), for the demo quest and a document with every field."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml
from fastapi import FastAPI
from sqlmodel import col, select

from challenges.models import Challenge
from quest.quests.demo.loader import DEMO_QUEST
from quest.quests.models import Quest, QuestRevision
from quest.quests.revisions import to_yaml
from quest.quests.service import import_document, quest_document
from tests.support.app import QUEST_DOC, ROOT

EVERY_FIELD: dict[str, Any] = {
    "slug": "every",
    "title": "Every field",
    "timezone": "Europe/London",
    "starts_at": "2026-03-01T09:00:00+00:00",
    "ends_at": "2026-03-31T18:00:00+01:00",
    "status": "draft",
    "description": "A quest with <every> field & \"quotes\": yes, no, on, 42",
    "tracks": [{"slug": "one", "title": "One"}, {"slug": "two", "title": "Two: the sequel"}],
    "challenges": [
        {
            "slug": "pick",
            "track": "one",
            "title": "Pick one",
            "prompt": "Which?\n\nLine two, with: a colon",
            "kind": "choice",
            "points": 10,
            "options": ["yes", "no", "42"],
            "answer": "no",
            "max_attempts": 2,
            "hints": [{"text": "Not yes", "cost": 2}, {"text": "Free", "cost": 0}],
            "scoring": {"speed_bonus": {"max": 50, "window_s": 600}},
        },
        {
            "slug": "many",
            "track": "one",
            "title": "Pick many",
            "prompt": "All primes",
            "kind": "choice",
            "points": 20,
            "options": ["2", "3", "4"],
            "answer": ["2", "3"],
            "requires": ["pick"],
            "scoring": {"first_solves": {"count": 3, "bonus": 25}},
        },
        {
            "slug": "words",
            "track": "two",
            "title": "Words",
            "prompt": "Say it",
            "kind": "text",
            "points": 30,
            "answer": ["null", "True", "  spaced  out "],
            "opens_at": "2026-03-02T10:00:00+00:00",
            "closes_at": "2026-03-03T10:00:00+08:00",
        },
        {
            "slug": "pattern",
            "track": "two",
            "title": "Pattern",
            "prompt": "Any CRISPR",
            "kind": "text",
            "points": 40,
            "answer": {"regex": "^cr[iy]spr(-cas9)?$"},
            "requires": ["words", "many"],
        },
        {
            "slug": "single",
            "track": "two",
            "title": "One word",
            "prompt": "The word",
            "kind": "text",
            "points": 5,
            "answer": "'quoted' #not-a-comment",
        },
        {
            "slug": "pi",
            "track": "one",
            "title": "Pi",
            "prompt": "Pi to two places",
            "kind": "numeric",
            "points": 15,
            "answer": 3.14,
            "tolerance": 0.005,
            "scoring": {
                "speed_bonus": {"max": 5, "window_s": 60},
                "first_solves": {"count": 1, "bonus": 1},
            },
        },
        {
            "slug": "count",
            "track": "one",
            "title": "Count",
            "prompt": "How many",
            "kind": "numeric",
            "points": 15,
            "answer": -7,
        },
        {
            "slug": "booth-a",
            "track": "one",
            "title": "Booth A",
            "prompt": "Visit A",
            "kind": "checkin",
            "points": 25,
            "booth": "alpha",
            "secret": "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
        },
        {
            "slug": "booth-b",
            "track": "two",
            "title": "Booth B",
            "prompt": "Visit B",
            "kind": "checkin",
            "points": 25,
            "booth": "beta",
        },
    ],
}


def rows(challenges: list[Challenge]) -> list[dict[str, Any]]:
    return [c.model_dump(exclude={"id", "solve_count"}) for c in challenges]


async def round_trip(app: FastAPI, text: str) -> str:
    """Import `text`, export, re-import the export; checks nothing changed; the export."""
    state = app.state.tq
    async with state.sessionmaker() as session, session.begin():
        first = await import_document(session=session, document=text)
    slug = first.quest.slug
    async with state.readmaker() as session:
        exported = to_yaml(await quest_document(session=session, slug=slug))
        quest = (await session.exec(select(Quest).where(Quest.slug == slug))).one()
        before = rows(
            list(await session.exec(select(Challenge).where(Challenge.quest_id == quest.id)))
        )
    async with state.sessionmaker() as session, session.begin():
        again = await import_document(session=session, document=exported)
    assert again.created is False and again.revision is None  # nothing changed
    assert again.quest == first.quest
    async with state.readmaker() as session:
        after = rows(
            list(
                await session.exec(
                    select(Challenge)
                    .where(Challenge.quest_id == quest.id)
                    .order_by(col(Challenge.position))
                )
            )
        )
        revisions = list(
            await session.exec(select(QuestRevision).where(QuestRevision.quest_id == quest.id))
        )
        assert to_yaml(await quest_document(session=session, slug=slug)) == exported
    assert sorted(after, key=lambda r: r["position"]) == sorted(before, key=lambda r: r["position"])
    assert len(revisions) == 1
    return exported


async def test_every_field_round_trips(app: FastAPI) -> None:
    exported = await round_trip(app, json.dumps(EVERY_FIELD))
    back = yaml.safe_load(exported)
    expected = json.loads(json.dumps(EVERY_FIELD))
    generated = back["challenges"][-1].pop("secret")  # generated at import, exported to staff
    assert "status" not in back  # the event's state (PATCH), not content: never exported
    expected.pop("status")
    assert len(generated) == 32
    for doc in (back, expected):  # times come back in one spelling; compare them as times
        for ch in doc["challenges"]:
            ch.pop("opens_at", None), ch.pop("closes_at", None)
        doc.pop("starts_at"), doc.pop("ends_at")
    assert back == expected
    assert "opens_at: '2026-03-02T10:00:00Z'" in exported


async def test_the_demo_quest_round_trips(app: FastAPI) -> None:
    exported = await round_trip(app, DEMO_QUEST.read_text(encoding="utf-8"))
    assert yaml.safe_load(exported)["slug"] == yaml.safe_load(DEMO_QUEST.read_text())["slug"]


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "quest.cli", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_quests_export_prints_the_document_as_yaml(
    server_env: dict[str, str], tmp_path: Path
) -> None:
    source = tmp_path / "expo.json"
    source.write_text(json.dumps(QUEST_DOC))
    assert cli(server_env, "quests", "import", str(source)).stdout == "created quest expo\n"
    printed = cli(server_env, "quests", "export", "expo")
    assert printed.returncode == 0, printed.stderr
    assert yaml.safe_load(printed.stdout)["challenges"][0] == QUEST_DOC["challenges"][0]
    out = tmp_path / "out.yaml"
    written = cli(server_env, "quests", "export", "expo", "-o", str(out))
    assert written.returncode == 0 and written.stdout == ""
    assert out.read_text() == printed.stdout
    assert cli(server_env, "quests", "import", str(out)).stdout == "updated quest expo\n"
    missing = cli(server_env, "quests", "export", "nope")
    assert missing.returncode == 1 and missing.stderr == "talentquest: no quest 'nope'\n"
    unwritable = cli(server_env, "quests", "export", "expo", "-o", str(tmp_path / "no" / "x"))
    assert unwritable.returncode == 1 and unwritable.stderr.startswith("talentquest: cannot")

"""A booth's secret may be left out of a document: generated at import, kept, staff only."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import httpx
import yaml
from fastapi import FastAPI
from sqlmodel import select

from challenges.models import Challenge
from tests.support.app import QUEST_DOC, auth, register

DEMO = Path(__file__).resolve().parents[3] / "quest" / "quests" / "demo" / "talent-quest.yaml"


def _without_secrets() -> dict[str, Any]:
    doc = copy.deepcopy(QUEST_DOC)
    for challenge in doc["challenges"]:
        challenge.pop("secret", None)
    return doc


async def _booth_secret(app: FastAPI, booth: str = "aeroism") -> str:
    async with app.state.tq.sessionmaker() as session:
        rows = await session.exec(select(Challenge).where(Challenge.kind == "checkin"))
        [secret] = [c.spec["secret"] for c in rows if c.spec.get("booth") == booth]
    return str(secret)


def test_the_demo_document_carries_no_booth_secret() -> None:
    text = DEMO.read_text(encoding="utf-8")
    booths = [c for c in yaml.safe_load(text)["challenges"] if c["kind"] == "checkin"]
    assert booths, "the demo has booths"
    assert all("secret" not in c for c in booths)
    assert not re.search(r"^\s*secret\s*:", text, re.MULTILINE)


async def test_a_booth_without_a_secret_gets_one_kept_across_imports(
    app: FastAPI, client: httpx.AsyncClient, staff: str
) -> None:
    doc = _without_secrets()
    r = await client.post("/api/admin/quests", json=doc, headers=auth(staff))
    assert r.status_code == 201, r.text
    secret = await _booth_secret(app)
    assert re.fullmatch(r"[A-Z2-7]{32}", secret), secret  # 160 random bits, base32
    assert secret != QUEST_DOC["challenges"][-1]["secret"]

    # The same document again (no secret): the booth's screens keep working.
    doc["title"] = "Expo Quest, revised"
    r = await client.post("/api/admin/quests", json=doc, headers=auth(staff))
    assert r.status_code == 200, r.text
    assert await _booth_secret(app) == secret

    # Staff see codes made from it; a player checks in with one, and never sees the secret.
    code = await client.get("/api/admin/booths/expo/aeroism/code", headers=auth(staff))
    assert code.status_code == 200, code.text
    player = await register(client, "bea")
    seen = [
        await client.get("/api/quests/expo/challenges", headers=auth(player)),
        await client.get("/api/quests/expo", headers=auth(player)),
        await client.get("/api/quests"),
    ]
    listing = seen[0].json()
    booth_id = next(c["id"] for c in listing if c["kind"] == "checkin")
    seen.append(await client.get(f"/api/challenges/{booth_id}", headers=auth(player)))
    seen.append(await client.get("/play/expo", headers=auth(player)))
    for response in seen:
        assert response.status_code == 200, response.text
        assert secret not in response.text
    checkin = await client.post(
        "/api/checkins",
        json={"code": code.json()["code"], "booth": "aeroism"},
        headers=auth(player),
    )
    assert checkin.status_code == 200, checkin.text
    assert checkin.json()["points_awarded"] == 100


async def test_a_secret_given_in_the_document_replaces_the_generated_one(
    app: FastAPI, client: httpx.AsyncClient, staff: str
) -> None:
    r = await client.post("/api/admin/quests", json=_without_secrets(), headers=auth(staff))
    assert r.status_code == 201, r.text
    generated = await _booth_secret(app)
    r = await client.post("/api/admin/quests", json=QUEST_DOC, headers=auth(staff))
    assert r.status_code == 200, r.text
    given = QUEST_DOC["challenges"][-1]["secret"]
    assert await _booth_secret(app) == given != generated

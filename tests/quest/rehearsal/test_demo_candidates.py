"""The living demo's recruiter pages: `talentquest demo` adds made-up candidates only when the
demo's simulation is on (TQ_DEMO_SIMULATION, on in development), never otherwise."""

from __future__ import annotations

import httpx

from quest.core.settings import Settings
from quest.quests.demo.loader import load_demo
from tests.support.app import auth, make_account, running_app


async def candidates_seen(settings: Settings) -> tuple[str, int]:
    async with running_app(settings, background=False) as app:
        said = await load_demo(app.state.tq)
        again = await load_demo(app.state.tq)  # idempotent: nothing added twice
        assert "demo candidates" not in again
        token = await make_account(app, "hirer", "recruiter")
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            r = await client.get("/api/recruiter/candidates", headers=auth(token))
            assert r.status_code == 200, r.text
            return said, int(r.json()["total"])


async def test_the_living_demo_shows_recruiters_made_up_candidates(settings: Settings) -> None:
    said, total = await candidates_seen(settings.model_copy(update={"demo_simulation": True}))
    assert "36 demo candidates added" in said
    assert total == 36


async def test_no_demo_candidates_when_the_simulation_is_off(settings: Settings) -> None:
    said, total = await candidates_seen(settings.model_copy(update={"demo_simulation": False}))
    assert "candidates" not in said and total == 0

"""The living demo: a server started as `make run` starts it (`talentquest demo`, then
`talentquest serve`) shows a moving board within a minute, played by simulated players."""

from __future__ import annotations

import subprocess
import sys
import time

import httpx
import sqlalchemy as sa

from quest.core.settings import Settings
from tests.support.app import ROOT, Server, free_port, sync_url


def test_make_run_shows_a_moving_board(server_env: dict[str, str], settings: Settings) -> None:
    # make run's settings, sped up: the crowd plays 30 times faster than real time.
    env = {**server_env, "TQ_DEMO_SIMULATION": "true", "TQ_DEMO_SIMULATION_SPEED": "30"}
    demo = subprocess.run(
        [sys.executable, "-m", "quest.cli", "demo"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert demo.returncode == 0, demo.stderr
    server = Server(env, free_port())
    server.start()
    try:
        deadline = time.monotonic() + 60
        totals = []
        while time.monotonic() < deadline:
            board = httpx.get(f"{server.url}/api/quests/talent-quest/leaderboard").json()
            totals.append(board["total"])
            if board["total"] >= 3 and len(set(totals)) >= 3:
                break  # solves keep arriving: the board moves
            time.sleep(1)
        assert totals[-1] >= 3 and len(set(totals)) >= 3, totals
    finally:
        server.stop()
    engine = sa.create_engine(sync_url(settings.database_url or ""))
    try:
        with engine.connect() as conn:
            players = conn.execute(
                sa.text("SELECT simulated, COUNT(*) FROM account WHERE role = 'player' GROUP BY 1")
            ).all()
            events = conn.execute(sa.text("SELECT COUNT(*) FROM handoff_event")).scalar_one()
    finally:
        engine.dispose()
    assert [s for s, _ in players] == [True]  # every player of the demo's crowd is marked
    assert events == 0

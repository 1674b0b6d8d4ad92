"""`talentquest simulate` against a real `talentquest serve`: a crowd on the board, mostly wrong
first answers, check-ins and conversions; simulated accounts flagged in SQL and never handed
to recruiters; `--clean` erases them and their boards; bad input is one line, non-zero."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import httpx
import sqlalchemy as sa

from quest.core.settings import Settings
from tests.support.app import QUEST_DOC, ROOT, Server, auth, make_staff_via_cli, sql_rows, sync_url


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "quest.cli", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )


def rows(settings: Settings, sql: str) -> list[Any]:
    return sql_rows(settings.database_url or "", sql)


def token_of(server: Server, username: str, password: str = "password123") -> str:
    r = httpx.post(
        f"{server.url}/api/auth/token", data={"username": username, "password": password}
    )
    assert r.status_code == 200, r.text
    return str(r.json()["access_token"])


def test_simulate_against_a_real_server(
    live_server: Server, server_env: dict[str, str], settings: Settings
) -> None:
    staff = token_of(live_server, make_staff_via_cli(server_env, "rehearser"))
    r = httpx.post(f"{live_server.url}/api/admin/quests", json=QUEST_DOC, headers=auth(staff))
    assert r.status_code == 201, r.text
    recruiter = make_staff_via_cli(server_env, "hirer")  # then made a recruiter below
    engine = sa.create_engine(sync_url(settings.database_url or ""))
    try:  # disposed: a pooled connection left to the GC is a ResourceWarning in a later test
        with engine.begin() as conn:
            conn.execute(sa.text("UPDATE account SET role = 'recruiter' WHERE handle = 'hirer'"))
    finally:
        engine.dispose()
    hirer = token_of(live_server, recruiter)

    run = cli(
        server_env,
        "simulate", "expo", "--players", "12", "--seconds", "12", "--rate", "120",
        "--conversions", "0.5", "--seed", "7", "--url", live_server.url, "--staff-token", staff,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "players: 12 signed up" in run.stdout, run.stdout
    assert "errors by status: none" in run.stdout, run.stdout

    board = httpx.get(f"{live_server.url}/api/quests/expo/leaderboard?limit=100").json()
    assert board["total"] >= 8  # a few may have gone idle before a solve
    flags = rows(
        settings, "SELECT simulated, COUNT(*) FROM account WHERE role = 'player' GROUP BY 1"
    )
    assert flags == [(True, 12)]
    first = rows(
        settings,
        "SELECT t.correct FROM attempt t WHERE t.id IN"
        " (SELECT MIN(id) FROM attempt GROUP BY account_id, challenge_id)"
        " AND t.challenge_id IN (SELECT id FROM challenge WHERE kind != 'checkin')",
    )
    wrong = sum(1 for (correct,) in first if not correct) / len(first)
    assert len(first) >= 15 and 0.45 <= wrong <= 0.9, (len(first), wrong)
    checkins = rows(
        settings,
        "SELECT COUNT(*) FROM solve s JOIN challenge c ON c.id = s.challenge_id"
        " WHERE c.kind = 'checkin'",
    )
    assert checkins[0][0] >= 1
    converted = rows(settings, "SELECT COUNT(*) FROM jobseeker")[0][0]
    assert converted >= 1
    # Never handed off: no outbox event, no candidate for recruiters, an empty export.
    assert rows(settings, "SELECT COUNT(*) FROM handoff_event") == [(0,)]
    assert rows(settings, "SELECT COUNT(*) FROM jobs_candidate") == [(0,)]
    found = httpx.get(f"{live_server.url}/api/recruiter/candidates", headers=auth(hirer))
    assert found.status_code == 200 and found.json()["total"] == 0
    csv = httpx.get(f"{live_server.url}/api/recruiter/candidates.csv", headers=auth(hirer))
    assert csv.status_code == 200 and len(csv.text.strip().splitlines()) == 1  # the header
    funnel = httpx.get(f"{live_server.url}/api/admin/funnel?quest=expo", headers=auth(staff))
    assert funnel.json()["jobseekers"] == converted

    clean = cli(server_env, "simulate", "expo", "--clean", "--url", live_server.url,
                "--staff-token", staff)  # fmt: skip
    assert clean.returncode == 0, clean.stderr
    assert clean.stdout.startswith("erased 12 simulated players of expo")
    board = httpx.get(f"{live_server.url}/api/quests/expo/leaderboard").json()
    assert board["total"] == 0 and board["entries"] == []
    left = rows(settings, "SELECT COUNT(*) FROM account WHERE simulated AND erased_at IS NULL")
    assert left == [(0,)]
    assert rows(settings, "SELECT COUNT(*) FROM solve") == [(0,)]
    assert rows(settings, "SELECT COUNT(*) FROM handoff_event") == [(0,)]


def test_bad_input_is_one_line(live_server: Server, server_env: dict[str, str]) -> None:
    staff = token_of(live_server, make_staff_via_cli(server_env, "rehearser"))
    env = {k: v for k, v in server_env.items() if k != "TQ_SIMULATE_TOKEN"}
    cases = [
        (["expo", "--players", "2", "--minutes", "1", "--url", live_server.url], "staff token"),
        (["expo", "--players", "2", "--minutes", "1", "--url", live_server.url,
          "--staff-token", "nope"], "staff token was refused"),
        (["nope", "--players", "2", "--minutes", "1", "--url", live_server.url,
          "--staff-token", staff], "no quest 'nope'"),
        (["expo", "--minutes", "1", "--url", live_server.url, "--staff-token", staff],
         "--players and --minutes"),
        (["expo", "--players", "2", "--minutes", "1", "--url", "http://127.0.0.1:9",
          "--staff-token", staff], "cannot reach"),
        (["expo", "--players", "2", "--minutes", "1", "--url", "ftp://x",
          "--staff-token", staff], "http(s) URL"),
    ]  # fmt: skip
    for args, reason in cases:
        run = cli(env, "simulate", *args)
        assert run.returncode == 1, (args, run.stdout, run.stderr)
        assert reason in run.stderr and len(run.stderr.strip().splitlines()) == 1, run.stderr
    assert cli(env, "simulate", "--help").returncode == 0
    assert cli(env, "simulate", "expo", "--players", "0").returncode != 0

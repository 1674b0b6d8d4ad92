"""Accounts and tokens, operational endpoints, and the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import httpx
from fastapi import FastAPI
from sqlmodel import select

from kit.time import utcnow
from quest.accounts.models import ApiToken
from tests.support.app import QUEST_DOC, ROOT, auth, register


async def test_register_login_logout(client: httpx.AsyncClient) -> None:
    r = await client.post(
        "/api/players",
        json={"handle": "Zoe_1", "password": "password123", "email": "z@example.com"},
    )
    assert r.status_code == 201 and set(r.json()) == {"id", "handle", "token"}
    r = await client.post("/api/players", json={"handle": "zoe_1", "password": "password123"})
    assert r.status_code == 409 and r.json()["code"] == "handle_taken"
    for bad in (
        {"handle": "ab", "password": "password123"},
        {"handle": "a b c", "password": "password123"},
        {"handle": "okay", "password": "short"},
        {"handle": "okay", "password": "password123", "email": "nope"},
    ):
        r = await client.post("/api/players", json=bad)
        assert r.status_code == 422 and r.json()["code"] == "invalid_request", bad
    r = await client.post("/api/auth/token", data={"username": "zoe_1", "password": "wrong-pass"})
    assert r.status_code == 401 and r.json()["code"] == "invalid_credentials"
    r = await client.post("/api/auth/token", data={"username": "ZOE_1", "password": "password123"})
    assert (
        r.status_code == 200 and r.json()["token_type"] == "bearer" and r.json()["role"] == "player"
    )
    token = r.json()["access_token"]
    assert (
        await client.get("/api/quests/none/leaderboard/me", headers=auth(token))
    ).status_code == 404
    assert (await client.post("/api/auth/logout", headers=auth(token))).status_code == 204
    r = await client.post("/api/auth/logout", headers=auth(token))
    assert r.status_code == 401


async def test_expired_token(app: FastAPI, client: httpx.AsyncClient) -> None:
    token = await register(client, "expiring")
    async with app.state.tq.sessionmaker() as session, session.begin():
        for row in (await session.exec(select(ApiToken))).all():
            row.expires_at = utcnow() - timedelta(seconds=1)
            session.add(row)
    await app.state.tq.redis.flushdb()  # drop the token cache; SQL decides
    r = await client.get("/api/quests/expo/leaderboard/me", headers=auth(token))
    assert r.status_code == 401 and r.json()["code"] == "token_expired"


async def test_ops_endpoints(client: httpx.AsyncClient, quest: dict[str, int]) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["redis"] == "ok"
    token = await register(client, "metric")
    await client.post(
        f"/api/challenges/{quest['luhn']}/attempts", json={"answer": 3}, headers=auth(token)
    )
    text = (await client.get("/metrics")).text
    assert 'tq_attempts_total{result="correct"} 1.0' in text
    assert "tq_solves_total 1.0" in text
    assert 'tq_board_updates_total{result="applied"} 1.0' in text
    assert 'route="/api/challenges/{challenge_id}/attempts"' in text
    spec = (await client.get("/openapi.json")).json()
    assert "/api/challenges/{challenge_id}/attempts" in spec["paths"]
    r = await client.get("/no/such/path")
    assert r.status_code == 404 and r.json()["code"] == "not_found"


def run_cli(
    *args: str, stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "quest.cli", *args],
        input=stdin,
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_cli(server_env: dict[str, str], tmp_path: Path) -> None:
    for cmd in (
        [],
        ["serve"],
        ["demo"],
        ["quests", "import"],
        ["users", "create"],
        ["leaderboard", "rebuild"],
        ["scheduler"],
    ):
        r = run_cli(*cmd, "--help", env=server_env)
        assert r.returncode == 0 and "usage" in r.stdout, cmd
    create_ops1 = ("users", "create", "--role", "staff", "--username", "ops1")
    r = run_cli(*create_ops1, stdin="password123\n", env=server_env)
    assert r.returncode == 0 and r.stdout.startswith("created staff ops1 (id "), r.stderr
    r = run_cli(*create_ops1, stdin="password123\n", env=server_env)
    assert r.returncode == 1 and r.stderr.count("\n") == 1 and "taken" in r.stderr
    r = run_cli(
        "users", "create", "--role", "staff", "--username", "ops2", stdin="short\n", env=server_env
    )
    assert r.returncode == 1 and "password" in r.stderr
    r = run_cli("users", "create", "--role", "boss", "--username", "ops3", env=server_env)
    assert r.returncode != 0
    r = run_cli("users", "create", "--role", "staff", "--username", "o p", env=server_env)
    assert r.returncode == 1 and "username must be" in r.stderr
    r = run_cli("quests", "import", "/nonexistent.yaml", env=server_env)
    assert r.returncode == 1 and "no such file" in r.stderr
    bad = tmp_path / "bad-quest.yaml"
    bad.write_text("slug: Bad Slug\ntitle: x\n")
    r = run_cli("quests", "import", str(bad), env=server_env)
    assert r.returncode == 1 and r.stderr.count("\n") == 1
    assert f"{bad}: nothing imported, " in r.stderr and "slug: " in r.stderr
    good = tmp_path / "quest.json"
    good.write_text(json.dumps(QUEST_DOC))
    r = run_cli("quests", "import", str(good), env=server_env)
    assert r.returncode == 0 and r.stdout == "created quest expo\n", r.stderr
    r = run_cli("quests", "import", str(good), env=server_env)
    assert r.returncode == 0 and r.stdout == "updated quest expo\n", r.stderr
    r = run_cli("demo", env=server_env)
    assert r.returncode == 0 and "talent-quest" in r.stdout, r.stderr
    r = run_cli("demo", env=server_env)
    assert r.returncode == 0 and "up to date" in r.stdout
    r = run_cli("leaderboard", "rebuild", "talent-quest", env=server_env)
    assert r.returncode == 0 and "rebuilt" in r.stdout, r.stderr
    r = run_cli("leaderboard", "rebuild", "nope", env=server_env)
    assert r.returncode == 1 and "no quest" in r.stderr

"""The data directory (database, Redis AOF, secrets) is readable by its owner only."""

from __future__ import annotations

import os
import shutil
import stat
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from quest.core.settings import Settings
from tests.support.app import QUEST_DOC, auth, make_staff, register, running_app, short_tmp


@pytest.fixture
def home() -> Iterator[Path]:
    # Short: the embedded Redis listens on a unix socket inside it.
    path = short_tmp() / "var"
    yield path
    shutil.rmtree(path.parent, ignore_errors=True)


@pytest.fixture
def lax_umask() -> Iterator[None]:
    """The usual umask, under which a plain open() makes world-readable files."""
    before = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(before)


def _tree(root: Path) -> list[Path]:
    return [root, *root.rglob("*")]


def _loosen(root: Path) -> None:
    """What an older release left: everything readable by every local user."""
    for path in _tree(root):
        if path.is_dir():
            path.chmod(0o755)
        elif path.is_file():
            path.chmod(0o644)


def _open_to_others(root: Path) -> list[str]:
    found = []
    for path in _tree(root):
        mode = stat.S_IMODE(path.lstat().st_mode)
        if mode & 0o077:
            found.append(f"{path.relative_to(root.parent)} {mode:o}")
    return found


def _embedded(home: Path) -> Settings:
    """The defaults of `make run`: SQLite and the embedded Redis, both in the data directory."""
    return Settings(
        environment="test",
        data_dir=home,
        secret_key="test-secret-key-test-secret-key-0123456789",
        public_url="http://test",
    )


async def _play(settings: Settings, handle: str = "dora") -> None:
    """Start, write to the database and to Redis (a sign-up, a solve), stop."""
    async with running_app(settings, reset=False) as app:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            staff = await make_staff(app, f"staff-{handle}")
            r = await client.post("/api/admin/quests", json=QUEST_DOC, headers=auth(staff))
            assert r.status_code in (200, 201), r.text
            listing = (await client.get("/api/quests/expo/challenges")).json()
            luhn = next(c["id"] for c in listing if c["slug"] == "luhn")
            token = await register(client, handle)
            r = await client.post(
                f"/api/challenges/{luhn}/attempts", json={"answer": "3"}, headers=auth(token)
            )
            assert r.json()["correct"], r.text
            # While running: the -wal and -shm files of SQLite exist now.
            assert _open_to_others(settings.data_dir) == []


@pytest.mark.usefixtures("lax_umask")
async def test_a_new_data_directory_is_private_whatever_the_umask(home: Path) -> None:
    await _play(_embedded(home))
    names = {p.name for p in _tree(home)}
    assert {"talentquest.db", "secrets", "handoff_secret"} <= names
    assert any(name.startswith("appendonly") for name in names), names
    assert _open_to_others(home) == []


@pytest.mark.usefixtures("lax_umask")
async def test_an_older_world_readable_data_directory_is_tightened(home: Path) -> None:
    await _play(_embedded(home))
    _loosen(home)
    await _play(_embedded(home), "ella")
    assert _open_to_others(home) == []

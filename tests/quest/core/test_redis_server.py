"""The embedded redis-server: real processes in a short temporary directory."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
import redis.asyncio

from quest.core.redis_server import EmbeddedRedis, EmbeddedRedisError, redis_server_executable

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture
def data_dir() -> Iterator[Path]:
    # tmp_path can exceed the ~107-byte limit of a unix socket path.
    path = Path(tempfile.mkdtemp(prefix="tq"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def server(data_dir: Path) -> Iterator[EmbeddedRedis]:
    srv = EmbeddedRedis(data_dir)
    yield srv
    srv.stop()


def _client(srv: EmbeddedRedis) -> redis.Redis:
    return redis.Redis.from_url(srv.url, decode_responses=True)


def _wait_dead(pid: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            return
        if "State:\tZ" in state:
            return
        time.sleep(0.05)
    raise AssertionError(f"pid {pid} still alive")


def _alive(pid: int) -> bool:
    try:
        return "State:\tZ" not in Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False


def test_binary_is_found() -> None:
    exe = redis_server_executable()
    assert exe.name == "redis-server"
    assert os.access(exe, os.X_OK)


def test_start_ping_stop(server: EmbeddedRedis, data_dir: Path) -> None:
    server.start()
    assert server.url == f"unix://{data_dir.resolve()}/redis.sock"
    assert server.owned and server.pid is not None
    assert (data_dir / "redis.sock").exists()
    assert int((data_dir / "redis.pid").read_text()) == server.pid
    with _client(server) as client:
        assert client.ping()
        config = client.config_get("*")
        assert config["port"] == "0"
        assert config["appendonly"] == "yes"
        assert config["save"] == ""
    pid = server.pid
    server.stop()
    assert not server.running and server.pid is None
    assert not _alive(pid)
    assert not (data_dir / "redis.sock").exists()
    assert not (data_dir / "redis.pid").exists()
    server.stop()  # idempotent


async def test_async_start_and_asyncio_client(server: EmbeddedRedis) -> None:
    await server.astart()
    client = redis.asyncio.from_url(server.url, decode_responses=True)
    try:
        assert await client.ping()
        await client.set("k", "v")
        assert await client.get("k") == "v"
    finally:
        await client.aclose()
    await server.astop()
    assert not server.running


def test_data_survives_restart_via_aof(data_dir: Path) -> None:
    with EmbeddedRedis(data_dir) as first, _client(first) as client:
        client.set("quest:talent-quest:hello", "world")
        client.zadd("board", {"alice": 300, "bob": 150})
    assert (data_dir / "appendonly.aof").stat().st_size > 0
    assert not list(data_dir.glob("*.rdb"))
    with EmbeddedRedis(data_dir) as second, _client(second) as client:
        assert client.get("quest:talent-quest:hello") == "world"
        assert client.zrange("board", 0, -1, withscores=True) == [
            ("bob", 150.0),
            ("alice", 300.0),
        ]


def test_second_start_reuses_running_server(server: EmbeddedRedis, data_dir: Path) -> None:
    server.start()
    other = EmbeddedRedis(data_dir)
    other.start()
    try:
        assert other.running and not other.owned
        assert other.pid == server.pid
        with _client(other) as client:
            client.set("shared", "1")
    finally:
        other.stop()  # a sharer lets go without shutting the server down
    with _client(server) as client:
        assert client.get("shared") == "1"
    assert server.pid is not None and _alive(server.pid)


def _start_in_child_then_die(data_dir: Path) -> int:
    """Start a server from a child python that then dies without cleanup; return its pid."""
    code = (
        "import os, sys; from pathlib import Path;"
        "from quest.core.redis_server import EmbeddedRedis;"
        "s = EmbeddedRedis(Path(sys.argv[1])); s.start();"
        "print(s.pid, flush=True); os._exit(0)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(data_dir)],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return int(out.stdout.strip())


def test_stale_pid_and_socket_after_sigkill_are_recovered(data_dir: Path) -> None:
    pid = _start_in_child_then_die(data_dir)
    with redis.Redis(unix_socket_path=str(data_dir / "redis.sock")) as client:
        client.set("before", "crash")
    time.sleep(1.2)  # appendfsync everysec
    os.kill(pid, signal.SIGKILL)
    _wait_dead(pid)
    assert (data_dir / "redis.sock").exists()
    assert (data_dir / "redis.pid").exists()

    srv = EmbeddedRedis(data_dir)
    srv.start()
    try:
        assert srv.owned and srv.pid != pid
        with _client(srv) as client:
            assert client.get("before") == "crash"
    finally:
        srv.stop()
    assert not (data_dir / "redis.sock").exists()


def test_orphan_of_killed_app_is_adopted_and_stopped(data_dir: Path) -> None:
    pid = _start_in_child_then_die(data_dir)  # redis lives on; its owner is gone
    assert _alive(pid)
    srv = EmbeddedRedis(data_dir)
    srv.start()
    assert srv.owned and srv.pid == pid
    srv.stop()
    _wait_dead(pid)
    assert not (data_dir / "redis.sock").exists()


def test_too_long_socket_path_is_refused(tmp_path: Path) -> None:
    deep = tmp_path / ("x" * 120)
    with pytest.raises(EmbeddedRedisError, match="too long"):
        EmbeddedRedis(deep).start()


def test_failed_start_reports_the_reason(data_dir: Path) -> None:
    fake = data_dir / "fake-redis-server"
    fake.write_text("#!/bin/sh\necho boom >&2\nexit 3\n")
    fake.chmod(0o755)
    with pytest.raises(EmbeddedRedisError, match="exited with status 3"):
        EmbeddedRedis(data_dir, executable=fake).start()

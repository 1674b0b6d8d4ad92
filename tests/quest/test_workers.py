"""`talentquest serve --workers 2` on the embedded defaults: both workers serve, one embedded
Redis and one scheduler for all of them, a solve made through one worker is on the other's
board, and SIGTERM stops every process it started."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
import pytest

from tests.support.app import QUEST_DOC, ROOT, free_port


def _env(data_dir: Path) -> dict[str, str]:
    """The embedded defaults: no database or Redis URL, only a data directory."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TQ_")}
    env.update(TQ_DATA_DIR=str(data_dir), TQ_ENVIRONMENT="test", TQ_LOG_LEVEL="warning")
    return env


def _owner(server_port: int, client: socket.socket, candidates: list[psutil.Process]) -> int:
    """The pid of the worker holding the server side of `client`'s connection."""
    local = client.getsockname()[1]
    for proc in candidates:
        for conn in proc.net_connections(kind="tcp"):
            if conn.laddr and conn.raddr and conn.laddr.port == server_port:
                if conn.raddr.port == local:
                    return proc.pid
    raise AssertionError(f"no worker holds the connection from port {local}")


def _request(sock: socket.socket, method: str, path: str, token: str, body: bytes = b"") -> bytes:
    head = (
        f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    sock.sendall(head.encode() + body)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, "connection closed"
        data += chunk
    header, _, rest = data.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":", 1)[1])
        for line in header.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    while len(rest) < length:
        rest += sock.recv(65536)
    assert header.startswith(b"HTTP/1.1 2"), header + rest
    return rest


def _tree(pid: int) -> list[psutil.Process]:
    parent = psutil.Process(pid)
    return [parent, *parent.children(recursive=True)]


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], int, dict[str, str]]]:
    env = _env(tmp_path)
    doc = tmp_path / "quest.json"
    doc.write_text(json.dumps(QUEST_DOC))
    done = subprocess.run(
        [sys.executable, "-m", "quest.cli", "quests", "import", str(doc)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr.decode()
    port = free_port()
    log = (tmp_path / "serve.log").open("ab")
    proc = subprocess.Popen(
        [sys.executable, "-m", "quest.cli", "serve", "--workers", "2", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=log,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert proc.poll() is None, (tmp_path / "serve.log").read_text()
            try:
                if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        else:
            raise AssertionError("not ready: " + (tmp_path / "serve.log").read_text())
        yield proc, port, env
    finally:
        everything = _tree(proc.pid) if proc.poll() is None else []
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
        for p in everything:  # a failed test must not leave processes behind
            if p.is_running():
                p.kill()
        log.close()


def _workers(pid: int) -> list[psutil.Process]:
    """uvicorn's worker processes: the children that listen on the serving socket."""
    workers = []
    for child in psutil.Process(pid).children():
        cmd = " ".join(child.cmdline())
        if "multiprocessing" in cmd and "resource_tracker" not in cmd:
            workers.append(child)
    return workers


def test_two_workers_share_one_redis_and_one_board(
    served: tuple[subprocess.Popen[bytes], int, dict[str, str]], tmp_path: Path
) -> None:
    proc, port, _ = served
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while len(_workers(proc.pid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    workers = _workers(proc.pid)
    assert len(workers) == 2, [" ".join(p.cmdline()) for p in _tree(proc.pid)]

    # One embedded Redis for every process, started by the parent.
    redis_servers = [
        p
        for p in psutil.process_iter(["cmdline"])
        if "redis-server" in " ".join(p.info["cmdline"] or [])
        and str(tmp_path) in " ".join(p.info["cmdline"] or [])
    ]
    assert len(redis_servers) == 1
    assert redis_servers[0].ppid() == proc.pid
    # One scheduler process; the workers run none.
    schedulers = [p for p in _tree(proc.pid) if "scheduler" in p.cmdline()]
    assert len(schedulers) == 1

    r = httpx.post(f"{base}/api/players", json={"handle": "duo", "password": "password123"})
    assert r.status_code == 201, r.text
    token = r.json()["token"]
    challenges = httpx.get(
        f"{base}/api/quests/expo/challenges", headers={"Authorization": f"Bearer {token}"}
    ).json()
    luhn = next(c["id"] for c in challenges if c["slug"] == "luhn")

    # Open connections until each worker holds at least one.
    by_worker: dict[int, socket.socket] = {}
    opened: list[socket.socket] = []
    try:
        for _ in range(200):
            sock = socket.create_connection(("127.0.0.1", port), timeout=10)
            opened.append(sock)
            _request(sock, "GET", "/api/quests/expo", token)  # accepted and served
            by_worker.setdefault(_owner(port, sock, workers), sock)
            if len(by_worker) == 2:
                break
        assert set(by_worker) == {w.pid for w in workers}, "both workers serve requests"
        first, second = (by_worker[w.pid] for w in workers)

        body = json.dumps({"answer": 3}).encode()
        reply = json.loads(_request(first, "POST", f"/api/challenges/{luhn}/attempts", token, body))
        assert reply["correct"] is True
        deadline = time.monotonic() + 10
        while True:
            board = json.loads(_request(second, "GET", "/api/quests/expo/leaderboard", token))
            handles = [e["player"]["handle"] for e in board["entries"]]
            if "duo" in handles or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert handles == ["duo"]
        assert board["entries"][0]["score"] == reply["score"]
    finally:
        for sock in opened:
            sock.close()


def test_sigterm_stops_every_process(
    served: tuple[subprocess.Popen[bytes], int, dict[str, str]],
) -> None:
    proc, port, _ = served
    everything = _tree(proc.pid)
    assert len(everything) >= 5  # parent, 2 workers, scheduler, redis-server (+ tracker)
    assert httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == 0
    _gone, alive = psutil.wait_procs(everything, timeout=10)
    assert alive == []
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)


def test_workers_flag_is_validated(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "quest.cli", "serve", "--workers", "0"],
        env=_env(tmp_path),
        cwd=ROOT,
        capture_output=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert b"positive" in done.stderr


def test_default_workers() -> None:
    from quest.cli import SQLITE_MAX_WORKERS, default_workers

    cores = len(os.sched_getaffinity(0))
    assert default_workers("sqlite+aiosqlite:///x.db") == min(cores, SQLITE_MAX_WORKERS)
    assert default_workers("postgresql+psycopg://u@h/db") == cores


def test_workers_die_with_a_killed_parent(
    served: tuple[subprocess.Popen[bytes], int, dict[str, str]],
) -> None:
    """SIGKILL on `serve` (no clean-up possible): its workers and scheduler go with it."""
    proc, port, _ = served
    children = [p for p in _tree(proc.pid)[1:] if "redis-server" not in " ".join(p.cmdline())]
    assert len(children) >= 3  # 2 workers and the scheduler (+ multiprocessing's tracker)
    redis_server = [p for p in _tree(proc.pid) if "redis-server" in " ".join(p.cmdline())]
    proc.kill()
    proc.wait(timeout=10)
    _gone, alive = psutil.wait_procs(children, timeout=10)
    for p in redis_server:  # orphaned by design (adopted by the next start): not ours to keep
        p.terminate()
    psutil.wait_procs(redis_server, timeout=10)
    assert alive == []
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)

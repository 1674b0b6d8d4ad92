"""A real Redis Cluster for the tests: 3 masters + 3 replicas from the machine's redis-server.

Started on free loopback ports in a temporary directory, made into a cluster with
`redis-cli --cluster create ... --cluster-replicas 1`, and torn down after. The node timeout
is short (1 s) so a killed master's replica is promoted within a few seconds.

No redis-server on the machine is a failure, not a skip: the cluster tests must run.
"""

from __future__ import annotations

import contextlib
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import redis

NODE_TIMEOUT_MS = 1000


def _free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _ports(count: int) -> list[int]:
    """`count` ports whose cluster bus ports (+10000) are free too."""
    found: list[int] = []
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        start = 20000 + probe.getsockname()[1] % 20000
    port = start
    while len(found) < count:
        if _free(port) and _free(port + 10000):
            found.append(port)
        port += 1
        if port >= 45000:
            port = 20000
    return found


@dataclass
class Node:
    port: int
    process: subprocess.Popen[bytes]

    def client(self) -> redis.Redis:
        return redis.Redis(port=self.port, socket_timeout=2, socket_connect_timeout=1)

    @property
    def alive(self) -> bool:
        return self.process.poll() is None


@dataclass
class Cluster:
    root: Path
    nodes: list[Node] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.nodes[0].port}"

    def urls(self) -> list[str]:
        return [f"redis://127.0.0.1:{n.port}" for n in self.nodes if n.alive]

    def start(self, server: str, cli: str) -> None:
        ports = _ports(6)
        for port in ports:
            where = self.root / str(port)
            where.mkdir()
            conf = where / "redis.conf"
            conf.write_text(
                "\n".join(
                    [
                        f"port {port}",
                        "bind 127.0.0.1",
                        "protected-mode no",
                        f"dir {where}",
                        "cluster-enabled yes",
                        "cluster-config-file nodes.conf",
                        f"cluster-node-timeout {NODE_TIMEOUT_MS}",
                        "cluster-replica-validity-factor 0",  # a replica may always take over
                        'save ""',
                        "appendonly no",
                        "loglevel warning",
                        f"logfile {where / 'redis.log'}",
                    ]
                )
                + "\n"
            )
            process = subprocess.Popen([server, str(conf)], cwd=where)
            self.nodes.append(Node(port, process))
        for node in self.nodes:
            _wait(lambda n=node: bool(n.client().ping()), "node up")
        members = [f"127.0.0.1:{p}" for p in ports]
        subprocess.run(
            [cli, "--cluster", "create", *members, "--cluster-replicas", "1", "--cluster-yes"],
            check=True,
            capture_output=True,
            timeout=60,
        )
        self.wait_ok()

    def wait_ok(self, timeout: float = 30.0) -> None:
        """Every live node says cluster_state:ok and every slot has a live master."""

        def ok() -> bool:
            for node in self.nodes:
                if not node.alive:
                    continue
                info = node.client().execute_command("CLUSTER", "INFO")
                text = info.decode() if isinstance(info, bytes) else str(info)
                if "cluster_state:ok" not in text:
                    return False
            return len(self.masters()) == 3

        _wait(ok, "cluster_state:ok", timeout)

    def masters(self) -> list[Node]:
        """The live nodes that are masters now."""
        found = []
        for node in self.nodes:
            if not node.alive:
                continue
            with contextlib.suppress(redis.RedisError):
                role = node.client().execute_command("ROLE")
                if role[0] in (b"master", "master"):
                    found.append(node)
        return found

    def master_of(self, key: str) -> Node:
        """The live master serving `key`'s slot."""
        probe = next(n for n in self.nodes if n.alive).client()
        slot = int(probe.execute_command("CLUSTER", "KEYSLOT", key))
        for start, end, master, *_ in probe.execute_command("CLUSTER", "SLOTS"):
            if int(start) <= slot <= int(end):
                port = int(master[1])
                return next(n for n in self.nodes if n.port == port)
        raise AssertionError(f"no master for slot {slot}")

    def kill(self, node: Node) -> None:
        node.process.send_signal(signal.SIGKILL)
        node.process.wait(timeout=10)

    def flush(self) -> None:
        for node in self.masters():
            node.client().flushall()

    def stop(self) -> None:
        for node in self.nodes:
            if node.alive:
                node.process.terminate()
        for node in self.nodes:
            try:
                node.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                node.process.kill()
                node.process.wait()


def _wait(check: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if check():
                return
        except (redis.RedisError, OSError):
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"redis cluster: timed out waiting for {what}")
        time.sleep(0.05)


@contextlib.contextmanager
def redis_cluster() -> Iterator[Cluster]:
    """A running 6-node cluster (torn down after); fails if redis-server is missing."""
    server, cli = shutil.which("redis-server"), shutil.which("redis-cli")
    assert server and cli, "redis-server and redis-cli are needed for the cluster tests"
    root = Path(tempfile.mkdtemp(prefix="tqc", dir="/tmp"))
    cluster = Cluster(root)
    try:
        cluster.start(server, cli)
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(root, ignore_errors=True)

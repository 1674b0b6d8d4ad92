"""Live fan-out benchmark: 2,000 websocket viewers on one server while 200 solves/s arrive.

    .venv/bin/python bench/bench_ws.py [--viewers 2000] [--rate 200] [--seconds 10]

Starts one `talentquest serve` (embedded Redis, SQLite in a temporary directory), opens the
viewers from several client processes (the `websockets` library), and posts solves over
HTTP at a fixed rate. Every solve is by one of 10 players on a top-10 board, so each one
changes the board. Reports, measured in this run:

- latency from a solve's HTTP response to the first snapshot containing it reaching each
  viewer (p50/p99; target p99 < 500 ms);
- server CPU per published snapshot with 0, a tenth of and all the viewers (the read and
  serialisation happen once per snapshot, so the growth is the sending);
- RSS of the server process with all viewers connected.
Loopback only; bounded in time (about 1-2 minutes).
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
PLAYERS = 10
CHALLENGES = 600
PER_CLIENT = 500
CLK_TCK = os.sysconf("SC_CLK_TCK")


def raise_nofile() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, 65536) if hard != resource.RLIM_INFINITY else 65536
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))


# --- client process ---------------------------------------------------------------------------


async def client_main(url: str, count: int, out: Path, stop: Path, ready: Path) -> None:
    import websockets

    raise_nofile()
    seqs: dict[int, dict[str, int]] = {}
    arrivals: list[list[tuple[int, float]]] = [[] for _ in range(count)]
    gate = asyncio.Semaphore(100)
    opened = 0

    async def viewer(i: int) -> None:
        nonlocal opened
        async with gate:
            ws = await websockets.connect(url, open_timeout=30, max_size=2**20)
        opened += 1
        try:
            async for raw in ws:
                now = time.monotonic()
                message = json.loads(raw)
                if message.get("type") != "snapshot":
                    continue
                seq = int(message["seq"])
                arrivals[i].append((seq, now))
                if seq not in seqs:
                    seqs[seq] = {str(e["player"]["id"]): e["score"] for e in message["entries"]}
        except websockets.ConnectionClosed:
            pass
        finally:
            await ws.close()

    tasks = [asyncio.create_task(viewer(i)) for i in range(count)]
    while opened < count:  # noqa: ASYNC110
        await asyncio.sleep(0.1)
    ready.write_text("ok")  # noqa: ASYNC240
    while not stop.exists():  # noqa: ASYNC110, ASYNC240
        await asyncio.sleep(0.1)
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    out.write_text(json.dumps({"seqs": seqs, "arrivals": arrivals}))  # noqa: ASYNC240


# --- the driver -------------------------------------------------------------------------------


def proc_cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime + stime


def proc_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def quest_doc() -> dict[str, Any]:
    return {
        "slug": "bench", "title": "Bench Quest", "timezone": "Asia/Hong_Kong",
        "starts_at": "2026-01-01T00:00:00+08:00", "ends_at": "2030-01-01T00:00:00+08:00",
        "tracks": [{"slug": "t", "title": "T"}],
        "challenges": [
            {"slug": f"c{i}", "track": "t", "title": f"C{i}", "prompt": "1+1?",
             "kind": "numeric", "points": 1 + (i % 7), "answer": 2, "tolerance": 0}
            for i in range(CHALLENGES)
        ],
    }


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.tmp = Path(tempfile.mkdtemp(prefix="tqb", dir="/tmp"))
        self.port = args.port
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = dict(os.environ)
        self.env.update(
            TQ_ENVIRONMENT="test", TQ_DATA_DIR=str(self.tmp), TQ_LOG_LEVEL="warning",
            TQ_SECRET_KEY="bench-secret-bench-secret-bench-secret-0123",
            TQ_WRONG_ANSWER_LIMIT="100000",
        )
        for name in ("TQ_REDIS_URL", "TQ_DATABASE_URL"):
            self.env.pop(name, None)
        self.server: subprocess.Popen[bytes] | None = None
        self.tokens: list[str] = []
        self.player_ids: list[str] = []
        self.errors: dict[str, int] = {}
        self.ids: list[int] = []
        self.next_challenge = [0] * PLAYERS

    def start_server(self) -> None:
        subprocess.run(
            [sys.executable, "-m", "quest.cli", "users", "create", "--role", "staff",
             "--username", "bench"],
            input=b"password123\n", env=self.env, cwd=ROOT, check=True, capture_output=True,
        )
        self.server = subprocess.Popen(
            [sys.executable, "-m", "quest.cli", "serve", "--port", str(self.port)],
            env=self.env, cwd=ROOT, stdout=subprocess.DEVNULL,
            stderr=(self.tmp / "server.log").open("wb"),
        )
        for _ in range(300):
            try:
                if httpx.get(f"{self.url}/readyz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError("server did not start")

    async def setup_content(self, http: httpx.AsyncClient) -> None:
        login = {"username": "bench", "password": "password123"}
        r = await http.post("/api/auth/token", data=login)
        staff = {"Authorization": f"Bearer {r.json()['access_token']}"}
        r = await http.post("/api/admin/quests", json=quest_doc(), headers=staff)
        assert r.status_code == 201, r.text
        listing = (await http.get("/api/quests/bench/challenges")).json()
        self.ids = [c["id"] for c in listing]
        for i in range(PLAYERS):
            body = {"handle": f"runner{i}", "password": "password123"}
            r = await http.post("/api/players", json=body)
            self.tokens.append(r.json()["token"])
            self.player_ids.append(str(r.json()["id"]))

    async def solves(self, http: httpx.AsyncClient, seconds: float) -> list[tuple[float, str, int]]:
        """Post solves at a fixed rate; returns (response time, player id, new score)."""
        done: list[tuple[float, str, int]] = []
        interval = 1.0 / self.args.rate
        total = int(seconds * self.args.rate)
        started = time.monotonic()

        async def one(n: int) -> None:
            player = n % PLAYERS
            challenge = self.ids[self.next_challenge[player]]
            self.next_challenge[player] += 1
            try:
                r = await http.post(
                    f"/api/challenges/{challenge}/attempts", json={"answer": 2},
                    headers={"Authorization": f"Bearer {self.tokens[player]}"},
                )
            except httpx.HTTPError as exc:
                self.errors[type(exc).__name__] = self.errors.get(type(exc).__name__, 0) + 1
                return
            if r.status_code == 200 and r.json().get("correct"):
                done.append((time.monotonic(), player_ids[player], int(r.json()["score"])))

        player_ids = self.player_ids
        tasks = []
        for n in range(total):
            delay = started + n * interval - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(n)))
        await asyncio.gather(*tasks)
        return done

    async def phase(self, http: httpx.AsyncClient, viewers: int, seconds: float) -> dict[str, Any]:
        assert self.server is not None
        pid = self.server.pid
        stop = self.tmp / f"stop-{viewers}"
        clients = []
        ws_url = f"ws://127.0.0.1:{self.port}/ws/quests/bench/leaderboard?limit=10"
        left, k = viewers, 0
        while left > 0:
            count = min(PER_CLIENT, left)
            out, ready = self.tmp / f"out-{viewers}-{k}.json", self.tmp / f"ready-{viewers}-{k}"
            proc = subprocess.Popen(  # noqa: ASYNC220
                [sys.executable, __file__, "--client", ws_url, str(count), str(out), str(stop),
                 str(ready)],
                cwd=ROOT,
            )
            clients.append((proc, out, ready))
            left -= count
            k += 1
        deadline = time.monotonic() + 60
        while not all(r.exists() for _, _, r in clients):
            if time.monotonic() > deadline:
                raise RuntimeError("viewers did not connect in time")
            await asyncio.sleep(0.1)
        try:
            await asyncio.sleep(1.0)
            rss = proc_rss_mb(pid)
            seq_before = await self.seq()
            cpu0 = proc_cpu_s(pid)
            done = await self.solves(http, seconds)
            await asyncio.sleep(1.0)
            cpu = proc_cpu_s(pid) - cpu0
            snapshots = await self.seq() - seq_before
            rss = max(rss, proc_rss_mb(pid))
        finally:
            stop.write_text("stop")
        results = []
        for proc, out, _ in clients:
            proc.wait(timeout=60)
            results.append(json.loads(out.read_text()))
        return {"viewers": viewers, "solves": done, "cpu": cpu, "snapshots": snapshots,
                "rss": rss, "results": results}

    async def seq(self) -> int:
        import redis.asyncio as aioredis

        sock = next(self.tmp.glob("*.sock"), None)
        if sock is None:
            return 0
        client = aioredis.Redis(unix_socket_path=str(sock))
        try:
            quest_id = 1
            return int(await client.get(f"tq:{{q{quest_id}}}:live:seq") or 0)
        finally:
            await client.aclose()

    def stop_server(self) -> None:
        if self.server is not None and self.server.poll() is None:
            self.server.terminate()
            self.server.wait(timeout=60)


def latencies(phase: dict[str, Any]) -> list[float]:
    """Per (solve, viewer): first arrival of a snapshot at or after the one containing it."""
    seqs: dict[int, dict[str, int]] = {}
    for result in phase["results"]:
        seqs.update({int(k): v for k, v in result["seqs"].items()})
    order = sorted(seqs)
    out: list[float] = []
    solves = phase["solves"][:: max(1, len(phase["solves"]) // 400)]
    for t_resp, player, score in solves:
        first = next((s for s in order if seqs[s].get(player, -1) >= score), None)
        if first is None:
            continue
        for result in phase["results"]:
            for arrivals in result["arrivals"]:
                seq_list = [s for s, _ in arrivals]
                i = bisect.bisect_left(seq_list, first)
                if i < len(arrivals):
                    out.append(max(0.0, arrivals[i][1] - t_resp))
    return out


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def main(args: argparse.Namespace) -> None:
    raise_nofile()
    bench = Bench(args)
    bench.start_server()
    try:
        async with httpx.AsyncClient(
            base_url=bench.url, timeout=120, limits=httpx.Limits(max_connections=64)
        ) as http:
            await bench.setup_content(http)
            assert bench.server is not None
            rss_idle = proc_rss_mb(bench.server.pid)
            phases = []
            for viewers in (0, max(1, args.viewers // 10), args.viewers):
                seconds = args.seconds if viewers == args.viewers else args.seconds / 2
                phases.append(await bench.phase(http, viewers, seconds))
    finally:
        bench.stop_server()

    print(f"server: one uvicorn process; {PLAYERS} players on a top-10 board; "
          f"{args.rate} solves/s requested")
    base = phases[0]
    base_cpu_per_solve = base["cpu"] / max(1, len(base["solves"]))
    for phase in phases:
        n, solves = phase["viewers"], len(phase["solves"])
        fan_cpu = phase["cpu"] - base_cpu_per_solve * solves
        snaps = max(1, phase["snapshots"])
        deliveries = snaps * max(1, n)
        seconds = args.seconds if n == args.viewers else args.seconds / 2
        line = (f"viewers={n:5d} solves={solves:5d} ({solves / seconds:.0f}/s) "
                f"snapshots={phase['snapshots']:4d} server CPU={phase['cpu']:.2f}s "
                f"fan-out CPU/snapshot={1000 * fan_cpu / snaps:.2f}ms")
        if n:
            line += f" per delivery={1e6 * fan_cpu / deliveries:.1f}us"
            lat = latencies(phase)
            p50, p99 = pct(lat, 0.50) * 1000, pct(lat, 0.99) * 1000
            line += f" latency p50={p50:.0f}ms p99={p99:.0f}ms (n={len(lat)})"
            phase["p99"] = p99
        print(line)
    full = phases[-1]
    print(f"RSS: idle {rss_idle:.0f} MB, with {full['viewers']} viewers {full['rss']:.0f} MB "
          f"({1024 * (full['rss'] - rss_idle) / max(1, full['viewers']):.0f} KB per viewer)")
    if bench.errors:
        print(f"failed solve requests: {bench.errors} (server log: {bench.tmp / 'server.log'})")
    print(f"ratio p99 / target 500 ms = {full.get('p99', float('nan')) / 500:.2f} "
          f"(<= 1.00 meets the target)")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--client":
        url, count, out, stop, ready = sys.argv[2:7]
        asyncio.run(client_main(url, int(count), Path(out), Path(stop), Path(ready)))
        sys.exit(0)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--viewers", type=int, default=2000)
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--port", type=int, default=18765)
    asyncio.run(main(parser.parse_args()))

"""The load harness: wrk (a compiled load generator) against Talent Quest and a bare FastAPI app.

A Python load generator on the same two cores measures itself; wrk does not. This module:

- installs wrk when it is missing (`apt-get install -y wrk`, Debian's package);
- starts servers: Talent Quest (`talentquest serve`, embedded defaults in a temporary data
  directory, or the PostgreSQL / Redis named by `TQ_BENCH_DATABASE_URL` / `TQ_BENCH_REDIS_URL`,
  which are WIPED first) seeded with a quest and N players' bearer tokens, and the bare
  FastAPI app (`bench/bare_app.py`), each with 1 or more worker processes;
- runs wrk with a Lua script that sends a list of prepared raw requests, each thread taking
  every `threads`-th one in turn (so 1,000 players' tokens rotate, and 20,000 distinct
  solves are 20,000 distinct requests), counts every non-2xx response and fails loudly;
- saturated rounds (2 threads x 64 connections), interleaved Talent Quest / bare, median
  of 3; then a fixed-rate round at half the saturated rate for p99 (see `run` on pacing).

`compare()` returns a `Row`; `print_table()` prints rows as one table of ratios.
Benchmark modules expose `run() -> list[Row]`; `bench/run_all.py` (`make bench`) prints them.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

THREADS = 2
CONNECTIONS = 64
ROUNDS = 3
SECONDS = float(os.environ.get("TQ_BENCH_SECONDS", "20"))


class BenchError(RuntimeError):
    """A benchmark that cannot be trusted: non-2xx responses, socket errors, no wrk."""


# --------------------------------------------------------------------------- wrk


def ensure_wrk() -> str:
    """The path of wrk, installing Debian's package when it is missing."""
    path = shutil.which("wrk")
    if path:
        return path
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    if shutil.which("apt-get"):
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], env=env, check=False)
        if not shutil.which("wrk"):  # a fresh machine: the package lists may be missing
            subprocess.run(["apt-get", "update", "-qq"], env=env, check=False)
            subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], env=env, check=False)
    path = shutil.which("wrk")
    if not path:
        raise BenchError("wrk is not installed and `apt-get install -y wrk` failed")
    return path


def raw_request(
    method: str,
    path: str,
    *,
    body: bytes | str | dict[str, Any] | list[Any] | None = None,
    token: str | None = None,
    headers: dict[str, str] | None = None,
    host: str = "127.0.0.1",
) -> bytes:
    """One HTTP/1.1 keep-alive request, ready to send (a dict/list body is sent as JSON)."""
    if isinstance(body, (dict, list)):
        body = json.dumps(body, separators=(",", ":"))
    data = body.encode() if isinstance(body, str) else (body or b"")
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}"]
    if token:
        lines.append(f"Authorization: Bearer {token}")
    for k, v in (headers or {}).items():
        lines.append(f"{k}: {v}")
    if data or method in {"POST", "PUT", "PATCH", "DELETE"}:
        lines.append("Content-Type: application/json")
        lines.append(f"Content-Length: {len(data)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + data


# The Lua side. Requests come from a file of `<length>\n<raw bytes>` records, read once per
# thread; thread t sends records t, t+T, t+2T, ... (T threads), wrapping at the end.
# response() counts statuses; done() prints one JSON line after a marker.
# Fixed rate: delay() paces each thread on an absolute schedule (thread rate = rate / T):
# a connection that becomes free waits for the next slot; `late` counts slots handed out
# more than 1 ms after they were due (every connection of the thread was busy), and `lag_ms`
# the worst, so a latency figure that hides queueing (coordinated omission) is visible.
LUA = r"""
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } tq_timespec;
int clock_gettime(int clk_id, tq_timespec *tp);
]]
local ts = ffi.new("tq_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, ts)
  return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end

local threads = {}
local counter = 0

function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  local f = assert(io.open(args[1], "rb"))
  local data = f:read("*a")
  f:close()
  reqs = {}
  local pos = 1
  while pos <= #data do
    local nl = string.find(data, "\n", pos, true)
    local len = tonumber(string.sub(data, pos, nl - 1))
    table.insert(reqs, string.sub(data, nl + 1, nl + len))
    pos = nl + 1 + len
  end
  nthreads = tonumber(args[2])
  rate = tonumber(args[3])            -- requests/s for the whole run; 0 = saturate
  idx = tid
  statuses = {}
  bad_body = ""
  late = 0
  lag_ms = 0
  if rate > 0 then
    interval = 1000 * nthreads / rate
    due = now_ms() + 50
  end
end

function request()
  local r = reqs[(idx % #reqs) + 1]
  idx = idx + nthreads
  return r
end

if tonumber(os.getenv("TQ_WRK_RATE") or "0") > 0 then
  function delay()
    local t = now_ms()
    local wait = due - t
    due = due + interval
    if wait < -1 then
      late = late + 1
      if -wait > lag_ms then lag_ms = -wait end
      return 0
    end
    if wait < 0 then return 0 end
    return math.floor(wait + 0.5)
  end
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if (status < 200 or status > 299) and bad_body == "" then
    bad_body = string.sub(body or "", 1, 300)
  end
end

function done(summary, latency, requests)
  local all = {}
  local n_late, worst, sample = 0, 0, ""
  for _, t in ipairs(threads) do
    for s, n in pairs(t:get("statuses")) do all[tostring(s)] = (all[tostring(s)] or 0) + n end
    n_late = n_late + t:get("late")
    if t:get("lag_ms") > worst then worst = t:get("lag_ms") end
    if sample == "" then sample = t:get("bad_body") end
  end
  local parts = {}
  for s, n in pairs(all) do table.insert(parts, string.format("%q:%d", s, n)) end
  local e = summary.errors
  io.write(string.format(
    "\nTQ-WRK-JSON {\"requests\":%d,\"duration_us\":%d,\"p50_us\":%d,\"p90_us\":%d," ..
    "\"p99_us\":%d,\"max_us\":%d,\"mean_us\":%f,\"connect\":%d,\"read\":%d,\"write\":%d," ..
    "\"timeout\":%d,\"late\":%d,\"lag_ms\":%f,\"statuses\":{%s},\"sample\":%q}\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, latency.mean, e.connect, e.read, e.write,
    e.timeout, n_late, worst, table.concat(parts, ","), sample))
end
"""


@dataclass(frozen=True)
class Record:
    """One wrk run: throughput, latency (ms, from send to response), and what went wrong."""

    rps: float
    p50: float
    p99: float
    non2xx: int
    requests: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    socket_errors: int = 0
    rate: float | None = None  # the fixed rate asked for, if any
    late: int = 0  # fixed rate: slots dispatched > 1 ms late (all connections busy)
    lag_ms: float = 0.0  # fixed rate: the worst lateness
    sample: str = ""  # the body of the first non-2xx response

    @property
    def kept_up(self) -> bool:
        """At a fixed rate: the rate was reached and (almost) no request waited for a slot."""
        if self.rate is None:
            return True
        return self.rps >= 0.95 * self.rate and self.late <= 0.01 * max(1, self.requests)


def _write_requests(requests: Sequence[bytes]) -> Path:
    if not requests:
        raise BenchError("no requests to send")
    fd, name = tempfile.mkstemp(prefix="tqwrk", suffix=".req")
    with os.fdopen(fd, "wb") as f:
        for raw in requests:
            f.write(b"%d\n" % len(raw))
            f.write(raw)
    return Path(name)


_SCRIPT: Path | None = None


def _script() -> Path:
    global _SCRIPT
    if _SCRIPT is None or not _SCRIPT.exists():
        fd, name = tempfile.mkstemp(prefix="tqwrk", suffix=".lua")
        with os.fdopen(fd, "w") as f:
            f.write(LUA)
        _SCRIPT = Path(name)
    return _SCRIPT


def run(
    port: int,
    requests: Sequence[bytes],
    *,
    seconds: float | None = None,  # default: SECONDS (TQ_BENCH_SECONDS, 20)
    threads: int = THREADS,
    connections: int = CONNECTIONS,
    rate: float | None = None,
    check: bool = True,
    host: str = "127.0.0.1",
) -> Record:
    """One wrk run: saturated (closed loop), or paced at `rate` requests/s in total.

    Fixed rate (wrk2 is not in Debian): wrk's Lua `delay()` hands each freed connection the
    next slot of its thread's absolute schedule, so requests leave at `rate` while the
    server keeps up. Latency is wrk's (send to response). If the server falls behind, slots
    are handed out late and wrk's latency would hide the queueing: `late` / `lag_ms` say so
    and `kept_up` is False. `check`: raise BenchError on any non-2xx or socket error.
    """
    wrk = ensure_wrk()
    seconds = seconds or SECONDS
    path = _write_requests(requests)
    try:
        env = {**os.environ, "TQ_WRK_RATE": str(rate or 0)}
        args = [
            wrk,
            f"-t{threads}",
            f"-c{connections}",
            f"-d{max(1, round(seconds))}s",
            "--timeout",
            "30s",
            "-s",
            str(_script()),
            f"http://{host}:{port}",
            "--",
            str(path),
            str(threads),
            str(rate or 0),
        ]
        out = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    finally:
        path.unlink(missing_ok=True)
    marker = next((ln for ln in out.stdout.splitlines() if ln.startswith("TQ-WRK-JSON ")), None)
    if out.returncode != 0 or marker is None:
        raise BenchError(f"wrk failed ({out.returncode}): {out.stderr.strip() or out.stdout}")
    d = json.loads(marker.removeprefix("TQ-WRK-JSON "))
    statuses = {k: int(v) for k, v in sorted(d["statuses"].items())}
    non2xx = sum(n for s, n in statuses.items() if not 200 <= int(s) <= 299)
    socket_errors = d["connect"] + d["read"] + d["write"] + d["timeout"]
    record = Record(
        rps=d["requests"] / (d["duration_us"] / 1e6),
        p50=d["p50_us"] / 1000,
        p99=d["p99_us"] / 1000,
        non2xx=non2xx,
        requests=d["requests"],
        statuses=statuses,
        socket_errors=socket_errors,
        rate=rate,
        late=d["late"],
        lag_ms=d["lag_ms"],
        sample=d["sample"],
    )
    if check and (non2xx or socket_errors):
        raise BenchError(
            f"port {port}: {non2xx} non-2xx responses of {record.requests} "
            f"(statuses {statuses}), {socket_errors} socket errors "
            f"(connect {d['connect']}, read {d['read']}, write {d['write']}, "
            f"timeout {d['timeout']}); first bad body: {record.sample!r}"
        )
    return record


def median(records: Sequence[Record]) -> Record:
    """The median of each figure over rounds; counts are summed."""
    return Record(
        rps=statistics.median(r.rps for r in records),
        p50=statistics.median(r.p50 for r in records),
        p99=statistics.median(r.p99 for r in records),
        non2xx=sum(r.non2xx for r in records),
        requests=sum(r.requests for r in records),
        statuses={},
        socket_errors=sum(r.socket_errors for r in records),
    )


# --------------------------------------------------------------------------- rows, table

Requests = Sequence[bytes] | Callable[[int], Sequence[bytes]]  # or: round number -> requests


@dataclass
class Row:
    """One benchmark line: Talent Quest vs the bare baseline, measured in the same run."""

    name: str
    app: Record
    bare: Record | None = None
    fixed: Record | None = None  # Talent Quest at half its saturated rate
    bare_name: str = "bare FastAPI"
    note: str = ""
    target: str = ""
    rounds: list[tuple[Record, Record | None]] = field(default_factory=list)

    @property
    def ratio(self) -> float | None:
        if self.bare is None or not self.bare.rps:
            return None
        return self.app.rps / self.bare.rps


def _pick(requests: Requests, n: int) -> Sequence[bytes]:
    return requests(n) if callable(requests) else requests


def compare(
    name: str,
    app_port: int,
    app_requests: Requests,
    bare_port: int | None = None,
    bare_requests: Requests | None = None,
    *,
    rounds: int = ROUNDS,
    seconds: float | None = None,  # default: SECONDS (TQ_BENCH_SECONDS, 20)
    fixed: bool = True,
    warmup: float = 2.0,
    bare_name: str = "bare FastAPI",
    target: str = "",
    note: str = "",
    verbose: bool = True,
) -> Row:
    """Interleaved saturated rounds (app, bare, app, bare, ...), medians; then app at half rate.

    `app_requests` / `bare_requests`: a list of raw requests, or a function of the round
    number (0.. for the saturated rounds, `rounds` for the fixed-rate one, -1 for the
    warm-up) when requests must not repeat across rounds (distinct solves).
    Without `bare_requests` the bare app gets the same requests as Talent Quest.
    """
    with _bench_lock():
        return _compare(
            name,
            app_port,
            app_requests,
            bare_port,
            bare_requests,
            rounds=rounds,
            seconds=seconds or SECONDS,
            fixed=fixed,
            warmup=warmup,
            bare_name=bare_name,
            target=target,
            note=note,
            verbose=verbose,
        )


@contextmanager
def _bench_lock() -> Iterator[None]:
    """TQ_BENCH_LOCK=/path: hold an exclusive flock on it for each row (a shared machine)."""
    path = os.environ.get("TQ_BENCH_LOCK")
    if not path:
        yield
        return
    import fcntl

    with open(path, "a+b") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def _compare(
    name: str,
    app_port: int,
    app_requests: Requests,
    bare_port: int | None,
    bare_requests: Requests | None,
    *,
    rounds: int,
    seconds: float,
    fixed: bool,
    warmup: float,
    bare_name: str,
    target: str,
    note: str,
    verbose: bool,
) -> Row:
    bare_requests = bare_requests if bare_requests is not None else app_requests
    if warmup:
        run(app_port, _pick(app_requests, -1), seconds=warmup, check=False)
        if bare_port is not None:
            run(bare_port, _pick(bare_requests, -1), seconds=warmup, check=False)
    pairs: list[tuple[Record, Record | None]] = []
    for n in range(rounds):
        a = run(app_port, _pick(app_requests, n), seconds=seconds)
        b = run(bare_port, _pick(bare_requests, n), seconds=seconds) if bare_port else None
        pairs.append((a, b))
        if verbose:
            extra = f"; {bare_name} {b.rps:,.0f}/s p99 {b.p99:.1f} ms" if b else ""
            print(f"  {name} round {n + 1}: {a.rps:,.0f}/s p99 {a.p99:.1f} ms{extra}", flush=True)
    app = median([a for a, _ in pairs])
    bare = median([b for _, b in pairs if b is not None]) if bare_port else None
    slow = None
    if fixed:
        half = round(app.rps / 2)
        slow = run(app_port, _pick(app_requests, rounds), seconds=seconds, rate=half)
        if verbose:
            print(
                f"  {name} at {half:,}/s: p50 {slow.p50:.1f} ms p99 {slow.p99:.1f} ms "
                f"(late slots {slow.late}, worst {slow.lag_ms:.0f} ms)",
                flush=True,
            )
    return Row(name, app, bare, slow, bare_name, note, target, pairs)


def table(rows: Sequence[Row]) -> str:
    head = (
        "| benchmark | Talent Quest | bare | ratio | p99 at half rate | target |\n"
        "|---|---|---|---|---|---|"
    )
    lines = [head]
    for r in rows:
        app = f"{r.app.rps:,.0f}/s (p99 {r.app.p99:.0f} ms)"
        bare = f"{r.bare.rps:,.0f}/s ({r.bare_name})" if r.bare else "—"
        ratio = f"{r.ratio:.2f}" if r.ratio is not None else "—"
        if r.fixed is not None:
            flag = "" if r.fixed.kept_up else f", NOT kept up: {r.fixed.rps:,.0f}/s"
            fixed = f"{r.fixed.p99:.1f} ms at {r.fixed.rate or 0:,.0f}/s{flag}"
        else:
            fixed = "—"
        name = f"{r.name} ({r.note})" if r.note else r.name
        lines.append(f"| {name} | {app} | {bare} | {ratio} | {fixed} | {r.target or '—'} |")
    return "\n".join(lines)


def print_table(rows: Sequence[Row]) -> None:
    print(table(rows), flush=True)


# --------------------------------------------------------------------------- servers


@dataclass
class AppServer:
    """A seeded Talent Quest server: its port, players' tokens, data dir and URLs."""

    port: int
    tokens: list[str]
    data_dir: Path
    database_url: str
    redis_url: str | None
    workers: int
    proc: Any

    def stop(self) -> None:
        self.proc.stop()


BENCH_ENV = {
    "TQ_WRONG_ANSWER_LIMIT": "1000000000",  # wrong answers are the load, not abuse
    "TQ_ENVIRONMENT": "development",
    "TQ_LOG_LEVEL": "warning",
}


async def _reset_external(database_url: str | None, redis_url: str | None) -> None:
    """An external database and Redis are benchmark-only: emptied before seeding."""
    if database_url and not database_url.startswith("sqlite"):
        from sqlalchemy import text

        from quest.core.db import make_engine

        engine = make_engine(database_url)
        async with engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
        await engine.dispose()
    if redis_url:
        import redis.asyncio as aioredis

        client = aioredis.Redis.from_url(redis_url)
        await client.flushdb()
        await client.aclose()


def start_app(
    players: int = 1000,
    *,
    workers: int = 1,
    database_url: str | None = None,
    redis_url: str | None = None,
    env: dict[str, str] | None = None,
    seed: Callable[[str, list[str]], Any] | None = None,
) -> AppServer:
    """Talent Quest seeded with the bench quest and `players` players with bearer tokens.

    Embedded defaults (SQLite + embedded Redis in a temporary data dir) unless
    `database_url` / `redis_url` (default: TQ_BENCH_DATABASE_URL / TQ_BENCH_REDIS_URL) name
    external ones: those are WIPED first. `seed(database_url, tokens)` (an async function)
    may add more rows before the server starts.
    """
    import asyncio

    from bench import common

    if database_url is None:  # "" = the embedded default, whatever the environment says
        database_url = os.environ.get("TQ_BENCH_DATABASE_URL")
    if redis_url is None:
        redis_url = os.environ.get("TQ_BENCH_REDIS_URL")
    database_url, redis_url = database_url or None, redis_url or None
    home = common.data_dir()
    db = database_url or f"sqlite+aiosqlite:///{home / 'talentquest.db'}"

    async def prepare() -> list[str]:
        await _reset_external(database_url, redis_url)
        tokens = await common.seed(db, players)
        if seed is not None:
            await seed(db, tokens)
        return tokens

    tokens = asyncio.run(prepare())
    server_env = {**BENCH_ENV, "TQ_DATA_DIR": str(home), **(env or {})}
    if database_url:
        server_env["TQ_DATABASE_URL"] = database_url
        server_env["TQ_AUTO_MIGRATE"] = "true"  # seeded by create_all: stamped at start-up
    if redis_url:
        server_env["TQ_REDIS_URL"] = redis_url
    proc = common.serve_app(server_env, workers=workers)
    return AppServer(proc.port, tokens, home, db, redis_url, workers, proc)


def start_bare(*, workers: int = 1, env: dict[str, str] | None = None) -> Any:
    """bench/bare_app.py under uvicorn (`env` reaches its hooks, e.g. TQ_BARE_REDIS_URL)."""
    from bench import common

    return common.serve_bare(workers=workers, env=env)


@contextmanager
def servers(
    players: int = 1000,
    *,
    workers: int = 1,
    bare_env: dict[str, str] | None = None,
    **kwargs: Any,
) -> Iterator[tuple[AppServer, Any]]:
    """Both servers, stopped on exit: `with servers(1000) as (app, bare): ...`."""
    app = start_app(players, workers=workers, **kwargs)
    try:
        bare = start_bare(workers=workers, env=bare_env)
        try:
            yield app, bare
        finally:
            bare.stop()
    finally:
        app.stop()


# --------------------------------------------------------------------------- the harness's own


def run_rows(seconds: float | None = None, rounds: int = ROUNDS) -> list[Row]:
    """The harness's own check: wrong answers vs the bare POST (bench modules do the rest)."""
    with servers(1000) as (app, bare):
        wrong = [
            raw_request(
                "POST", f"/api/challenges/{1 + i % 50}/attempts", body={"answer": -1}, token=t
            )
            for i, t in enumerate(app.tokens)
        ]
        return [
            compare(
                "wrong answer (harness check)",
                app.port,
                wrong,
                bare.port,
                rounds=rounds,
                seconds=seconds,
            )
        ]


if __name__ == "__main__":
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=SECONDS)
    ap.add_argument("--rounds", type=int, default=ROUNDS)
    a = ap.parse_args()
    print_table(run_rows(a.seconds, a.rounds))

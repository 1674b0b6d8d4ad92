"""The expo's peak hour as a Locust scenario, against a running Talent Quest deployment.

    locust -f bench/expo_day/locustfile.py --headless -H http://127.0.0.1:8000 -u 200 -r 40 -t 60s

(`bench/expo_day/run.py` starts the deployments, seeds them and steps the user count.)

Who plays (user classes; the weights set the mix of Locust users):

- **Player** (almost every user): signs up (`POST /api/players`), reads the quest, the
  challenge list and the boards, answers (wrong first about 70 % of the time, as
  `quest/rehearsal/crowd.py`), unlocks a hint now and then, checks in at booths with the
  booth's current code, and 2 % convert with consent (`POST /api/me/jobseeker`, the notice
  version read from `GET /api/me/jobseeker/notice`). A player who stops (a quarter after one
  to three challenges, as the rehearsal crowd) or runs out of open challenges leaves, and a
  new person signs up in their place: sign-ups go on through the run.
- **Recruiter** (fixed count): searches candidates and now and then exports the CSV.
- **Viewer** (fixed count): a big screen holding `WS /ws/quests/{slug}/leaderboard`. It
  reports "leaderboard: connect→snapshot" (the first snapshot after connecting) and
  "leaderboard: solve→screen" (receipt time minus the newest entry's `reached_at`, sampled
  when a newer solve shows up: the board keeps `reached_at` to 100 ms ticks, so this reads up
  to 100 ms high).

Staff's part: the answers come from `GET /api/admin/quests/{slug}/document` and the booth
codes from `GET /api/admin/booths/{slug}/{booth}/code` (as a booth screen shows them: one
read per booth while its code lives), with a staff account's token.

The players Locust starts with take the tokens in EXPO_TOKENS (a file, one a line: players
who signed up earlier in the hour; run.py writes them straight to SQL) when it is set, so a
step does not begin with a burst of argon2 hashes; those who arrive later sign up.

Environment: EXPO_QUEST (talent-quest), EXPO_TOKENS, EXPO_STAFF_USERNAME / EXPO_STAFF_PASSWORD,
EXPO_RECRUITER_USERNAME / EXPO_RECRUITER_PASSWORD, EXPO_RECRUITERS (2), EXPO_VIEWERS (4),
EXPO_CONVERT (0.02), EXPO_SUMMARY (a JSON file for the HTTP-only aggregate).

Expected refusals are successes here, never failures: 409 on attempts, hints and
check-ins (solved meanwhile, out of attempts, already checked in) and 429 `rate_limited`
on attempts and check-ins (the per-player wrong-answer limit: time is compressed here, so
a player answers faster than a person). Any other 4xx/5xx, including 429 on a sign-up, is
a failure.

The 200 ms criterion (run.py) is on every HTTP request except the sign-ups: a sign-up
hashes a password with argon2 (some 100-200 ms here, on purpose), so its p99 is reported on
its own; the websocket samples are reported on their own too.
"""

from __future__ import annotations

import json
import os
import random
import secrets
import threading
import time
from datetime import datetime
from typing import Any

import websocket
from locust import User, between, constant, events, task
from locust.contrib.fasthttp import FastHttpUser
from locust.env import Environment
from locust.stats import StatsEntry

from quest.rehearsal.answers import right_answer, wrong_answer
from quest.rehearsal.crowd import HINT_SHARE, IDLE_SHARE, WRONG_FIRST

QUEST = os.environ.get("EXPO_QUEST", "talent-quest")
CONVERT = float(os.environ.get("EXPO_CONVERT", "0.02"))


class Backstage:
    """Staff reads shared by every simulated user: the document and the booth codes."""

    def __init__(self) -> None:
        self.host = ""
        self.token = ""
        self.by_slug: dict[str, dict[str, Any]] = {}
        self.notice_version = ""
        self.codes: dict[str, tuple[str, float]] = {}
        self.lock = threading.Lock()  # gevent-patched: one staff read per booth at a time
        self.early: list[str] = []  # tokens of players who signed up before the run

    def early_player(self) -> str | None:
        return self.early.pop() if self.early else None

    def setup(self, environment: Environment) -> None:
        import httpx  # plain client for the set-up: its requests stay out of the figures

        self.host = str(environment.host).rstrip("/")
        pool = os.environ.get("EXPO_TOKENS")
        if pool:
            with open(pool) as f:
                self.early = [line.strip() for line in f if line.strip()]
        self.token = login(
            self.host, os.environ["EXPO_STAFF_USERNAME"], os.environ["EXPO_STAFF_PASSWORD"]
        )
        r = httpx.get(
            f"{self.host}/api/admin/quests/{QUEST}/document",
            headers={"Authorization": f"Bearer {self.token}", "Accept": "application/json"},
            timeout=30,
        )
        r.raise_for_status()
        self.by_slug = {str(c["slug"]): c for c in r.json()["challenges"]}
        notice = httpx.get(f"{self.host}/api/me/jobseeker/notice", timeout=30)
        notice.raise_for_status()
        self.notice_version = str(notice.json()["version"])

    def booth_code(self, client: Any, booth: str) -> str | None:
        """The code booth `booth`'s screen shows now (read again when it is about to turn)."""
        with self.lock:
            code, until = self.codes.get(booth, ("", 0.0))
            if time.monotonic() < until:
                return code
            with client.get(
                f"/api/admin/booths/{QUEST}/{booth}/code",
                headers={"Authorization": f"Bearer {self.token}"},
                name="/api/admin/booths/[slug]/[booth]/code",
                catch_response=True,
            ) as r:
                if r.status_code != 200:
                    r.failure(f"HTTP {r.status_code}")
                    return None
                body = r.json()
            code = str(body["code"])
            self.codes[booth] = (code, time.monotonic() + max(0.0, float(body["expires_in"]) - 3))
            return code


BACKSTAGE = Backstage()


def login(host: str, username: str, password: str) -> str:
    import httpx

    r = httpx.post(
        f"{host}/api/auth/token", data={"username": username, "password": password}, timeout=30
    )
    r.raise_for_status()
    return str(r.json()["access_token"])


@events.test_start.add_listener
def _test_start(environment: Environment, **_: Any) -> None:
    BACKSTAGE.setup(environment)


SIGN_UP = "/api/players"


def _aggregate(environment: Environment, name: str, keep: Any) -> dict[str, Any]:
    stats = environment.stats
    merged = StatsEntry(stats, name, "", use_response_times_cache=False)
    for entry in stats.entries.values():
        if keep(entry):
            merged.extend(entry)
    return {
        "requests": merged.num_requests,
        "failures": merged.num_failures,
        "rps": merged.total_rps,
        "p50_ms": merged.get_response_time_percentile(0.5),
        "p99_ms": merged.get_response_time_percentile(0.99),
    }


@events.quitting.add_listener
def _summary(environment: Environment, **_: Any) -> None:
    """Aggregates for run.py: `http` (the 200 ms criterion: every HTTP request but the
    sign-ups, whose argon2 hash is slow on purpose) and `all_http` (sign-ups included)."""
    path = os.environ.get("EXPO_SUMMARY")
    if not path:
        return
    summary = {
        "http": _aggregate(environment, "HTTP", lambda e: e.method != "WS" and e.name != SIGN_UP),
        "all_http": _aggregate(environment, "all HTTP", lambda e: e.method != "WS"),
    }
    with open(path, "w") as out:
        json.dump(summary, out)


def _expected(r: Any, allowed: set[int]) -> None:
    """Mark the response: 2xx and the `allowed` refusals succeed, the rest fail."""
    if r.status_code < 400 or r.status_code in allowed:
        r.success()
    else:
        r.failure(f"HTTP {r.status_code}")


class Player(FastHttpUser):  # geventhttpclient: the cheaper client on 2 cores
    """One person at the expo with a phone; leaves after a while and someone new arrives."""

    weight = 100
    wait_time = between(1, 4)

    def on_start(self) -> None:
        self.rng = random.Random()
        self.arrive(BACKSTAGE.early_player())

    def arrive(self, token: str | None = None) -> None:
        """A new person: sign up (or one who signed up before the run, with `token`);
        decide how far they play and whether they convert."""
        self.token = token or ""
        self.tried: set[int] = set()
        self.current: dict[str, Any] | None = None
        self.answers = 0
        self.solved = 0
        self.converted = False
        self.stop_after = self.rng.randint(1, 3) if self.rng.random() < IDLE_SHARE else None
        self.converts = self.rng.random() < CONVERT
        if token:
            return
        handle = f"expo-{secrets.token_hex(6)}"
        with self.client.post(
            SIGN_UP,
            json={"handle": handle, "password": secrets.token_urlsafe(12)},
            name=SIGN_UP,
            catch_response=True,
        ) as r:
            _expected(r, set())
            if r.status_code == 201:
                self.token = str(r.json()["token"])

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def leave(self) -> None:
        self.arrive()

    @task(10)
    def play(self) -> None:
        if not self.token:
            self.arrive()
            return
        if self.current is None:
            self.pick()
            return
        spec = BACKSTAGE.by_slug.get(str(self.current.get("slug")), {})
        if spec.get("kind") == "checkin":
            self.checkin(spec)
        else:
            self.answer(spec)

    def pick(self) -> None:
        """Read the challenge list and choose an open one not tried yet (or leave)."""
        with self.client.get(
            f"/api/quests/{QUEST}/challenges",
            headers=self.auth,
            name="/api/quests/[slug]/challenges",
            catch_response=True,
        ) as r:
            _expected(r, set())
            if r.status_code != 200:
                return
            listed = r.json()
        open_now = [c for c in listed if c.get("state") == "open" and c["id"] not in self.tried]
        done = self.stop_after is not None and len(self.tried) >= self.stop_after
        if not open_now or done:
            self.leave()
            return
        self.current = self.rng.choice(open_now)
        self.tried.add(int(self.current["id"]))
        self.answers = 0
        spec = BACKSTAGE.by_slug.get(str(self.current.get("slug")), {})
        if spec.get("hints") and self.rng.random() < HINT_SHARE:
            with self.client.post(
                f"/api/challenges/{self.current['id']}/hints/0",
                headers=self.auth,
                name="/api/challenges/[id]/hints/[n]",
                catch_response=True,
            ) as h:
                _expected(h, {409})

    def answer(self, spec: dict[str, Any]) -> None:
        assert self.current is not None
        right = right_answer(spec)
        first = self.answers == 0
        wrong = right is None or (first and self.rng.random() < WRONG_FIRST)
        given = wrong_answer(spec, self.rng) if wrong else right
        self.answers += 1
        with self.client.post(
            f"/api/challenges/{self.current['id']}/attempts",
            json={"answer": given},
            headers=self.auth,
            name="/api/challenges/[id]/attempts",
            catch_response=True,
        ) as r:
            _expected(r, {409, 429})
            body = r.json() if r.status_code == 200 else {}
        if body.get("correct"):
            self.solved_one()
        elif r.status_code != 200 or body.get("attempts_left") == 0 or self.answers >= 3:
            self.current = None

    def checkin(self, spec: dict[str, Any]) -> None:
        booth = str(spec.get("booth", ""))
        code = BACKSTAGE.booth_code(self.client, booth)
        if code is None:
            self.current = None
            return
        with self.client.post(
            "/api/checkins",
            json={"code": code, "booth": booth},
            headers=self.auth,
            name="/api/checkins",
            catch_response=True,
        ) as r:
            _expected(r, {409, 429})
        if r.status_code == 200:
            self.solved_one()
        else:
            self.current = None

    def solved_one(self) -> None:
        self.current = None
        self.solved += 1
        if self.converts and self.solved >= 2 and not self.converted:
            self.converted = True
            self.convert()

    def convert(self) -> None:
        n = self.rng.randrange(10**9)
        profile = {
            "full_name": f"Expo Player {n}",
            "email": f"expo{n}@example.com",
            "education_level": self.rng.choice(["bachelor", "master", "phd", "other"]),
            "sectors": [self.rng.choice(["ai-data", "biotech", "fintech", "robotics"])],
            "experience_level": self.rng.choice(["entry", "mid", "senior"]),
            "regions": ["hk"],
            "consent": {
                "share_with_employers": True,
                "notice_version": BACKSTAGE.notice_version,
            },
        }
        with self.client.post(
            "/api/me/jobseeker",
            json=profile,
            headers=self.auth,
            name="/api/me/jobseeker",
            catch_response=True,
        ) as r:
            # 409: a player of EXPO_TOKENS who converted in an earlier step of the run
            _expected(r, {409})

    @task(4)
    def board(self) -> None:
        self.client.get(
            f"/api/quests/{QUEST}/leaderboard?scope=all&limit=10",
            name="/api/quests/[slug]/leaderboard",
        )

    @task(2)
    def me(self) -> None:
        if self.token:
            self.client.get(
                f"/api/quests/{QUEST}/leaderboard/me?scope=all",
                headers=self.auth,
                name="/api/quests/[slug]/leaderboard/me",
            )

    @task(1)
    def quest(self) -> None:
        self.client.get(f"/api/quests/{QUEST}", name="/api/quests/[slug]")


class Recruiter(FastHttpUser):
    """A recruiter at the employers' desk: searches, and exports now and then."""

    fixed_count = int(os.environ.get("EXPO_RECRUITERS", "2"))
    wait_time = between(2, 6)

    def on_start(self) -> None:
        self.token = login(
            BACKSTAGE.host,
            os.environ["EXPO_RECRUITER_USERNAME"],
            os.environ["EXPO_RECRUITER_PASSWORD"],
        )
        self.rng = random.Random()

    @task(5)
    def search(self) -> None:
        sector = self.rng.choice(["", "&sector=ai-data", "&sector=fintech"])
        self.client.get(
            f"/api/recruiter/candidates?limit=20{sector}",
            headers={"Authorization": f"Bearer {self.token}"},
            name="/api/recruiter/candidates",
        )

    @task(1)
    def export(self) -> None:
        self.client.get(
            "/api/recruiter/candidates.csv",
            headers={"Authorization": f"Bearer {self.token}"},
            name="/api/recruiter/candidates.csv",
        )


def _ts(value: str) -> float:
    return datetime.fromisoformat(value).timestamp()


class Viewer(User):
    """A big screen: holds the board's websocket, reloading now and then (a screen refresh)."""

    fixed_count = int(os.environ.get("EXPO_VIEWERS", "4"))
    wait_time = constant(1)
    hold_s = 30.0

    def _fire(self, name: str, ms: float, exc: Exception | None = None, size: int = 0) -> None:
        self.environment.events.request.fire(
            request_type="WS",
            name=name,
            response_time=ms,
            response_length=size,
            exception=exc,
            context={},
        )

    @task
    def watch(self) -> None:
        url = BACKSTAGE.host.replace("http", "ws", 1)
        url += f"/ws/quests/{QUEST}/leaderboard?scope=all&limit=10"
        start = time.perf_counter()
        try:
            ws = websocket.create_connection(url, timeout=15)
        except (OSError, websocket.WebSocketException) as exc:
            self._fire("leaderboard: connect→snapshot", (time.perf_counter() - start) * 1000, exc)
            return
        newest = 0.0
        first = True
        until = time.monotonic() + self.hold_s
        try:
            while time.monotonic() < until:
                try:
                    frame = ws.recv()
                except websocket.WebSocketTimeoutException:
                    continue
                got = time.time()
                message = json.loads(frame)
                if message.get("type") != "snapshot":
                    continue
                if first:
                    first = False
                    self._fire(
                        "leaderboard: connect→snapshot", (time.perf_counter() - start) * 1000
                    )
                reached = [_ts(e["reached_at"]) for e in message.get("entries", [])]
                latest = max(reached, default=0.0)
                if latest > newest:
                    if newest:  # not the snapshot at connect: a solve that just happened
                        delay_ms = max(0.0, got - latest) * 1000
                        self._fire("leaderboard: solve→screen", delay_ms, size=len(frame))
                    newest = latest
        except (OSError, websocket.WebSocketException, ValueError) as exc:
            self._fire("leaderboard: dropped", 0.0, exc)
        finally:
            ws.close()

"""A crowd of simulated players: each one a coroutine playing the quest through the HTTP API.

Sign-ups are spread over the first part of the run; each player thinks between actions,
answers wrong first about 70 % of the time, sometimes unlocks a hint, checks in at booths
with their current code, a few convert (with consent), and some stop after a few challenges.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import secrets
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx

from quest.jobseekers.notice import NOTICE_VERSION
from quest.rehearsal.answers import right_answer, wrong_answer
from quest.rehearsal.backstage import Backstage, BackstageError

WRONG_FIRST = 0.7  # first answers that are wrong
HINT_SHARE = 0.2  # challenges (with hints) where a player unlocks the first hint
IDLE_SHARE = 0.25  # players who stop after one to three challenges
CONVERT_SHARE = 0.1  # players who become jobseekers (with consent) after two solves
SIGNUP_SPREAD = 0.4  # sign-ups spread over this part of the run
EXPECTED = {409, 429}  # solved meanwhile, out of attempts, a limit: a crowd meets these


@dataclass(frozen=True)
class Plan:
    slug: str
    players: int
    seconds: float  # how long the run lasts
    rate: float = 2.0  # answers a minute per player (think time = 60 / rate on average)
    seed: int | None = None
    prefix: str = ""  # handles are `sim-<prefix>-<n>`; random when empty
    first_arrivals: int = 1  # players who sign up at once (the rest spread out)
    conversions: float = CONVERT_SHARE  # the share of players who become jobseekers


@dataclass
class Tally:
    """What the crowd did; `errors` counts unexpected answers by status ("network": none)."""

    signed_up: int = 0
    active: int = 0
    attempts: int = 0
    solves: int = 0
    first_answers: int = 0
    wrong_first: int = 0
    hints: int = 0
    checkins: int = 0
    conversions: int = 0
    idle: int = 0
    refused: Counter[str] = field(default_factory=Counter)  # expected 409/429 by code
    errors: Counter[str] = field(default_factory=Counter)
    started: float = field(default_factory=time.monotonic)

    def rate(self) -> float:
        """Attempts a second so far."""
        return self.attempts / max(time.monotonic() - self.started, 1e-6)

    def lines(self) -> list[str]:
        share = self.wrong_first / self.first_answers if self.first_answers else 0.0
        errors = ", ".join(f"{k}: {v}" for k, v in sorted(self.errors.items())) or "none"
        refused = ", ".join(f"{k}: {v}" for k, v in sorted(self.refused.items())) or "none"
        return [
            f"players: {self.signed_up} signed up, {self.idle} went idle",
            f"attempts: {self.attempts} ({self.rate():.1f}/s), solves: {self.solves}, "
            f"wrong first answers: {share:.0%}",
            f"hints: {self.hints}, check-ins: {self.checkins}, conversions: {self.conversions}",
            f"refused as expected: {refused}",
            f"errors by status: {errors}",
        ]


def _profile(rng: random.Random, n: int) -> dict[str, Any]:
    """An obviously fake jobseeker profile (example.com address, reserved phone range)."""
    return {
        "full_name": f"Simulated Player {n}",
        "email": f"sim{n}-{rng.randrange(10**6)}@example.com",
        "education_level": rng.choice(["bachelor", "master", "phd", "other"]),
        "sectors": [rng.choice(["ai-data", "biotech", "fintech", "robotics"])],
        "experience_level": rng.choice(["entry", "mid", "senior"]),
        "regions": ["hk"],
        "consent": {"share_with_employers": True, "notice_version": NOTICE_VERSION},
    }


class Crowd:
    def __init__(
        self,
        plan: Plan,
        backstage: Backstage,
        client: httpx.AsyncClient,
        tally: Tally | None = None,
    ) -> None:
        self.plan, self.backstage, self.client = plan, backstage, client
        self.tally = tally or Tally()
        self.rng = random.Random(plan.seed)
        self.prefix = plan.prefix or secrets.token_hex(3)
        self.by_slug: dict[str, dict[str, Any]] = {}
        self.deadline = 0.0

    async def run(self) -> Tally:
        """Play until every player is done or the time is up; staff refusals raise."""
        document = await self.backstage.document()
        self.by_slug = {str(c.get("slug")): c for c in document.get("challenges", [])}
        self.deadline = time.monotonic() + self.plan.seconds
        self.tally.started = time.monotonic()
        spread = self.plan.seconds * SIGNUP_SPREAD
        starts = sorted(self.rng.uniform(0, spread) for _ in range(self.plan.players))
        early = min(self.plan.first_arrivals, len(starts))
        starts = [0.0] * early + starts[early:]  # someone arrives at once
        async with asyncio.TaskGroup() as group:
            for n, at in enumerate(starts, start=1):
                group.create_task(self._player(n, at, random.Random(self.rng.random())))
        return self.tally

    def _think_s(self, rng: random.Random) -> float:
        return rng.expovariate(self.plan.rate / 60.0)

    async def _sleep(self, seconds: float) -> bool:
        """Sleep, but not past the deadline; False once the time is up."""
        left = self.deadline - time.monotonic()
        await asyncio.sleep(max(0.0, min(seconds, left)))
        return time.monotonic() < self.deadline

    async def _call(
        self, method: str, path: str, token: str, body: Any = None
    ) -> httpx.Response | None:
        """A player's request; unexpected statuses and network errors are tallied."""
        try:
            r = await self.client.request(
                method, path, json=body, headers={"Authorization": f"Bearer {token}"}
            )
        except httpx.HTTPError as exc:
            self.tally.errors[f"network ({type(exc).__name__})"] += 1
            return None
        if r.status_code in EXPECTED:
            with contextlib.suppress(ValueError, AttributeError):
                self.tally.refused[str(r.json().get("code"))] += 1
                return r
            self.tally.refused[str(r.status_code)] += 1
        elif r.status_code >= 400:
            self.tally.errors[str(r.status_code)] += 1
        return r

    async def _player(self, n: int, start_s: float, rng: random.Random) -> None:
        if not await self._sleep(start_s):
            return
        handle = f"sim-{self.prefix}-{n}"[:32]
        try:
            token = await self.backstage.add_player(handle, secrets.token_urlsafe(12))
        except BackstageError:
            self.tally.errors["sign-up"] += 1
            return
        self.tally.signed_up += 1
        self.tally.active += 1
        try:
            await self._play(n, token, rng)
        except (KeyError, TypeError, ValueError) as exc:  # an answer not shaped as documented
            self.tally.errors[f"bad reply ({type(exc).__name__})"] += 1
        finally:
            self.tally.active -= 1

    async def _play(self, n: int, token: str, rng: random.Random) -> None:
        stop_after = rng.randint(1, 3) if rng.random() < IDLE_SHARE else None
        converts = rng.random() < self.plan.conversions
        solved = 0
        tried: set[int] = set()
        if not await self._sleep(min(self._think_s(rng), 5.0)):
            return
        while True:
            r = await self._call("GET", f"/api/quests/{self.plan.slug}/challenges", token)
            if r is None or r.status_code != 200:
                return
            open_now = [c for c in r.json() if c.get("state") == "open" and c["id"] not in tried]
            if not open_now:
                return  # done: everything solved, exhausted or locked
            challenge = rng.choice(open_now)
            tried.add(challenge["id"])
            if await self._challenge(challenge, token, rng):
                solved += 1
                if converts and solved == 2:
                    await self._convert(n, token, rng)
            if stop_after is not None and len(tried) >= stop_after:
                self.tally.idle += 1
                return
            if not await self._sleep(self._think_s(rng)):
                return

    async def _challenge(self, listed: dict[str, Any], token: str, rng: random.Random) -> bool:
        """Play one challenge to a solve or until giving up; True if solved."""
        spec = self.by_slug.get(str(listed.get("slug")), {})
        if spec.get("kind") == "checkin":
            return await self._checkin(spec, token)
        right = right_answer(spec)
        if spec.get("hints") and rng.random() < HINT_SHARE:
            hint = await self._call("POST", f"/api/challenges/{listed['id']}/hints/0", token)
            if hint is not None and hint.status_code == 200:
                self.tally.hints += 1
        first = True
        for _ in range(3):
            wrong = right is None or (first and rng.random() < WRONG_FIRST)
            answer = wrong_answer(spec, rng) if wrong else right
            r = await self._call(
                "POST", f"/api/challenges/{listed['id']}/attempts", token, {"answer": answer}
            )
            if r is None or r.status_code != 200:
                return False
            self.tally.attempts += 1
            if first:
                self.tally.first_answers += 1
                self.tally.wrong_first += 0 if r.json().get("correct") else 1
            if r.json().get("correct"):
                self.tally.solves += 1
                return True
            if r.json().get("attempts_left") == 0 or right is None:
                return False
            first = False
            if not await self._sleep(self._think_s(rng) / 2):
                return False
        return False

    async def _checkin(self, spec: dict[str, Any], token: str) -> bool:
        booth = str(spec.get("booth", ""))
        try:
            code = await self.backstage.booth_code(booth)
        except BackstageError:
            self.tally.errors["booth code"] += 1
            return False
        r = await self._call("POST", "/api/checkins", token, {"code": code, "booth": booth})
        if r is None or r.status_code != 200:
            return False
        self.tally.attempts += 1
        self.tally.checkins += 1
        self.tally.solves += 1
        return True

    async def _convert(self, n: int, token: str, rng: random.Random) -> None:
        r = await self._call("POST", "/api/me/jobseeker", token, _profile(rng, n))
        if r is not None and r.status_code == 201:
            self.tally.conversions += 1

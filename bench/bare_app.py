"""The baseline: bare FastAPI endpoints, one per request shape, doing nothing but the framework.

- `POST /api/challenges/{id}/attempts`: parses the JSON body, answers a small JSON body
  (the attempt's shape); `POST /bare/post` and any other `POST /api/...` the same.
- `GET /bare/get`, `GET /healthz` and any other `GET /api/...`: a small JSON body, so the
  very requests sent to Talent Quest (paths, tokens) can be sent here unchanged.
- Hooks: `TQ_BARE_HOOKS=module:function,...` — each function is called with the app at
  import and may add routes (e.g. "a bare endpoint doing the same Redis reads" for the
  board benchmark). `redis()` gives them a client for `TQ_BARE_REDIS_URL`.
  Hook routes are added before the catch-alls, so they win.
"""

from __future__ import annotations

import importlib
import os
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI()

_redis: Any = None


def redis() -> Any:
    """A redis.asyncio client for TQ_BARE_REDIS_URL (made on first use, in this worker)."""
    global _redis
    if _redis is None:
        import redis.asyncio as aioredis

        _redis = aioredis.Redis.from_url(os.environ["TQ_BARE_REDIS_URL"])
    return _redis


class Body(BaseModel):
    answer: str | int | float | list[str]


ATTEMPT = {"correct": False, "points_awarded": 0, "score": 0, "rank": None, "attempts_left": None}


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@app.post("/api/challenges/{challenge_id}/attempts")
async def attempt(challenge_id: int, body: Body) -> dict[str, object]:
    return ATTEMPT


@app.post("/bare/post")
async def bare_post(body: Body) -> dict[str, object]:
    return ATTEMPT


@app.get("/bare/get")
async def bare_get() -> dict[str, object]:
    return {"ok": True, "items": []}


for _hook in filter(None, os.environ.get("TQ_BARE_HOOKS", "").split(",")):
    _module, _, _name = _hook.strip().partition(":")
    getattr(importlib.import_module(_module), _name)(app)


@app.get("/api/{rest:path}")
async def any_get(rest: str) -> dict[str, object]:
    return {"ok": True, "items": []}


@app.post("/api/{rest:path}")
async def any_post(rest: str, body: dict[str, Any]) -> dict[str, object]:
    return ATTEMPT

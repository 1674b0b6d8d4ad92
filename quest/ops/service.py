"""Readiness: can this process reach its database and Redis right now?"""

from __future__ import annotations

from redis.exceptions import RedisError
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from quest.core.state import AppState
from quest.ops.schemas import Check, Readiness


async def readiness(state: AppState) -> Readiness:
    database: Check = "ok"
    redis: Check = "ok"
    try:
        async with state.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except (SQLAlchemyError, OSError):
        database = "unreachable"
    try:
        await state.redis.ping()
    except (RedisError, OSError):
        redis = "unreachable"
    ready = database == "ok" and redis == "ok"
    return Readiness(status="ready" if ready else "not_ready", database=database, redis=redis)

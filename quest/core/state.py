"""The typed state the lifespan builds and every request reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from challenges.writer import AttemptWriter
from leaderboard.board import Boards
from quest.core.db import ReadSession, WriteSession
from quest.core.metrics import Metrics
from quest.core.settings import Settings
from quest.quests.caches import Caches


@dataclass
class AppState:
    settings: Settings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[WriteSession]
    readmaker: async_sessionmaker[ReadSession]  # TQ_DATABASE_READ_URL when set: may lag
    primary_readmaker: async_sessionmaker[ReadSession]  # never lags (rebuilds, sweeps, archives)
    redis: Redis
    boards: Boards
    metrics: Metrics
    writer: AttemptWriter
    caches: Caches = field(default_factory=Caches)
    extras: dict[str, Any] = field(default_factory=dict)

"""Live viewers: announcements, the per-process hub, and the relay and ticker tasks."""

from __future__ import annotations

import json
from typing import Any, cast

from sqlalchemy.orm import QueryableAttribute, defer
from sqlmodel import col, select

from kit.time import as_utc
from leaderboard import keys
from leaderboard.fanout import QuestMeta, Ticker
from leaderboard.live import Hub, relay
from quest.core.settings import Settings
from quest.core.state import AppState
from quest.quests.models import Quest, Track

ANNOUNCEMENT_TTL_S = 3600
# The quest document's JSON decode dominated a reconnect storm; a board never needs it.
_NO_DOCUMENT = defer(cast("QueryableAttribute[Any]", Quest.document), raiseload=True)


async def announce(state: AppState, *, quest_id: int, text: str) -> None:
    message = json.dumps({"type": "announcement", "text": text})
    # Stored first, then published: a viewer who connects in between reads it either way.
    # (Not one transaction: a Redis Cluster refuses PUBLISH inside MULTI.)
    await state.redis.set(keys.announcement(quest_id), text, ex=ANNOUNCEMENT_TTL_S)
    await state.redis.publish(keys.live_channel(quest_id), message)


def uvicorn_ws_options(settings: Settings) -> dict[str, Any]:
    """uvicorn's protocol-level websocket limits, from the settings (used by `serve`)."""
    return {
        # The protocol reads a frame's length from its header and closes with 1009 before
        # reading the payload: without it uvicorn would buffer up to 16 MiB per message.
        "ws_max_size": settings.ws_max_message_bytes,
        "ws_ping_interval": settings.ws_ping_interval_s,
        "ws_ping_timeout": settings.ws_ping_timeout_s,
    }


def hub_of(state: AppState) -> Hub:
    """This process's hub of live sockets (created on first use)."""
    hub = state.extras.get("live_hub")
    if hub is None:
        hub = Hub(state.redis, on_count=state.metrics.ws_viewers.set)
        state.extras["live_hub"] = hub
    assert isinstance(hub, Hub)
    return hub


async def load_meta(
    state: AppState, *, quest_id: int | None = None, slug: str | None = None
) -> QuestMeta | None:
    """A quest's live metadata by id or slug; None for an unknown or draft quest."""
    query = (
        select(Quest)
        .options(_NO_DOCUMENT)
        .where(Quest.status != "draft")
        .where(Quest.slug == slug if slug is not None else Quest.id == quest_id)
    )
    async with state.readmaker() as session:
        quest = (await session.exec(query)).first()
        if quest is None or quest.id is None:
            return None
        tracks = (
            await session.exec(
                select(Track.slug).where(Track.quest_id == quest.id, col(Track.position) >= 0)
            )
        ).all()
    return QuestMeta(
        quest_id=quest.id,
        slug=quest.slug,
        tz=quest.timezone,
        tracks=tuple(tracks),
        epoch=as_utc(quest.starts_at),
        frozen=quest.frozen,
    )


async def live_relay(state: AppState) -> None:
    """Background task: the process's one pub/sub subscriber."""
    await relay(hub_of(state))


async def live_ticker(state: AppState) -> None:
    """Background task: publish changed boards of the quests whose lease this process holds."""

    async def loader(quest_id: int) -> QuestMeta | None:
        return await load_meta(state, quest_id=quest_id)

    ticker = Ticker(hub_of(state), state.boards, loader)
    state.extras["live_ticker"] = ticker
    await ticker.run()

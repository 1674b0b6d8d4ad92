"""Messages for live viewers, published through Redis so every app process relays them."""

from __future__ import annotations

import json

from leaderboard import keys
from quest.state import AppState

ANNOUNCEMENT_TTL_S = 3600


async def announce(state: AppState, *, quest_id: int, text: str) -> None:
    message = json.dumps({"type": "announcement", "text": text})
    async with state.redis.pipeline(transaction=True) as pipe:
        pipe.set(keys.announcement(quest_id), text, ex=ANNOUNCEMENT_TTL_S)
        pipe.publish(keys.live_channel(quest_id), message)
        await pipe.execute()

"""`WS /ws/quests/{slug}/leaderboard`: a public live board, relayed from Redis pub/sub."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time

from fastapi import APIRouter, WebSocket
from redis.exceptions import RedisError
from starlette.websockets import WebSocketDisconnect, WebSocketState

from kit.bounds import int_in
from kit.time import utcnow
from leaderboard import keys
from leaderboard.errors import UnknownScope
from leaderboard.fanout import QuestMeta, current_snapshot
from leaderboard.live import Stalled, Viewer, view_name
from leaderboard.windows import resolve_scope
from quest.core.state import AppState
from quest.live.service import hub_of, load_meta

router = APIRouter(tags=["leaderboard"])
log = logging.getLogger("talentquest.live")

MAX_LIMIT = 100
# Viewers have nothing to say beyond a tiny ping: the limits are TQ_WS_* (docs/live.md).
# Frames over TQ_WS_MAX_MESSAGE_BYTES are refused by the protocol (uvicorn ws_max_size, set
# by `talentquest serve`); the check in `_listen` is the fallback for other ASGI servers.
CLOSE_TOO_BIG = 1009
CLOSE_POLICY = 1008
CLOSE_TRY_LATER = 1013


async def _close(ws: WebSocket, code: int, reason: str) -> None:
    with contextlib.suppress(Exception):
        await asyncio.wait_for(ws.close(code=code, reason=reason), 2.0)


async def _meta(state: AppState, slug: str) -> QuestMeta | None:
    """The quest's live metadata, read fresh for every connect, but cheaply: connects that
    arrive while a read of the same quest is in flight share it instead of queueing one read
    each on the read connection."""
    loading: dict[str, asyncio.Future[QuestMeta | None]] = state.extras.setdefault(
        "live_meta_loading", {}
    )
    future = loading.get(slug)
    if future is None:
        future = asyncio.ensure_future(load_meta(state, slug=slug))
        loading[slug] = future
        future.add_done_callback(lambda _: loading.pop(slug, None))
    return await asyncio.shield(future)


@router.websocket("/ws/quests/{slug}/leaderboard")
async def leaderboard_ws(ws: WebSocket, slug: str) -> None:
    state: AppState = ws.app.state.tq
    # Count this socket before the first await, so a burst of connects cannot overshoot.
    full = state.extras.get("ws_open", 0) >= state.settings.ws_max_connections
    if not full:
        state.extras["ws_open"] = state.extras.get("ws_open", 0) + 1
    try:
        await ws.accept()
        if full:
            log.warning("websocket refused: %d viewers open", state.extras.get("ws_open", 0))
            await _close(ws, CLOSE_TRY_LATER, "too many viewers here, try again later")
            return
        await _watch(ws, state, slug)
    finally:
        if not full:
            state.extras["ws_open"] -= 1


async def _watch(ws: WebSocket, state: AppState, slug: str) -> None:
    """One accepted viewer: check the request, then relay snapshots until it leaves."""
    raw_limit = ws.query_params.get("limit", "10")
    limit = int_in(raw_limit, low=1, high=MAX_LIMIT, default=0)
    if not limit:
        await _close(ws, 4422, f"limit must be 1-{MAX_LIMIT}")
        return
    meta = await _meta(state, slug)
    if meta is None:
        await _close(ws, 4404, "unknown quest")
        return
    scope = (ws.query_params.get("scope") or "all").strip()
    try:
        resolve_scope(scope, now=utcnow(), tz=meta.tz, tracks=list(meta.tracks))
    except UnknownScope as exc:
        await _close(ws, 4422, str(exc)[:120])
        return
    view = view_name(scope, limit)
    hub = hub_of(state)
    viewer = Viewer(ws.send_text)
    await hub.join(meta.quest_id, view, viewer)
    try:
        try:
            viewer.offer_snapshot(await current_snapshot(state.boards, meta, view=view), -1)
            note = await state.redis.get(keys.announcement(meta.quest_id))
        except RedisError:
            await _close(ws, 1011, "boards briefly unavailable")
            return
        if note is not None:
            text = note.decode() if isinstance(note, bytes) else str(note)
            viewer.offer_note(json.dumps({"type": "announcement", "text": text}))
        await _serve(ws, viewer, state)
    finally:
        hub.leave(meta.quest_id, view, viewer)


async def _serve(ws: WebSocket, viewer: Viewer, state: AppState) -> None:
    sender = asyncio.create_task(viewer.run())
    listener = asyncio.create_task(_listen(ws, state))
    try:
        done, _ = await asyncio.wait({sender, listener}, return_when=asyncio.FIRST_COMPLETED)
        if sender in done and isinstance(sender.exception(), Stalled):
            log.info("dropped a stalled live viewer")
            await _close(ws, CLOSE_POLICY, "too slow")
        elif listener in done and listener.result() == CLOSE_TOO_BIG:
            await _close(ws, CLOSE_TOO_BIG, "message too big")
        elif listener in done and listener.result() == CLOSE_POLICY:
            log.info("dropped a live viewer sending too many messages")
            await _close(ws, CLOSE_POLICY, "too many messages")
    finally:
        for task in (sender, listener):
            task.cancel()
        for task in (sender, listener):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if ws.application_state == WebSocketState.CONNECTED:
            await _close(ws, 1000, "bye")


async def _listen(ws: WebSocket, state: AppState) -> int:
    """Read (and ignore) what the viewer sends; returns a close code to use, or 0."""
    settings = state.settings
    window_ends, count = 0.0, 0
    while True:
        try:
            message = await ws.receive()
        except (WebSocketDisconnect, RuntimeError):
            return 0
        if message["type"] == "websocket.disconnect":
            return 0
        size = len(message.get("text") or "") + len(message.get("bytes") or b"")
        if size > settings.ws_max_message_bytes:
            return CLOSE_TOO_BIG
        now = time.monotonic()
        if now >= window_ends:
            window_ends, count = now + settings.ws_message_window_s, 0
        count += 1
        if count > settings.ws_max_messages:
            return CLOSE_POLICY

"""The live board's `limit` typed by hand: out of range or not a plain number closes the
socket with 4422 (never an error inside the server), and the largest allowed still works."""

from __future__ import annotations

import asyncio
from urllib.parse import quote

import pytest
from websockets.exceptions import ConnectionClosed

from tests.support.live import Expo, connect, next_message

BAD_LIMITS = ["\u00b2", "\u0663", "9" * 5000, "99999999999999999999", "-1", "1e3", " 5"]


async def test_bad_limits_close_with_4422(expo: Expo) -> None:
    for raw in BAD_LIMITS:
        async with connect(expo.ws_url(query="limit=" + quote(raw))) as ws:
            with pytest.raises(ConnectionClosed) as closed:
                await asyncio.wait_for(ws.recv(), 3)
        assert closed.value.rcvd is not None, raw[:20]
        assert closed.value.rcvd.code == 4422, (raw[:20], closed.value.rcvd)
    async with connect(expo.ws_url(query="limit=100")) as ws:
        assert (await next_message(ws))["type"] == "snapshot"

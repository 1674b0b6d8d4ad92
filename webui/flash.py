"""One-shot messages carried across a redirect (post/redirect/get) in a signed cookie."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

FLASH_COOKIE = "tq_flash"


def _sign(request: Request, payload: bytes) -> str:
    secret = request.app.state.settings.secret_key.encode()
    return hmac.new(secret, b"flash|" + payload, hashlib.sha256).hexdigest()[:32]


def flash(request: Request, response: Response, message: dict[str, Any]) -> None:
    """Attach `message` to the next page this browser loads."""
    payload = base64.urlsafe_b64encode(json.dumps(message, separators=(",", ":")).encode())
    value = f"{payload.decode()}.{_sign(request, payload)}"
    response.set_cookie(
        FLASH_COOKIE,
        value,
        max_age=120,
        httponly=True,
        samesite="lax",
        path="/",
        secure=request.url.scheme == "https",
    )


def take(request: Request) -> dict[str, Any] | None:
    """Read the pending message (the page must then call `clear`)."""
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw or "." not in raw:
        return None
    payload, _, signature = raw.rpartition(".")
    if not hmac.compare_digest(signature, _sign(request, payload.encode())):
        return None
    try:
        message = json.loads(base64.urlsafe_b64decode(payload.encode()))
    except ValueError:
        return None
    return message if isinstance(message, dict) else None


def clear(request: Request, response: Response) -> None:
    if FLASH_COOKIE in request.cookies:
        response.delete_cookie(FLASH_COOKIE, path="/")

"""Links people scan at the event: absolute URLs on the host they came to, and QR codes."""

from __future__ import annotations

import segno
from starlette.requests import Request


def qr_svg(url: str, *, scale: int = 8) -> str:
    """An inline SVG QR code (no XML declaration), dark on white."""
    return str(segno.make(url, error="m").svg_inline(scale=scale, border=2, omitsize=True))


def public_url(request: Request, path: str) -> str:
    """An absolute URL on the host the request came to (works behind a simple proxy too)."""
    return str(request.base_url).rstrip("/") + path

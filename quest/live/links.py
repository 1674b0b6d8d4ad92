"""Links people scan at the event: absolute URLs on the host they came to, and QR codes."""

from __future__ import annotations

import segno
from starlette.requests import Request

from quest.core.origins import site


def qr_svg(url: str, *, scale: int = 8) -> str:
    """An inline SVG QR code (no XML declaration), dark on white."""
    return str(segno.make(url, error="m").svg_inline(scale=scale, border=2, omitsize=True))


def public_url(request: Request, path: str) -> str:
    """An absolute URL under TQ_PUBLIC_URL (never the request's `Host`, which a client forges)."""
    return site(request.app.state.settings).url + path

"""Kiosk pages of the live event: the big screen, a booth's screen, the staff console.

Their templates stand alone (no site layout): they run for hours on a screen across a hall.
"""

from __future__ import annotations

import time
from urllib.parse import quote

from fastapi import Request
from starlette.responses import Response

from kit.bounds import int_in
from kit.time import utcnow
from leaderboard.errors import UnknownScope
from leaderboard.windows import resolve_scope
from quest.core.errors import Invalid
from quest.live.links import public_url, qr_svg
from quest.live.staff import booth_code_now
from quest.quests import service
from quest.rehearsal import service as rehearsal
from webui.deps import ReadSession, StaffPage, page_router
from webui.templates import render

router = page_router()


def _rows(limit: str) -> int:
    """How many rows the board shows: 1 to 20, else 10."""
    return int_in(limit, low=1, high=20, default=10)


@router.get("/board/{slug}")
async def big_screen(
    request: Request, slug: str, session: ReadSession, scope: str = "all", limit: str = "10"
) -> Response:
    quest = await service.get_quest(session=session, slug=slug)
    assert quest.id is not None
    tracks = await service.tracks_of(session=session, quest_id=quest.id)
    try:
        resolve_scope(scope, now=utcnow(), tz=quest.timezone, tracks=[t.slug for t in tracks])
    except UnknownScope as exc:
        raise Invalid(str(exc), code="unknown_scope") from None
    rows = _rows(limit)
    join = public_url(request, f"/play/{slug}")
    label = next((t.title for t in tracks if f"track:{t.slug}" == scope), scope)
    return render(
        request,
        "board/board.html",
        {
            "title": quest.title,
            "scope": scope,
            "scope_label": label,
            "limit": rows,
            "ws_path": f"/ws/quests/{quote(slug)}/leaderboard?scope={quote(scope)}&limit={rows}",
            "join_url": join,
            "qr": qr_svg(join, scale=6),
        },
    )


@router.get("/staff/booths/{slug}/{booth}")
async def booth_screen(
    request: Request, slug: str, booth: str, session: ReadSession, user: StaffPage
) -> Response:
    quest = await service.get_quest(session=session, slug=slug, include_draft=True)
    shown = await booth_code_now(session=session, slug=slug, booth=booth, now=time.time())
    return render(
        request,
        "board/booth.html",
        {
            "title": quest.title,
            "booth": booth,
            "number": shown.number,  # shown with the code: a check-in names its booth
            "code_url": f"/api/admin/booths/{quote(slug)}/{quote(booth)}/code",
        },
    )


@router.get("/staff/live/{slug}")
async def staff_console(
    request: Request, slug: str, session: ReadSession, user: StaffPage
) -> Response:
    quest = await service.get_quest(session=session, slug=slug, include_draft=True)
    simulated = await rehearsal.count(session=session, slug=quest.slug)
    return render(
        request,
        "board/live.html",
        {
            "title": quest.title,
            "slug": quest.slug,
            "board_url": f"/board/{quote(slug)}",
            "simulated": simulated.players,
            "simulated_slug": quest.slug,
        },
    )

"""The quest editor in the staff console: the page (the document is edited by
`static/editor.js` and saved through the quest import API), a challenge preview rendered
with the player's own template, and the revisions page."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Request
from starlette.responses import HTMLResponse, Response

from quest.core.csrf import from_this_site
from quest.core.errors import Invalid
from quest.play.schemas import ChallengeDetail, HintOut
from quest.quests import service
from webui.csrf import HEADER, CsrfRejected, valid
from webui.deps import ReadSession, StaffPage, page_router
from webui.i18n import LANGS, catalogue, pick_lang, plural_forms, translate
from webui.templates import _page_context, finish, render, templates

router = page_router(prefix="/staff/quests")
KINDS = ("choice", "text", "numeric", "checkin")
STATUSES = ("draft", "open", "paused", "closed")
PREVIEW_LIMIT = 64 * 1024


UI_PREFIX = "editor.ui."


def editor_strings(lang: str) -> dict[str, str]:
    """The editor script's texts in the page's language (`editor.ui.*`, kinds, statuses)."""
    keys = [k for k in catalogue(lang) if k.startswith(UI_PREFIX)]
    out = {k[len(UI_PREFIX) :]: translate(lang, k) for k in keys}
    out.update({f"kind.{k}": translate(lang, f"kind.{k}") for k in KINDS})
    out.update({f"status.{s}": translate(lang, f"status.{s}") for s in STATUSES})
    return out


def _editor(request: Request, slug: str | None) -> Response:
    strings = editor_strings(pick_lang(request))
    return render(request, "staff/editor.html", {"slug": slug, "strings": strings})


@router.get("/new")
async def new_quest(request: Request, user: StaffPage) -> Response:
    """The editor with a blank quest (`static/editor.js` builds the form)."""
    return _editor(request, None)


@router.get("/{slug}/edit")
async def edit_quest(
    request: Request, slug: str, session: ReadSession, user: StaffPage
) -> Response:
    """The editor; the script loads the quest's document from the staff API."""
    quest = await service.get_quest(session=session, slug=slug, include_draft=True)
    return _editor(request, quest.slug)


async def checked_json(request: Request) -> Any:
    """The posted JSON body, once the page's token (`X-CSRF-Token`) and origin check out."""
    if not from_this_site(request) or not valid(request, request.headers.get(HEADER)):
        raise CsrfRejected()
    body = await request.body()
    if len(body) > PREVIEW_LIMIT:
        raise Invalid("The challenge is too large to preview.", code="invalid_preview")
    try:
        return json.loads(body)
    except ValueError:
        raise Invalid("The preview needs a JSON body.", code="invalid_preview") from None


CsrfJson = Annotated[Any, Depends(checked_json)]


def _int(value: Any, default: int | None = None) -> int | None:
    if isinstance(value, bool):
        return default
    if isinstance(value, int | float):
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            return default
    return default


def _when(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        return None
    return at if at.tzinfo is not None else None


def preview_detail(quest_slug: str, raw: dict[str, Any]) -> ChallengeDetail:
    """A draft challenge as the player's page shows it to a player who has not tried it yet.

    Read leniently (an unfinished draft still previews); the answer never reaches the page.
    """
    kind = raw.get("kind") if raw.get("kind") in KINDS else "text"
    options = raw.get("options")
    options = [str(o) for o in options] if kind == "choice" and isinstance(options, list) else None
    hints = raw.get("hints")
    hints = hints if isinstance(hints, list) else []
    max_attempts = _int(raw.get("max_attempts"))
    return ChallengeDetail(
        id=0,
        slug=str(raw.get("slug") or "draft"),
        track=str(raw.get("track") or ""),
        title=str(raw.get("title") or ""),
        kind=str(kind),
        points=_int(raw.get("points"), 0) or 0,
        state="open",
        attempts_left=max_attempts if max_attempts and max_attempts > 0 else None,
        quest=quest_slug,
        prompt=str(raw.get("prompt") or ""),
        options=options,
        multiple=kind == "choice" and isinstance(raw.get("answer"), list),
        booth=str(raw.get("booth") or "") if kind == "checkin" else None,
        requires=[str(r) for r in raw.get("requires") or [] if isinstance(r, str)],
        hints=[
            HintOut(n=n, cost=_int(h.get("cost"), 0) or 0, unlocked=False)
            for n, h in enumerate(hints)
            if isinstance(h, dict)
        ],
        opens_at=_when(raw.get("opens_at")),
        closes_at=_when(raw.get("closes_at")),
    )


@router.post("/preview")
async def preview(request: Request, body: CsrfJson, user: StaffPage) -> Response:
    """`{quest: {slug, title, timezone}, challenge: {...}, lang}` -> the player's challenge
    page (its content block) in that language, as an HTML fragment."""
    if not isinstance(body, dict) or not isinstance(body.get("challenge"), dict):
        raise Invalid("The preview needs a challenge.", code="invalid_preview")
    lang = body.get("lang") if body.get("lang") in LANGS else pick_lang(request)
    assert isinstance(lang, str)
    about = body.get("quest")
    about = about if isinstance(about, dict) else {}
    quest = {
        "slug": str(about.get("slug") or "draft"),
        "title": str(about.get("title") or ""),
        "timezone": str(about.get("timezone") or "Asia/Hong_Kong"),
    }
    detail = preview_detail(quest["slug"], body["challenge"])
    titles = {str(c.get("slug")): str(c.get("title")) for c in body.get("titles") or []
              if isinstance(c, dict)}  # fmt: skip
    context = _page_context(request)
    context.update(
        t=lambda key, **params: translate(lang, key, **params),
        plurals=lambda key: plural_forms(lang, key),
        lang=lang,
        quest=quest,
        ch=detail,
        requires=[titles.get(s, s) for s in detail.requires],
        me=None,
        next=None,
        track_done=False,
        convert_now=False,
        preview=True,
        idem="",
        errors={},
        flash=None,
    )
    context["_"] = context["t"]
    template = templates.env.get_template("challenge.html")
    html = "".join(template.blocks["content"](template.new_context(context)))
    return finish(request, HTMLResponse(f'<div lang="{lang}" class="phone-page">{html}</div>'))

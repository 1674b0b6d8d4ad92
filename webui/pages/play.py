"""The player's quest: the map, a challenge with its answer form, hints, booth check-ins."""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import quote

from fastapi import Request
from redis.exceptions import RedisError
from sqlmodel import col, select
from starlette.datastructures import FormData
from starlette.responses import Response

from challenges.attempts import unlock_hint
from challenges.kinds import booth_code_valid
from challenges.models import Challenge
from kit.time import as_utc, utcnow
from quest.accounts.service import Principal
from quest.core.deps import StateDep
from quest.core.errors import DomainError, Forbidden, NotFound
from quest.core.state import AppState
from quest.play import catalog
from quest.play import service as play
from quest.quests import service
from quest.quests.models import Quest
from webui.csrf import CsrfForm
from webui.deps import PageUser, PlayerPage, ReadSession, page_router
from webui.flash import flash
from webui.forms import FORM_ERROR
from webui.i18n import pick_lang, translate
from webui.templates import redirect, render

router = page_router()


async def load_quest(session: Any, slug: str, user: Principal | None) -> Quest:
    staff = user is not None and user.role == "staff"
    return await service.get_quest(session=session, slug=slug, include_draft=staff)


async def find_challenge(session: Any, quest: Quest, slug: str) -> Challenge:
    found = (
        await session.exec(
            select(Challenge).where(
                Challenge.quest_id == quest.id,
                Challenge.slug == slug,
                col(Challenge.retired).is_(False),
            )
        )
    ).first()
    if found is None:
        raise NotFound(code="challenge_not_found")
    assert isinstance(found, Challenge)
    return found


async def standing(state: AppState, quest: Quest, user: Principal | None) -> dict[str, Any] | None:
    """The player's place on the quest's main board (None: not on it, or boards down)."""
    if user is None or user.role != "player":
        return None
    assert quest.id is not None
    try:
        return await state.boards.me(
            quest_id=quest.id,
            scope="all",
            epoch=as_utc(quest.starts_at),
            player_id=user.id,
            around=0,
            frozen=quest.frozen,
        )
    except RedisError:
        return None


def by_track(tracks: list[Any], challenges: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for track in tracks:
        stops = [c for c in challenges if c["track"] == track.slug]
        if stops:
            solved = sum(1 for c in stops if c["state"] == "solved")
            out.append({"slug": track.slug, "title": track.title, "stops": stops, "solved": solved})
    return out


def next_stop(
    challenges: list[dict[str, Any]], after: dict[str, Any] | None = None
) -> dict[str, Any] | None:
    """The next open challenge: in the same track after `after` first, then anywhere."""
    open_ = [c for c in challenges if c["state"] == "open" and (after is None or c != after)]
    if after is not None:
        same = [c for c in open_ if c["track"] == after["track"]]
        if same:
            return same[0]
    return open_[0] if open_ else None


@router.get("/play/{slug}")
async def quest_map(
    request: Request, slug: str, session: ReadSession, state: StateDep, user: PageUser
) -> Response:
    quest = await load_quest(session, slug, user)
    assert quest.id is not None
    tracks = await service.tracks_of(session=session, quest_id=quest.id)
    challenges = await catalog.challenges_for(
        session=session, quest=quest, account_id=user.id if user else None
    )
    me = await standing(state, quest, user)
    return render(
        request,
        "play_map.html",
        {
            "quest": quest,
            "tracks": by_track(tracks, challenges),
            "me": me,
            "next": next_stop(challenges),
            "solved": sum(1 for c in challenges if c["state"] == "solved"),
            "total": len(challenges),
            "window_open": play.quest_window_open(quest, utcnow()),
        },
    )


@router.get("/play/{slug}/checkin")
async def checkin_form(
    request: Request, slug: str, session: ReadSession, user: PlayerPage, code: str = ""
) -> Response:
    quest = await load_quest(session, slug, user)
    return render(
        request,
        "checkin.html",
        {"quest": quest, "code": code[:12], "errors": {}, "auto": bool(code)},
    )


@router.post("/play/{slug}/checkin")
async def checkin(
    request: Request, slug: str, form: CsrfForm, state: StateDep, user: PlayerPage
) -> Response:
    code = str(form.get("code") or "").strip().replace(" ", "")[:12]
    async with state.readmaker() as session:
        quest = await load_quest(session, slug, user)
        booths = (
            await session.exec(
                select(Challenge).where(
                    Challenge.quest_id == quest.id,
                    Challenge.kind == "checkin",
                    col(Challenge.retired).is_(False),
                )
            )
        ).all()
    match = next((b for b in booths if booth_code_valid(b.spec["secret"], code)), None)
    if match is None or match.id is None:
        lang = pick_lang(request)
        key = (
            "checkin.code_format" if not (code.isdigit() and len(code) == 6) else "checkin.invalid"
        )
        return render(
            request,
            "checkin.html",
            {"quest": quest, "code": code, "errors": {"code": translate(lang, key)}, "auto": False},
            status_code=FORM_ERROR,
        )
    return await _submit(request, state, user, quest, match, code, idem=None)


@router.get("/play/{slug}/{challenge_slug}")
async def challenge_page(
    request: Request,
    slug: str,
    challenge_slug: str,
    session: ReadSession,
    state: StateDep,
    user: PageUser,
) -> Response:
    quest = await load_quest(session, slug, user)
    challenge = await find_challenge(session, quest, challenge_slug)
    return await render_challenge(request, session, state, quest, challenge, user)


async def render_challenge(
    request: Request,
    session: Any,
    state: AppState,
    quest: Quest,
    challenge: Challenge,
    user: Principal | None,
    *,
    preview: bool = False,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    player_id = user.id if user is not None and user.role == "player" and not preview else None
    detail = await catalog.challenge_detail(
        session=session, challenge=challenge, quest=quest, account_id=player_id
    )
    challenges = await catalog.challenges_for(session=session, quest=quest, account_id=player_id)
    here = next((c for c in challenges if c["id"] == challenge.id), None)
    me = None if preview else await standing(state, quest, user)
    track = [c for c in challenges if c["track"] == challenge.track]
    track_done = bool(track) and all(c["state"] == "solved" for c in track)
    top_tenth = me is not None and me["percentile"] >= 90.0
    titles = {c["slug"]: c["title"] for c in challenges}
    return render(
        request,
        "challenge.html",
        {
            "quest": quest,
            "ch": detail,
            "requires": [titles.get(s, s) for s in detail["requires"]],
            "me": me,
            "next": next_stop(challenges, here),
            "track_done": track_done,
            "convert_now": player_id is not None and (track_done or top_tenth),
            "preview": preview,
            "idem": secrets.token_urlsafe(12),
            "errors": errors or {},
        },
        status_code=status_code,
    )


def answer_of(form: FormData, kind: str, multiple: bool) -> str | list[str] | None:
    if kind == "choice" and multiple:
        picked = [str(v) for v in form.getlist("answer") if isinstance(v, str) and v]
        return picked[:50] or None
    value = form.get("answer")
    if not isinstance(value, str) or not value.strip():
        return None
    return value.strip()[:2000]


@router.post("/play/{slug}/{challenge_slug}")
async def answer(
    request: Request,
    slug: str,
    challenge_slug: str,
    form: CsrfForm,
    state: StateDep,
    user: PlayerPage,
) -> Response:
    async with state.readmaker() as session:
        quest = await load_quest(session, slug, user)
        challenge = await find_challenge(session, quest, challenge_slug)
        multiple = isinstance(challenge.spec.get("answer"), list) and challenge.kind == "choice"
        given = answer_of(form, challenge.kind, multiple)
        if given is None:
            lang = pick_lang(request)
            return await render_challenge(
                request, session, state, quest, challenge, user,
                errors={"answer": translate(lang, f"play.empty.{challenge.kind}")},
                status_code=FORM_ERROR,
            )  # fmt: skip
    idem = form.get("idem")
    return await _submit(
        request, state, user, quest, challenge, given, idem=idem if isinstance(idem, str) else None
    )


async def _submit(
    request: Request,
    state: AppState,
    user: Principal,
    quest: Quest,
    challenge: Challenge,
    given: str | list[str],
    *,
    idem: str | None,
) -> Response:
    """Run the attempt through the play service, then redirect to the challenge with the result.

    No session may be held here: `play.submit` opens the (single) writer itself.
    """
    assert challenge.id is not None
    target = f"/play/{quote(quest.slug)}/{quote(challenge.slug)}"
    try:
        result = await play.submit(
            state=state,
            principal=user,
            challenge_id=challenge.id,
            answer=given,
            idempotency_key=idem[:255] if idem else None,
        )
    except DomainError as exc:
        response = redirect(request, target)
        flash(request, response, {"kind": "refused", "code": exc.code_})
        return response
    response = redirect(request, target)
    flash(
        request,
        response,
        {
            "kind": "result",
            "correct": bool(result["correct"]),
            "points": int(result["points_awarded"]),
            "score": result["score"],
            "rank": result["rank"],
            "attempts_left": result["attempts_left"],
            "answer": given if isinstance(given, str) and not result["correct"] else None,
        },
    )
    return response


@router.post("/play/{slug}/{challenge_slug}/hints/{n}")
async def hint(
    request: Request,
    slug: str,
    challenge_slug: str,
    n: int,
    form: CsrfForm,
    state: StateDep,
    user: PlayerPage,
) -> Response:
    async with state.sessionmaker() as session, session.begin():
        quest = await load_quest(session, slug, user)
        challenge = await find_challenge(session, quest, challenge_slug)
        if not 0 <= n < len(challenge.hints):
            raise NotFound(code="hint_not_found")
        assert quest.id is not None
        solved = await play.solved_slugs(session=session, account_id=user.id, quest_id=quest.id)
        if play.gate(quest, challenge, solved, utcnow()).state != "open":
            raise Forbidden(code="locked")
        await unlock_hint(session=session, account_id=user.id, challenge=challenge, n=n)
    return redirect(request, f"/play/{quote(quest.slug)}/{quote(challenge.slug)}#hint-{n}")

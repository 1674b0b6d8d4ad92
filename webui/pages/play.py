"""The player's quest: the map, a challenge with its answer form, hints, booth check-ins."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from urllib.parse import quote

from fastapi import Request
from redis.exceptions import RedisError
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.datastructures import FormData
from starlette.responses import Response

from challenges.models import Challenge
from kit.bounds import Index
from kit.time import as_utc, utcnow
from leaderboard.board import MyStanding
from quest.accounts.service import Principal
from quest.core.deps import SessionDep, StateDep
from quest.core.errors import DomainError
from quest.core.state import AppState
from quest.play import booths, catalog, hints
from quest.play import service as play
from quest.play.errors import BoothRefused
from quest.play.gates import quest_window_open
from quest.play.schemas import ChallengeSummary
from quest.play.service import AttemptResult
from quest.quests import service
from quest.quests.models import Quest, Track
from webui.csrf import CsrfForm
from webui.deps import PageUser, PlayerPage, ReadSession, page_router
from webui.flash import flash
from webui.forms import FORM_ERROR
from webui.i18n import pick_lang, translate
from webui.templates import redirect, render

router = page_router()


async def load_quest(session: AsyncSession, slug: str, user: Principal | None) -> Quest:
    staff = user is not None and user.role == "staff"
    return await service.get_quest(session=session, slug=slug, include_draft=staff)


async def standing(state: AppState, quest: Quest, user: Principal | None) -> MyStanding | None:
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


@dataclass(frozen=True)
class TrackStops:
    """A track on the quest map: its challenges and how many the player solved."""

    slug: str
    title: str
    stops: list[ChallengeSummary]
    solved: int


def by_track(tracks: list[Track], challenges: list[ChallengeSummary]) -> list[TrackStops]:
    out = []
    for track in tracks:
        stops = [c for c in challenges if c.track == track.slug]
        if stops:
            solved = sum(1 for c in stops if c.state == "solved")
            out.append(TrackStops(track.slug, track.title, stops, solved))
    return out


def next_stop(
    challenges: list[ChallengeSummary], after: ChallengeSummary | None = None
) -> ChallengeSummary | None:
    """The next open challenge: in the same track after `after` first, then anywhere."""
    open_ = [c for c in challenges if c.state == "open" and (after is None or c != after)]
    if after is not None:
        same = [c for c in open_ if c.track == after.track]
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
            "solved": sum(1 for c in challenges if c.state == "solved"),
            "total": len(challenges),
            "window_open": quest_window_open(quest, utcnow()),
        },
    )


@router.get("/play/{slug}/checkin")
async def checkin_form(
    request: Request,
    slug: str,
    session: ReadSession,
    user: PlayerPage,
    code: str = "",
    booth: str = "",
) -> Response:
    """The check-in form; a booth's QR code opens it with its booth and code filled in."""
    quest = await load_quest(session, slug, user)
    return await checkin_page(
        request, session, quest, booth=booth[:12], code=code[:20], auto=bool(code and booth)
    )


async def checkin_page(
    request: Request,
    session: AsyncSession,
    quest: Quest,
    *,
    booth: str,
    code: str,
    auto: bool = False,
    errors: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    assert quest.id is not None
    response = render(
        request,
        "checkin.html",
        {
            "quest": quest,
            "booths": await booths.booths_of(session=session, quest_id=quest.id),
            "booth": booth,
            "code": code,
            "errors": errors or {},
            "auto": auto,
        },
        status_code=FORM_ERROR if errors else 200,
    )
    response.headers.update(headers or {})
    return response


CHECKIN_PROBLEMS = {
    "booth_required": ("booth", "checkin.booth_required"),
    "unknown_booth": ("booth", "checkin.booth_unknown"),
    "booth_ambiguous": ("booth", "checkin.booth_unknown"),
    "booth_mismatch": ("code", "checkin.booth_mismatch"),
}


@router.post("/play/{slug}/checkin")
async def checkin(
    request: Request, slug: str, form: CsrfForm, state: StateDep, user: PlayerPage
) -> Response:
    code = str(form.get("code") or "").strip()[:20]
    booth = str(form.get("booth") or "").strip()[:12]
    async with state.readmaker() as session:
        quest = await load_quest(session, slug, user)
    lang = pick_lang(request)
    try:
        done = await booths.checkin(
            state=state, principal=user, code=code, booth=booth or None, quest_id=quest.id
        )
    except BoothRefused as exc:
        if exc.code_ != "rate_limited":
            return refused(request, challenge_path(quest, exc.booth.challenge_slug), exc)
        wait = int(exc.headers["Retry-After"])
        message = translate(lang, "checkin.rate_limited", n=wait)
        problem, headers = {"code": message}, exc.headers
    except DomainError as exc:
        field_, key = CHECKIN_PROBLEMS.get(exc.code_, ("code", "checkin.invalid"))
        digits = "".join(ch for ch in code if ch.isdigit())
        if exc.code_ == "invalid_code" and len(digits) < 6:
            key = "checkin.code_format"
        problem, headers = {field_: translate(lang, key)}, {}
    else:
        return result_page(
            request, challenge_path(quest, done.booth.challenge_slug), done.attempt, code
        )
    async with state.readmaker() as session:
        return await checkin_page(
            request, session, quest, booth=booth, code=code, errors=problem, headers=headers
        )


def challenge_path(quest: Quest, challenge_slug: str) -> str:
    return f"/play/{quote(quest.slug)}/{quote(challenge_slug)}"


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
    challenge = await catalog.find_challenge(session=session, quest=quest, slug=challenge_slug)
    return await render_challenge(request, session, state, quest, challenge, user)


async def render_challenge(
    request: Request,
    session: AsyncSession,
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
    here = next((c for c in challenges if c.id == challenge.id), None)
    me = None if preview else await standing(state, quest, user)
    track = [c for c in challenges if c.track == challenge.track]
    track_done = bool(track) and all(c.state == "solved" for c in track)
    top_tenth = me is not None and me.percentile >= 90.0
    titles = {c.slug: c.title for c in challenges}
    return render(
        request,
        "challenge.html",
        {
            "quest": quest,
            "ch": detail,
            "requires": [titles.get(s, s) for s in detail.requires],
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
        challenge = await catalog.find_challenge(session=session, quest=quest, slug=challenge_slug)
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
    target = challenge_path(quest, challenge.slug)
    try:
        if challenge.kind == "checkin" and isinstance(given, str):
            # A booth's page names its booth: the code is checked against it alone.
            done = await booths.checkin(
                state=state, principal=user, code=given, booth=challenge.id, quest_id=quest.id
            )
            result = done.attempt
        else:
            result = await play.submit(
                state=state,
                principal=user,
                challenge_id=challenge.id,
                answer=given,
                idempotency_key=idem[:255] if idem else None,
            )
    except DomainError as exc:
        return refused(request, target, exc)
    return result_page(request, target, result, given)


def refused(request: Request, target: str, exc: DomainError) -> Response:
    response = redirect(request, target)
    flash(request, response, {"kind": "refused", "code": exc.code_})
    return response


def result_page(
    request: Request, target: str, result: AttemptResult, given: str | list[str]
) -> Response:
    response = redirect(request, target)
    flash(
        request,
        response,
        {
            "kind": "result",
            "correct": result.correct,
            "points": result.points_awarded,
            "score": result.score,
            "rank": result.rank,
            "attempts_left": result.attempts_left,
            "answer": given if isinstance(given, str) and not result.correct else None,
        },
    )
    return response


@router.post("/play/{slug}/{challenge_slug}/hints/{n}")
async def hint(
    request: Request,
    slug: str,
    challenge_slug: str,
    n: Index,
    form: CsrfForm,
    session: SessionDep,
    user: PlayerPage,
) -> Response:
    quest = await load_quest(session, slug, user)
    challenge = await catalog.find_challenge(session=session, quest=quest, slug=challenge_slug)
    assert challenge.id is not None
    await hints.unlock(session=session, account_id=user.id, challenge_id=challenge.id, n=n)
    return redirect(request, f"{challenge_path(quest, challenge.slug)}#hint-{n}")

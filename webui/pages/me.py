"""The player's own page: progress, badges, rank on each board, and becoming a jobseeker."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import Request
from pydantic import ValidationError
from redis.exceptions import RedisError
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.datastructures import FormData
from starlette.responses import Response

from jobs.schemas import EDUCATION_LEVELS, EXPERIENCE_LEVELS, REGIONS, SECTORS
from kit.time import as_utc, utcnow
from leaderboard.windows import resolve_scope
from quest.accounts.service import Principal
from quest.core.deps import SessionDep, StateDep
from quest.core.errors import Conflict, Invalid
from quest.core.state import AppState
from quest.jobseekers import service as jobseekers
from quest.jobseekers.notice import NOTICE_VERSION, notice
from quest.jobseekers.schemas import JobseekerIn
from quest.jobseekers.summary import game_summary
from quest.play import catalog
from quest.quests import service
from quest.quests.models import Quest, Track
from webui.csrf import CsrfForm
from webui.deps import PlayerPage, ReadSession, page_router
from webui.flash import flash
from webui.forms import FORM_ERROR, field_errors, values
from webui.i18n import pick_lang, translate
from webui.templates import redirect, render

router = page_router()
VOCAB = {
    "sectors": SECTORS,
    "regions": REGIONS,
    "education": EDUCATION_LEVELS,
    "experience": EXPERIENCE_LEVELS,
}
PROMINENT_PERCENTILE = 90.0  # at or above this on the overall board, the offer comes first


@dataclass(frozen=True, slots=True)
class BoardStanding:
    """The player's place on one board of a quest."""

    scope: str  # all | daily | weekly | track
    title: str | None  # the track's title; the other boards are named by the page
    rank: int
    total: int
    score: int
    percentile: float


@dataclass(frozen=True, slots=True)
class TrackProgress:
    title: str
    done: int
    total: int


@dataclass(frozen=True, slots=True)
class QuestProgress:
    quest: Quest
    solved: int
    total: int
    tracks: list[TrackProgress]
    boards: list[BoardStanding]
    track_done: bool  # some track fully solved


async def boards_of(
    state: AppState, quest: Quest, tracks: list[Track], player_id: int
) -> list[BoardStanding]:
    """The player's rank on each board of a quest they are on."""
    assert quest.id is not None
    now = utcnow()
    wanted: list[tuple[str, str | None]] = [("all", None), ("daily", None), ("weekly", None)]
    wanted += [(f"track:{t.slug}", t.title) for t in tracks]
    out: list[BoardStanding] = []
    for scope, title in wanted:
        resolved = resolve_scope(scope, now=now, tz=quest.timezone, tracks=[t.slug for t in tracks])
        try:
            me = await state.boards.me(
                quest_id=quest.id, scope=resolved, epoch=as_utc(quest.starts_at),
                player_id=player_id, around=0, frozen=quest.frozen,
            )  # fmt: skip
        except RedisError:
            return out
        if me is not None:
            out.append(
                BoardStanding(
                    scope=scope.split(":")[0],
                    title=title,
                    rank=me.rank,
                    total=me.total,
                    score=me.score,
                    percentile=me.percentile,
                )
            )
    return out


async def progress(session: AsyncSession, state: AppState, user: Principal) -> list[QuestProgress]:
    """Each quest the player has played: challenges solved, per track, and board standings."""
    out = []
    for listed in await service.list_quests(session=session):
        quest = await service.get_quest(session=session, slug=listed.slug)
        assert quest.id is not None
        tracks = await service.tracks_of(session=session, quest_id=quest.id)
        challenges = await catalog.challenges_for(session=session, quest=quest, account_id=user.id)
        solved = [c for c in challenges if c.state == "solved"]
        boards = await boards_of(state, quest, tracks, user.id)
        if not solved and not boards:
            continue
        per_track = []
        for track in tracks:
            stops = [c for c in challenges if c.track == track.slug]
            done = sum(1 for c in stops if c.state == "solved")
            per_track.append(TrackProgress(title=track.title, done=done, total=len(stops)))
        out.append(
            QuestProgress(
                quest=quest,
                solved=len(solved),
                total=len(challenges),
                tracks=per_track,
                boards=boards,
                track_done=any(t.total and t.done == t.total for t in per_track),
            )
        )
    return out


async def me_context(
    request: Request, session: AsyncSession, state: AppState, user: Principal
) -> dict[str, Any]:
    quests = await progress(session, state, user)
    summary = await game_summary(session=session, boards=state.boards, account_id=user.id)
    top = any(
        b.scope == "all" and b.percentile >= PROMINENT_PERCENTILE for q in quests for b in q.boards
    )
    return {
        "quests": quests,
        "jobseeker": await jobseekers.get_jobseeker(session=session, account_id=user.id),
        "badges": summary.badges,
        "notice": notice(pick_lang(request)),
        "notice_version": NOTICE_VERSION,
        "prominent": top or any(q.track_done for q in quests),
        "vocab": VOCAB,
        "values": {},
        "errors": {},
    }


@router.get("/me")
async def me(request: Request, session: ReadSession, state: StateDep, user: PlayerPage) -> Response:
    return render(request, "me.html", await me_context(request, session, state, user))


def jobseeker_body(form: FormData) -> dict[str, Any]:
    """The conversion form as the body of `POST /api/me/jobseeker` (validated by its model)."""

    def text(name: str) -> str | None:
        value = form.get(name)
        return value.strip() if isinstance(value, str) and value.strip() else None

    links = [line.strip() for line in (text("links") or "").splitlines() if line.strip()]
    return {
        "full_name": text("full_name") or "",
        "email": text("email") or "",
        "phone": text("phone"),
        "education_level": text("education_level") or "",
        "field_of_study": text("field_of_study"),
        "sectors": [v for v in form.getlist("sectors") if isinstance(v, str)],
        "experience_level": text("experience_level") or "",
        "regions": [v for v in form.getlist("regions") if isinstance(v, str)],
        "links": links,
        "consent": {
            "share_with_employers": form.get("consent") == "yes",
            "notice_version": text("notice_version"),
        },
    }


@router.post("/me/jobseeker")
async def convert(
    request: Request, form: CsrfForm, session: SessionDep, state: StateDep, user: PlayerPage
) -> Response:
    lang = pick_lang(request)
    errors: dict[str, str] = {}
    try:
        data = JobseekerIn.model_validate(jobseeker_body(form))
        await jobseekers.convert(
            session=session, account_id=user.id, data=data, boards=state.boards
        )
    except ValidationError as exc:
        errors = field_errors(exc, lang, "convert")
    except Invalid as exc:
        for error in exc.errors or [{"path": "__all__", "message": exc.detail}]:
            field = error["path"].split(".")[0] or "__all__"
            errors.setdefault(field, translate(lang, f"convert.{exc.code_}"))
    except Conflict:
        return redirect(request, "/me")
    if errors:
        context = await me_context(request, session, state, user)
        given = values(form)
        for many in ("sectors", "regions"):
            given[many] = [v for v in form.getlist(many) if isinstance(v, str)]
        context.update(values=given, errors=errors, prominent=True)
        return render(request, "me.html", context, status_code=FORM_ERROR)
    response = redirect(request, "/me")
    flash(request, response, {"notice": "convert.done"})
    return response

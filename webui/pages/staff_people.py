"""The staff console's people: find players, see their attempts, ban; create staff accounts."""

from __future__ import annotations

from fastapi import Request
from pydantic import ValidationError
from sqlmodel import col, select
from starlette.responses import Response

from challenges.models import Attempt, Challenge
from quest.accounts import service as accounts
from quest.accounts.models import Account
from quest.accounts.schemas import AccountIn
from quest.core.deps import SessionDep, StateDep
from quest.core.errors import Conflict, NotFound
from quest.quests import service
from webui.csrf import CsrfForm
from webui.deps import ReadSession, StaffPage, page_router
from webui.flash import flash
from webui.forms import FORM_ERROR, field_errors, values
from webui.i18n import pick_lang, translate
from webui.templates import redirect, render

router = page_router(prefix="/staff")


@router.get("/players")
async def players(request: Request, session: ReadSession, user: StaffPage, q: str = "") -> Response:
    query = select(Account).where(Account.role == "player").order_by(col(Account.id).desc())
    if q.strip():
        query = query.where(col(Account.handle_key).contains(q.strip().casefold()))
    found = (await session.exec(query.limit(100))).all()
    return render(request, "staff/players.html", {"players": found, "q": q})


@router.get("/players/{player_id}")
async def player(
    request: Request, player_id: int, session: ReadSession, user: StaffPage
) -> Response:
    account = await session.get(Account, player_id)
    if account is None or account.role != "player":
        raise NotFound(code="player_not_found")
    rows = await session.exec(
        select(Attempt, Challenge.title)
        .join(Challenge, col(Challenge.id) == col(Attempt.challenge_id))
        .where(Attempt.account_id == player_id)
        .order_by(col(Attempt.submitted_at).desc())
        .limit(200)
    )
    return render(request, "staff/player.html", {"player": account, "attempts": rows.all()})


@router.post("/players/{player_id}/ban")
async def ban(
    request: Request,
    player_id: int,
    form: CsrfForm,
    session: SessionDep,
    state: StateDep,
    user: StaffPage,
) -> Response:
    account = await service.ban_player(session=session, boards=state.boards, account_id=player_id)
    await accounts.revoke_all(session=session, redis=state.redis, account_id=player_id)
    response = redirect(request, f"/staff/players/{player_id}")
    flash(request, response, {"notice": "staff.banned", "params": {"handle": account.handle}})
    return response


@router.get("/accounts")
async def accounts_form(request: Request, user: StaffPage) -> Response:
    return render(request, "staff/accounts.html", {"values": {}, "errors": {}})


@router.post("/accounts")
async def create_account(
    request: Request, form: CsrfForm, session: SessionDep, user: StaffPage
) -> Response:
    lang = pick_lang(request)
    errors: dict[str, str] = {}
    try:
        body = AccountIn(
            username=str(form.get("username") or "").strip(),
            password=str(form.get("password") or ""),
            role=str(form.get("role") or ""),
        )
    except ValidationError as exc:
        errors = field_errors(exc, lang, "account")
    else:
        try:
            await accounts.create_account(
                session=session, handle=body.username, password=body.password, role=body.role
            )
        except Conflict:
            errors = {"username": translate(lang, "signup.handle_taken")}
    if errors:
        return render(
            request,
            "staff/accounts.html",
            {"values": values(form, "password"), "errors": errors},
            status_code=FORM_ERROR,
        )
    response = redirect(request, "/staff/accounts")
    flash(request, response, {"notice": "staff.account_made", "params": {"name": body.username}})
    return response

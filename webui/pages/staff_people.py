"""The staff console's people: find players, see their attempts, ban; create staff accounts."""

from __future__ import annotations

from fastapi import Request
from pydantic import ValidationError
from starlette.responses import Response

from kit.bounds import Id
from quest.accounts import service as accounts
from quest.accounts import staff
from quest.accounts.schemas import AccountIn
from quest.core.deps import BoardsDep, RedisDep, SessionDep
from quest.core.errors import Conflict
from webui.csrf import CsrfForm
from webui.deps import ReadSession, StaffPage, page_router
from webui.flash import flash
from webui.forms import FORM_ERROR, field_errors, values
from webui.i18n import pick_lang, translate
from webui.templates import redirect, render

router = page_router(prefix="/staff")


@router.get("/players")
async def players(request: Request, session: ReadSession, user: StaffPage, q: str = "") -> Response:
    found = await staff.find_players(session=session, q=q.strip(), limit=100)
    return render(request, "staff/players.html", {"players": found, "q": q})


@router.get("/players/{player_id}")
async def player(
    request: Request, player_id: Id, session: ReadSession, user: StaffPage
) -> Response:
    record = await staff.player_record(session=session, player_id=player_id, limit=200)
    return render(
        request, "staff/player.html", {"player": record.player, "attempts": record.attempts}
    )


@router.post("/players/{player_id}/ban")
async def ban(
    request: Request,
    player_id: Id,
    form: CsrfForm,
    session: SessionDep,
    redis: RedisDep,
    boards: BoardsDep,
    user: StaffPage,
) -> Response:
    banned = await accounts.ban(session=session, redis=redis, boards=boards, account_id=player_id)
    response = redirect(request, f"/staff/players/{player_id}")
    flash(request, response, {"notice": "staff.banned", "params": {"handle": banned.handle}})
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
            await accounts.create_staff_account(session=session, account=body)
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

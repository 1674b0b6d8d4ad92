"""CSRF protection for page forms: a token signed with the app secret, tied to the session.

The browser holds a random `tq_csrf` cookie; a form's token is
HMAC(secret, cookie + session). A cross-site page can neither read the cookie nor forge
the HMAC, and a token stops working when the user logs in or out.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import FormData
from starlette.responses import Response

from quest.core.deps import SESSION_COOKIE
from quest.core.errors import DomainError

CSRF_COOKIE = "tq_csrf"
FIELD = "csrf_token"
HEADER = "x-csrf-token"


class CsrfRejected(DomainError):
    status = 403
    code = "csrf_failed"
    detail = "This form has expired. Go back, reload the page and try again."


def _seed(request: Request) -> str:
    seed = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "csrf_seed", None)
    if not seed:
        seed = secrets.token_urlsafe(18)
        request.state.csrf_seed = seed
    return str(seed)


def _session_of(request: Request) -> str:
    """The session the token is bound to (a just-issued one wins over the request's)."""
    raw = getattr(request.state, "new_session", None)
    if raw is None:
        raw = request.cookies.get(SESSION_COOKIE, "")
    return str(raw)


def token_for(request: Request) -> str:
    secret = request.app.state.settings.secret_key.encode()
    session_digest = hashlib.sha256(_session_of(request).encode()).hexdigest()
    message = f"{_seed(request)}|{session_digest}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def ensure_cookie(request: Request, response: Response) -> None:
    """Hand the browser its CSRF seed if it does not have one yet."""
    seed = getattr(request.state, "csrf_seed", None)
    if seed and CSRF_COOKIE not in request.cookies:
        response.set_cookie(
            CSRF_COOKIE,
            seed,
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
            path="/",
        )


def valid(request: Request, given: str | None) -> bool:
    if not given or CSRF_COOKIE not in request.cookies:
        return False
    return hmac.compare_digest(given, token_for(request))


async def checked_form(request: Request) -> FormData:
    """The posted form, once its CSRF token (field or `X-CSRF-Token` header) checks out.

    A handler that accepts files closes the form (`await form.close()`) when done."""
    form = await request.form()
    given = form.get(FIELD) or request.headers.get(HEADER)
    if not isinstance(given, str) or not valid(request, given):
        await form.close()
        raise CsrfRejected()
    return form


CsrfForm = Annotated[FormData, Depends(checked_form)]

"""CSRF protection for page forms (the token itself lives in `quest.core.csrf`, which the
cookie-authenticated JSON API checks too).

The browser holds a random `tq_csrf` cookie; a form's token is
HMAC(secret, cookie + session). A cross-site page can neither read the cookie nor forge
the HMAC, and a token stops working when the user logs in or out.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import FormData
from starlette.responses import Response

from quest.core import csrf as core
from quest.core.csrf import CSRF_COOKIE, FIELD, HEADER, token_for, valid

__all__ = ["CSRF_COOKIE", "FIELD", "HEADER", "CsrfForm", "CsrfRejected", "token_for", "valid"]


class CsrfRejected(core.CsrfRejected):
    detail = "This form has expired. Go back, reload the page and try again."


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

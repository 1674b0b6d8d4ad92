"""CSRF tokens and the same-origin rule, shared by page forms and the cookie-authenticated API.

The browser holds a random `tq_csrf` cookie; the token is HMAC(secret, cookie + session).
A cross-site page can neither read the cookie nor forge the HMAC, and a token stops working
when the user logs in or out. Page forms send it as a field; page scripts send it in the
`X-CSRF-Token` header (the pages carry it in `<meta name="csrf-token">`).

An unsafe API request authenticated by the session cookie alone must carry that header and
come from this site (`Origin`, `Sec-Fetch-Site`); bearer-token requests need neither, since
a browser never attaches an `Authorization` header on its own.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from starlette.requests import Request

from kit.errors import DomainError
from quest.core.origins import same_origin, site

SESSION_COOKIE = "tq_session"
CSRF_COOKIE = "tq_csrf"
FIELD = "csrf_token"
HEADER = "x-csrf-token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# `none`: typed in the address bar or a bookmark; `same-site` is refused on purpose, as
# sibling sub-domains are same-site and pass SameSite=Lax.
FETCH_SITES_OK = frozenset({"same-origin", "none"})


class CsrfRejected(DomainError):
    status = 403
    code = "csrf_failed"
    detail = (
        "A request signed in by the session cookie must come from this site and carry the "
        "page's token in the X-CSRF-Token header."
    )


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


def valid(request: Request, given: str | None) -> bool:
    if not given or CSRF_COOKIE not in request.cookies:
        return False
    return hmac.compare_digest(given, token_for(request))


def from_this_site(request: Request) -> bool:
    """`Sec-Fetch-Site` is same-origin (or none/absent) and `Origin` (if any) is ours."""
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None and fetch_site.lower() not in FETCH_SITES_OK:
        return False
    origin = request.headers.get("origin")
    if origin is None:  # not a browser's cross-origin request: the token still decides
        return True
    return same_origin(
        origin,
        public_origin=site(request.app.state.settings).origin,
        scheme=request.url.scheme,
        host=request.headers.get("host", ""),
    )


def check_cookie_request(request: Request) -> None:
    """Raise `CsrfRejected` unless an unsafe cookie-authenticated request is same-origin and
    carries the token in `X-CSRF-Token`."""
    if request.method not in UNSAFE_METHODS:
        return
    if not from_this_site(request) or not valid(request, request.headers.get(HEADER)):
        raise CsrfRejected()

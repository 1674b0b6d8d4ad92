"""The one Jinja2 environment (autoescaped) and the helpers page modules import.

    from webui.templates import render, redirect
    return render(request, "mine.html", {"things": things})

Every template gets `t(key, **params)` (and `_`, the same), `lang`, `langs`, `user`,
`csrf_token()`, `csrf_field()`, `path`, and the filters `when` (a datetime in a time
zone, formatted for the language) and `number`.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

import jinja2
from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.templating import Jinja2Templates

from quest.core.deps import SESSION_COOKIE
from webui import csrf, flash
from webui.i18n import LANGS, pick_lang, translate

TEMPLATES = Path(__file__).parent / "templates"
DEFAULT_TZ = "Asia/Hong_Kong"


def _page_context(request: Request) -> dict[str, Any]:
    lang = pick_lang(request)

    def t(key: str, **params: Any) -> str:
        return translate(lang, key, **params)

    def csrf_field() -> Markup:
        return Markup('<input type="hidden" name="{}" value="{}">').format(
            csrf.FIELD, csrf.token_for(request)
        )

    return {
        "t": t,
        "_": t,
        "lang": lang,
        "langs": LANGS,
        "user": getattr(request.state, "user", None),
        "csrf_token": lambda: csrf.token_for(request),
        "csrf_field": csrf_field,
        "path": request.url.path + (f"?{request.url.query}" if request.url.query else ""),
    }


@jinja2.pass_context
def when(context: Any, value: datetime | None, tz: str | None = None, style: str = "full") -> str:
    """A UTC datetime shown in the quest's time zone, in the page's language."""
    if value is None:
        return ""
    local = value.astimezone(ZoneInfo(tz or DEFAULT_TZ))
    zh = context.get("lang") == "zh-Hant"
    if style == "time":
        return local.strftime("%H:%M")
    if style == "date":
        return f"{local.year}年{local.month}月{local.day}日" if zh else local.strftime("%-d %b %Y")
    if zh:
        return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M} {local.tzname()}"
    return local.strftime("%-d %b %Y, %H:%M ") + (local.tzname() or "")


_CODE = re.compile(r"`([^`\n]+)`")
_BOLD = re.compile(r"\*\*([^*\n]+)\*\*")


def prompt(text: str | None) -> Markup:
    """A challenge prompt: escaped, with `code` and **bold** (the only markup content uses)."""
    html = str(escape(text or ""))
    html = _CODE.sub(r"<code>\1</code>", html)
    html = _BOLD.sub(r"<strong>\1</strong>", html)
    paragraphs = [p.strip() for p in html.split("\n\n") if p.strip()]
    return Markup("".join(f"<p>{p}</p>" for p in paragraphs))


def number(value: float | int | None, digits: int = 0) -> str:
    if value is None:
        return "–"
    return f"{value:,.{digits}f}"


def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.filters["when"] = when
    env.filters["number"] = number
    env.filters["prompt"] = prompt
    env.globals["quote"] = lambda s: quote(str(s), safe="")
    return env


templates = Jinja2Templates(env=_env(), context_processors=[_page_context])


def finish(request: Request, response: Response) -> Response:
    """Cookies every page response may need: the CSRF seed, a dropped dead session."""
    csrf.ensure_cookie(request, response)
    if getattr(request.state, "drop_session", False):
        response.delete_cookie(SESSION_COOKIE, path="/")
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> HTMLResponse:
    context = context or {}
    context.setdefault("flash", flash.take(request))
    response = templates.TemplateResponse(request, name, context, status_code=status_code)
    flash.clear(request, response)
    finish(request, response)
    return response


def redirect(request: Request, url: str) -> RedirectResponse:
    """303 See Other: the R of post/redirect/get."""
    response = RedirectResponse(url, status_code=303)
    finish(request, response)
    return response


def safe_next(url: str | None, default: str = "/") -> str:
    """Only same-site paths are followed after login or a language switch."""
    if not url or not url.startswith("/") or url.startswith("//") or "\\" in url:
        return default
    return url


def t(request: Request, key: str, **params: Any) -> str:
    return translate(pick_lang(request), key, **params)

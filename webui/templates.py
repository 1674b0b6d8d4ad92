"""The one Jinja2 environment (autoescaped) and the helpers page modules import.

    from webui.templates import render, redirect
    return render(request, "mine.html", {"things": things})

Every template gets `t(key, **params)` (and `_`, the same), `plurals(key)` (a message's plural
forms, for scripts), `lang`, `langs`, `user`, `csrf_token()`, `csrf_field()`, `path`, and the
filters `when` (a datetime in a time zone), `number`, `percent` and `duration`, all written
the CLDR way for the page's language (see `webui.formats`).
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.templating import Jinja2Templates

from quest.core.deps import SESSION_COOKIE
from webui import csrf, flash, formats
from webui.i18n import DEFAULT_LANG, LANGS, pick_lang, plural_forms, translate

TEMPLATES = Path(__file__).parent / "templates"


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
        "plurals": lambda key: plural_forms(lang, key),
        "lang": lang,
        "langs": LANGS,
        "user": getattr(request.state, "user", None),
        "csrf_token": lambda: csrf.token_for(request),
        "csrf_field": csrf_field,
        "path": request.url.path + (f"?{request.url.query}" if request.url.query else ""),
    }


def _lang(context: Any) -> str:
    lang = context.get("lang")
    return lang if isinstance(lang, str) else DEFAULT_LANG


@jinja2.pass_context
def when(context: Any, value: datetime | None, tz: str | None = None, style: str = "full") -> str:
    """A UTC datetime shown in the quest's time zone, in the page's language."""
    return formats.when(value, lang=_lang(context), tz=tz, style=style)


@jinja2.pass_context
def number(context: Any, value: float | None, digits: int = 0) -> str:
    return formats.number(value, lang=_lang(context), digits=digits)


@jinja2.pass_context
def percent(context: Any, ratio: float | None, digits: int = 0) -> str:
    return formats.percent(ratio, lang=_lang(context), digits=digits)


@jinja2.pass_context
def duration(context: Any, seconds: float | None) -> str:
    return formats.duration(seconds, lang=_lang(context))


_CODE = re.compile(r"`([^`\n]+)`")
_BOLD = re.compile(r"\*\*([^*\n]+)\*\*")


def prompt(text: str | None) -> Markup:
    """A challenge prompt: escaped, with `code` and **bold** (the only markup content uses)."""
    html = str(escape(text or ""))
    html = _CODE.sub(r"<code>\1</code>", html)
    html = _BOLD.sub(r"<strong>\1</strong>", html)
    paragraphs = [p.strip() for p in html.split("\n\n") if p.strip()]
    return Markup("".join(f"<p>{p}</p>" for p in paragraphs))


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
    env.filters["percent"] = percent
    env.filters["duration"] = duration
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

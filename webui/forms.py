"""Turning validation errors into messages next to each form field, in the page's language."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from starlette.datastructures import FormData

from webui.i18n import catalogue, translate

# A form re-rendered with its errors answers 200 (like Django): a 4xx document makes browsers
# log a console error, and the page itself tells the user what to fix.
FORM_ERROR = 200


def loc_path(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(p) for p in loc if not isinstance(p, int))


def field_errors(exc: ValidationError, lang: str, prefix: str) -> dict[str, str]:
    """{field: message}: the first error of each field, translated when we have a string.

    Looks up `<prefix>.<field>.<pydantic type>`, then `<prefix>.<field>`, and falls back
    to pydantic's own sentence.
    """
    known = catalogue("en")
    out: dict[str, str] = {}
    for error in exc.errors():
        path = loc_path(error.get("loc", ())) or "__all__"
        if path in out:
            continue
        for key in (f"{prefix}.{path}.{error.get('type')}", f"{prefix}.{path}"):
            if key in known:
                out[path] = translate(lang, key)
                break
        else:
            message = str(error.get("msg", ""))
            out[path] = message.removeprefix("Value error, ")
    return out


def values(form: FormData, *skip: str) -> dict[str, Any]:
    """The user's input to put back into a re-rendered form (lists for repeated fields)."""
    out: dict[str, Any] = {}
    for key in form:
        if key in skip or key == "csrf_token":
            continue
        items = [v for v in form.getlist(key) if isinstance(v, str)]
        out[key] = items if len(items) > 1 else (items[0] if items else "")
    return out

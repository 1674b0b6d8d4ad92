"""Translations: English and Traditional Chinese catalogues, language negotiation.

Catalogues are JSON files under `webui/locales/<lang>/*.json` (flat `"area.key": "text"`
maps); every file of a language is merged, so each page module can own its own file.
"""

from __future__ import annotations

import json
import logging
from functools import lru_cache
from pathlib import Path
from typing import Any

from starlette.requests import Request

LANGS: dict[str, str] = {"en": "English", "zh-Hant": "繁體中文"}
DEFAULT_LANG = "en"
LANG_COOKIE = "lang"
LOCALES = Path(__file__).parent / "locales"
log = logging.getLogger("talentquest.i18n")


@lru_cache(maxsize=len(LANGS))
def catalogue(lang: str) -> dict[str, str]:
    """Every string of one language (all of its JSON files merged)."""
    merged: dict[str, str] = {}
    for path in sorted((LOCALES / lang).glob("*.json")):
        merged.update(json.loads(path.read_text(encoding="utf-8")))
    return merged


def translate(lang: str, key: str, **params: Any) -> str:
    """The text for `key` in `lang`, falling back to English, then to the key itself."""
    text = catalogue(lang).get(key)
    if text is None:
        text = catalogue(DEFAULT_LANG).get(key)
        if text is None:
            log.warning("missing string %r", key)
            return key
    return text.format(**params) if params else text


def _normalise(tag: str) -> str | None:
    tag = tag.strip().lower()
    if not tag:
        return None
    if tag.startswith("zh"):
        return "zh-Hant"  # the only Chinese we ship; readers of Simplified manage Traditional
    if tag.startswith("en") or tag == "*":
        return "en"
    return None


def from_accept_language(header: str) -> str | None:
    """The best language we have for an `Accept-Language` header, by q-value."""
    choices: list[tuple[float, int, str]] = []
    for i, part in enumerate(header.split(",")):
        tag, _, params = part.partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        lang = _normalise(tag)
        if lang is not None and q > 0:
            choices.append((-q, i, lang))
    return min(choices)[2] if choices else None


def pick_lang(request: Request) -> str:
    """The `lang` cookie if set and known, else `Accept-Language`, else English."""
    cached: str | None = getattr(request.state, "lang", None)
    if cached is not None:
        return cached
    lang = request.cookies.get(LANG_COOKIE)
    if lang not in LANGS:
        lang = from_accept_language(request.headers.get("accept-language", "")) or DEFAULT_LANG
    request.state.lang = lang
    return lang


def t(request: Request, key: str, **params: Any) -> str:
    """Translate for the language of this request."""
    return translate(pick_lang(request), key, **params)

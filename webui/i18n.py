"""Translations: English and Traditional Chinese catalogues, language negotiation.

Catalogues are JSON files under `webui/locales/<lang>/*.json` (flat `"area.key": message`
maps); every file of a language is merged, so each page module can own its own file. A
message is a text, or for a count its CLDR plural forms keyed by category
(`{"one": "{n} job", "other": "{n} jobs"}`), chosen by the `n` parameter.
"""

from __future__ import annotations

import json
import logging
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel import Locale
from babel.numbers import format_decimal
from starlette.requests import Request

LANGS: dict[str, str] = {"en": "English", "zh-Hant": "繁體中文"}
DEFAULT_LANG = "en"
LANG_COOKIE = "lang"
LOCALE_DIR = Path(__file__).parent / "locales"
# The CLDR locale behind each language. Our readers are in Hong Kong: `en_HK` writes
# "1 Dec 2026, 5:30 pm HKT" (day first, as Hong Kong does) where `en` (US) would write
# "Dec 1, 2026, 5:30 PM"; `zh_Hant_HK` is Hong Kong's Traditional Chinese.
LOCALES: dict[str, Locale] = {"en": Locale.parse("en_HK"), "zh-Hant": Locale.parse("zh_Hant_HK")}
log = logging.getLogger("talentquest.i18n")

Message = str | dict[str, str]


def locale_of(lang: str) -> Locale:
    """The CLDR locale that formats dates, numbers and plurals for `lang`."""
    return LOCALES.get(lang, LOCALES[DEFAULT_LANG])


@lru_cache(maxsize=len(LANGS))
def catalogue(lang: str) -> dict[str, Message]:
    """Every message of one language (all of its JSON files merged)."""
    merged: dict[str, Message] = {}
    for path in sorted((LOCALE_DIR / lang).glob("*.json")):
        merged.update(json.loads(path.read_text(encoding="utf-8")))
    return merged


def _message(lang: str, key: str) -> Message | None:
    """`key` in `lang`, falling back to English."""
    message = catalogue(lang).get(key)
    if message is None:
        message = catalogue(DEFAULT_LANG).get(key)
    return message


def plural_category(lang: str, n: object) -> str:
    """The CLDR plural category of `n` in `lang`; `other` for anything but a number."""
    if isinstance(n, bool) or not isinstance(n, int | float | Decimal):
        return "other"
    return str(locale_of(lang).plural_form(n))


def plural_forms(lang: str, key: str) -> dict[str, str]:
    """Every plural form of a message, placeholders kept (for scripts that count themselves)."""
    message = _message(lang, key)
    if message is None:
        return {"other": key}
    return message if isinstance(message, dict) else {"other": message}


def _shown(value: Any, locale: Locale) -> Any:
    """Numbers as the locale writes them (grouping, decimal sign); anything else as is."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return value
    return format_decimal(value, locale=locale)


def translate(lang: str, key: str, **params: Any) -> str:
    """The text for `key` in `lang`, falling back to English, then to the key itself.

    Numeric parameters are written the locale's way; a plural message takes the form `n` needs.
    """
    message = _message(lang, key)
    if message is None:
        log.warning("missing string %r", key)
        return key
    if isinstance(message, dict):
        message = message.get(plural_category(lang, params.get("n")), message["other"])
    if not params:
        return message
    locale = locale_of(lang)
    return message.format(**{name: _shown(value, locale) for name, value in params.items()})


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

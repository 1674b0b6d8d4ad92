"""Dates, times, numbers and durations written the CLDR way for a page's language (Babel).

Plain functions of a language code (`en`, `zh-Hant`); `webui.templates` makes them filters.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import (
    format_date,
    format_datetime,
    format_time,
    format_timedelta,
    get_datetime_format,
)
from babel.numbers import format_decimal, format_percent

from kit.time import as_utc
from webui.i18n import locale_of

DEFAULT_TZ = "Asia/Hong_Kong"
# CLDR has a short name for Hong Kong time in English ("HKT") but not in Chinese, where the
# short form falls back to a bare "+0800": Chinese pages name the zone in full (香港標準時間).
ZONE_PATTERN = {"en": "z", "zh-Hant": "zzzz"}


def when(value: datetime | None, *, lang: str, tz: str | None = None, style: str = "full") -> str:
    """A UTC datetime in the quest's time zone: `full` (date, time, zone), `date` or `time`."""
    if value is None:
        return ""
    locale = locale_of(lang)
    local = as_utc(value).astimezone(ZoneInfo(tz or DEFAULT_TZ))
    if style == "time":
        return format_time(local, "short", locale=locale)
    day = format_date(local, "medium", locale=locale)
    if style == "date":
        return day
    both = get_datetime_format("medium", locale=locale)
    shown = str(both).replace("{1}", day).replace("{0}", format_time(local, "short", locale=locale))
    zone = format_datetime(local, ZONE_PATTERN.get(lang, "z"), locale=locale)
    return f"{shown} {zone}"


def _fixed(digits: int) -> str:
    """A number pattern with exactly `digits` decimals (the locale supplies the symbols)."""
    return "#,##0" + ("." + "0" * digits if digits > 0 else "")


def number(value: float | None, *, lang: str, digits: int = 0) -> str:
    """A number with grouping and `digits` decimals; an en dash for none."""
    if value is None:
        return "–"
    return format_decimal(value, format=_fixed(digits), locale=locale_of(lang))


def percent(ratio: float | None, *, lang: str, digits: int = 0) -> str:
    """A ratio (0.25) as a percentage ("25%"); an en dash for none."""
    if ratio is None:
        return "–"
    return format_percent(ratio, format=_fixed(digits) + "%", locale=locale_of(lang))


def duration(seconds: float | None, *, lang: str) -> str:
    """A length of time in its natural unit: seconds up to 90, minutes up to 90, then hours."""
    if seconds is None:
        return "–"
    span = timedelta(seconds=seconds)
    return format_timedelta(span, threshold=1.5, format="short", locale=locale_of(lang))

"""Every string exists in both languages with the plural forms CLDR asks for, every literal
key a template uses exists, and dates and numbers are written the Hong Kong way."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from webui import formats
from webui.i18n import (
    LANGS,
    Message,
    catalogue,
    from_accept_language,
    locale_of,
    plural_forms,
    translate,
)

TEMPLATES = Path(__file__).resolve().parents[2] / "webui" / "templates"
KEY = re.compile(r"""\b(?:t|plurals)\(\s*["']([a-z0-9_.-]+)["']\s*[,)]""")
FIELD = re.compile(r"\{(\w+)\}")


def texts(message: Message) -> list[str]:
    return list(message.values()) if isinstance(message, dict) else [message]


def test_both_languages_have_the_same_keys() -> None:
    en, zh = set(catalogue("en")), set(catalogue("zh-Hant"))
    assert en - zh == set(), "missing in zh-Hant"
    assert zh - en == set(), "missing in en"
    assert all(text.strip() for k in zh for text in texts(catalogue("zh-Hant")[k]))


def test_templates_use_only_known_keys() -> None:
    known = set(catalogue("en"))
    used = {k for path in TEMPLATES.rglob("*.html") for k in KEY.findall(path.read_text())}
    assert used, "no keys found"
    assert used - known == set()


def test_placeholders_match() -> None:
    for key, message in catalogue("en").items():
        fields = {frozenset(FIELD.findall(text)) for text in texts(message)}
        fields |= {frozenset(FIELD.findall(text)) for text in texts(catalogue("zh-Hant")[key])}
        assert len(fields) == 1, key


def test_plural_messages_have_the_forms_of_each_language() -> None:
    """A count's message is plural in both languages, with exactly the CLDR categories."""
    plural = {
        lang: {k for k, m in catalogue(lang).items() if isinstance(m, dict)} for lang in LANGS
    }
    assert plural["en"], "no plural messages"
    assert plural["en"] == plural["zh-Hant"]
    for lang in LANGS:
        categories = set(locale_of(lang).plural_form.tags) | {"other"}
        for key in plural[lang]:
            message = catalogue(lang)[key]
            assert isinstance(message, dict)
            assert set(message) == categories, (lang, key)
            assert all("{n}" in text for text in message.values()), (lang, key)
    assert set(plural_forms("en", "jobs.results")) == {"one", "other"}
    assert set(plural_forms("zh-Hant", "jobs.results")) == {"other"}
    assert plural_forms("en", "nav.login") == {"other": "Log in"}


def test_plurals_and_numbers_in_messages() -> None:
    assert translate("en", "jobs.results", n=1) == "1 job"
    assert translate("en", "jobs.results", n=0) == "0 jobs"
    assert translate("en", "jobs.results", n=2600) == "2,600 jobs"
    assert translate("en", "play.attempts_left", n=1) == "1 attempt left."
    assert translate("zh-Hant", "jobs.results", n=1) == "1 個職位"
    assert translate("zh-Hant", "recruiters.results", n=1200) == "1,200 位求職者"
    # A placeholder kept for a script: no number, so the general form.
    assert translate("en", "play.earned", n="{n}") == "You earned {n} points."
    shown = translate("en", "play.new_rank", rank=1, score=1330)
    assert shown == "You are now #1 with 1,330 points."


def test_dates_in_the_quests_time_zone() -> None:
    at = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)  # 17:30 in Hong Kong
    # CLDR puts a narrow no-break space (U+202F) between the time and "am"/"pm".
    assert formats.when(at, lang="en") == "1 Dec 2026, 5:30\u202fpm HKT"
    assert formats.when(at, lang="en", style="date") == "1 Dec 2026"
    assert formats.when(at, lang="en", style="time") == "5:30\u202fpm"
    assert formats.when(at, lang="zh-Hant") == "2026年12月1日 下午5:30 香港標準時間"
    assert formats.when(at, lang="zh-Hant", style="date") == "2026年12月1日"
    assert formats.when(at, lang="en", tz="Europe/London", style="time") == "9:30\u202fam"
    assert formats.when(at.replace(tzinfo=None), lang="en", style="time") == "5:30\u202fpm"
    assert formats.when(None, lang="en") == ""


def test_numbers_percentages_and_durations() -> None:
    assert formats.number(2600, lang="en") == "2,600"
    assert formats.number(87.25, lang="zh-Hant", digits=1) == "87.2"
    assert formats.number(50, lang="en", digits=1) == "50.0"
    assert formats.number(None, lang="en") == "–"
    assert formats.percent(0.125, lang="en", digits=1) == "12.5%"
    assert formats.percent(0.5, lang="zh-Hant") == "50%"
    assert formats.duration(45, lang="en") == "45 secs"
    assert formats.duration(600, lang="en") == "10 mins"
    assert formats.duration(7200, lang="zh-Hant") == "2 小時"
    assert formats.duration(None, lang="en") == "–"


def test_negotiation() -> None:
    assert from_accept_language("zh-TW,zh;q=0.9") == "zh-Hant"
    assert from_accept_language("fr-FR, en;q=0.5, zh;q=0.8") == "zh-Hant"
    assert from_accept_language("fr") is None
    assert translate("zh-Hant", "nav.login") == "登入"
    assert translate("zh-Hant", "no.such.key") == "no.such.key"
    assert set(LANGS) == {"en", "zh-Hant"}

"""Every string exists in both languages, and every literal key a template uses exists."""

from __future__ import annotations

import re
from pathlib import Path

from webui.i18n import LANGS, catalogue, from_accept_language, translate

TEMPLATES = Path(__file__).resolve().parents[2] / "webui" / "templates"
KEY = re.compile(r"""\bt\(\s*["']([a-z0-9_.-]+)["']\s*[,)]""")


def test_both_languages_have_the_same_keys() -> None:
    en, zh = set(catalogue("en")), set(catalogue("zh-Hant"))
    assert en - zh == set(), "missing in zh-Hant"
    assert zh - en == set(), "missing in en"
    assert all(catalogue("zh-Hant")[k].strip() for k in zh)


def test_templates_use_only_known_keys() -> None:
    known = set(catalogue("en"))
    used = {k for path in TEMPLATES.rglob("*.html") for k in KEY.findall(path.read_text())}
    assert used, "no keys found"
    assert used - known == set()


def test_placeholders_match() -> None:
    field = re.compile(r"\{(\w+)\}")
    for key, text in catalogue("en").items():
        assert set(field.findall(text)) == set(field.findall(catalogue("zh-Hant")[key])), key


def test_negotiation() -> None:
    assert from_accept_language("zh-TW,zh;q=0.9") == "zh-Hant"
    assert from_accept_language("fr-FR, en;q=0.5, zh;q=0.8") == "zh-Hant"
    assert from_accept_language("fr") is None
    assert translate("zh-Hant", "nav.login") == "登入"
    assert translate("zh-Hant", "no.such.key") == "no.such.key"
    assert set(LANGS) == {"en", "zh-Hant"}

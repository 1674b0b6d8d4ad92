"""Every Redis key is built in leaderboard/keys.py (with a docstring), used, and documented."""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterator
from pathlib import Path

import leaderboard.keys as keys
from tests.support.app import ROOT

DOC = ROOT / "docs" / "leaderboards.md"
if not DOC.exists():
    DOC = ROOT / "README.md"
SOURCE_DIRS = ("kit", "quest", "challenges", "leaderboard", "jobs", "webui", "bench", "tests")
SOURCE_SUFFIXES = {".py", ".lua", ".js", ".html"}
KEYS_PY = Path(keys.__file__).resolve()
KEY_LITERAL = re.compile(r"""["'`]tq:""")


def key_functions() -> dict[str, object]:
    return {
        name: fn
        for name, fn in inspect.getmembers(keys, inspect.isfunction)
        if fn.__module__ == keys.__name__
    }


def sources() -> Iterator[Path]:
    for top in SOURCE_DIRS:
        for path in sorted((ROOT / top).rglob("*")):
            if path.suffix in SOURCE_SUFFIXES and path.is_file():
                yield path


def documented_keys() -> set[str]:
    """The `keys.` function names in the second column of the doc's Redis key table."""
    text = DOC.read_text()
    section = text.split("## Redis keys", 1)[1].split("\n## ", 1)[0]
    names = set()
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and len(cells) >= 2 and re.fullmatch(r"`\w+`", cells[1]):
            names.add(cells[1].strip("`"))
    return names


def test_every_key_function_has_a_docstring() -> None:
    for name, fn in key_functions().items():
        assert (inspect.getdoc(fn) or "").strip(), f"keys.{name} has no docstring"


def test_every_key_function_is_used() -> None:
    text = "\n".join(p.read_text() for p in sources() if p.suffix == ".py")
    for name in key_functions():
        calls = re.findall(rf"(?:(?<![\w.])|\bkeys\.){name}\(", text)
        defs = re.findall(rf"\bdef {name}\(", text)
        assert len(calls) > len(defs), f"keys.{name} is never used"


def test_no_key_literal_outside_keys_py() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in sources()
        if path.resolve() != KEYS_PY
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if KEY_LITERAL.search(line)
    ]
    assert not found, f"Redis keys built outside leaderboard/keys.py: {found}"


def test_the_docs_key_table_lists_exactly_the_keys() -> None:
    declared = set(key_functions()) - {"tag"}  # the hash tag is part of keys, not a key
    documented = documented_keys()
    assert declared - documented == set(), f"keys missing from the table in {DOC.name}"
    assert documented - declared == set(), f"{DOC.name} lists keys that keys.py lacks"

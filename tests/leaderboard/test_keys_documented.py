"""Every Redis key is declared in leaderboard/keys.py with a docstring and listed in the README."""

from __future__ import annotations

import inspect

import leaderboard.keys as keys
from tests.support.app import ROOT


def test_every_redis_key_is_documented() -> None:
    readme = (ROOT / "docs" / "leaderboards.md").read_text()
    for name, fn in inspect.getmembers(keys, inspect.isfunction):
        if fn.__module__ != keys.__name__ or name == "tag":
            continue
        assert (fn.__doc__ or "").strip(), f"keys.{name} has no docstring"
        assert f"`{name}`" in readme, f"keys.{name} is not in the README's Redis key table"

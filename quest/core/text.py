"""Text PostgreSQL cannot hold: the NUL character (U+0000).

PostgreSQL refuses NUL in every text value, even as a query parameter (`WHERE slug = $1`),
with a driver error; SQLite stores it. Refused here instead, the same on both databases:
every statement SQLAlchemy sends is checked (`refuse_nul` on each engine), so a NUL typed
into a path, a query, a form or a JSON body is a 422 `nul_character` (a page shows its
error page) rather than a 500. The attempt writer sends raw DB-API statements and never
passes through that check: `quest.play.service.check_answer` refuses NUL in an answer
before it is queued, so one bad answer cannot fail a batch of other players' attempts.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.ext.asyncio import AsyncEngine

from quest.core.errors import Invalid


class NulCharacter(Invalid):
    code = "nul_character"
    detail = "Text may not contain the NUL character (U+0000)."


def has_nul(value: Any) -> bool:
    """Whether a string anywhere in `value` (lists, tuples, dict values) holds U+0000."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, Mapping):
        return any(has_nul(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(has_nul(v) for v in value)
    return False


def refuse_nul(engine: AsyncEngine | Engine) -> None:
    """Check the parameters of every statement the engine sends (bytes are left alone)."""
    sync = engine.sync_engine if isinstance(engine, AsyncEngine) else engine

    @event.listens_for(sync, "before_cursor_execute")
    def _check(
        _conn: Any, _cursor: Any, _statement: str, parameters: Any, _context: Any, _many: bool
    ) -> None:
        if has_nul(parameters):
            raise NulCharacter()

"""Errors of playing that carry more than a status and a code."""

from __future__ import annotations

from typing import TYPE_CHECKING

from quest.core.errors import DomainError, Invalid

if TYPE_CHECKING:
    from quest.play.booths import Booth


class InvalidBoothCode(Invalid):
    code = "invalid_code"
    detail = "That booth code is not valid: it may have expired. Scan the screen again."


class BoothRequired(Invalid):
    code = "booth_required"
    detail = (
        "Say which booth: send `booth` (its number or name), or the code as the booth's "
        "screen shows it, number first (e.g. 12-482913)."
    )


class BoothMismatch(Invalid):
    code = "booth_mismatch"
    detail = "The code carries another booth's number than the booth named."


class UnknownBooth(Invalid):
    code = "unknown_booth"
    detail = "No booth has that number or name."


class AmbiguousBooth(Invalid):
    code = "booth_ambiguous"
    detail = "Several open quests have a booth of that name: name it by its number."


class BoothRefused(DomainError):
    """A code matched a booth but its attempt was refused; renders exactly as the refusal.

    It carries the booth so a page can send the player to it.
    """

    def __init__(self, booth: Booth, refusal: DomainError) -> None:
        super().__init__(
            refusal.detail,
            code=refusal.code_,
            status=refusal.status_,
            headers=refusal.headers,
            errors=refusal.errors,
        )
        self.booth = booth
        self.refusal = refusal

"""Errors of playing a challenge; the base classes live in `kit.errors`."""

from __future__ import annotations

from kit.errors import DomainError


class AlreadySolved(DomainError):
    status = 409
    code = "already_solved"
    detail = "You have already solved this challenge."


class Locked(DomainError):
    status = 403
    code = "locked"
    detail = "This challenge is locked: solve its prerequisites first."


class QuestClosed(DomainError):
    status = 403
    code = "quest_closed"
    detail = "This quest or challenge is not open right now."


class AttemptsExhausted(DomainError):
    status = 429
    code = "attempts_exhausted"
    detail = "You have no attempts left for this challenge."

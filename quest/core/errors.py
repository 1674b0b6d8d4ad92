"""The service's domain errors: the base classes from `kit.errors`, the game's own from
`challenges.errors`; one handler (in `quest.app`) renders them all."""

from challenges.errors import AlreadySolved, AttemptsExhausted, Locked, QuestClosed
from kit.errors import (
    Conflict,
    DomainError,
    Forbidden,
    Invalid,
    NotFound,
    RateLimited,
    Unauthenticated,
    Unavailable,
)

__all__ = [
    "AlreadySolved",
    "AttemptsExhausted",
    "Conflict",
    "DomainError",
    "Forbidden",
    "Invalid",
    "Locked",
    "NotFound",
    "QuestClosed",
    "RateLimited",
    "Unauthenticated",
    "Unavailable",
]

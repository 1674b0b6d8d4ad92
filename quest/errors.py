"""The service's domain errors (the base hierarchy lives with the challenges it guards)."""

from challenges.errors import (
    AlreadySolved,
    AttemptsExhausted,
    Conflict,
    DomainError,
    Forbidden,
    Invalid,
    Locked,
    NotFound,
    QuestClosed,
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

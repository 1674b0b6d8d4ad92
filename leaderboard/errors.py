"""Errors of the leaderboard layer; the game maps them to HTTP."""


class UnknownScope(ValueError):
    """A scope that is malformed or names a track the quest does not have."""


class BoardsUnavailable(RuntimeError):
    """Redis could not be reached; SQL still holds every solve."""

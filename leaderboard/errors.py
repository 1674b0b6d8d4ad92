"""Errors of the leaderboard layer; the game maps them to HTTP."""


class UnknownScope(ValueError):
    """A scope that is malformed or names a track the quest does not have."""

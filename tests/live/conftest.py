"""Fixtures of the live tests (helpers in live_helpers.py)."""

from live_helpers import expo

__all__ = ["expo"]

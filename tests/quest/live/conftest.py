"""Fixtures of the live tests (helpers in live_helpers.py)."""

from tests.support.live import expo

__all__ = ["expo"]

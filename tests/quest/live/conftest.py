"""Fixtures of the live tests (the helpers are in tests/support/live.py)."""

from tests.support.live import expo

__all__ = ["expo"]

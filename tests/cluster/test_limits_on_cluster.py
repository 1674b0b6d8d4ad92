"""The wrong-answer limit on a Redis Cluster: 40 concurrent wrong answers, exactly 10 counted.

The test and its settings (limit 10 per 60 s) are those of tests/quest/play/test_limits.py.
"""

from __future__ import annotations

from tests.quest.play.test_limits import (
    settings,
    test_concurrent_wrong_answers_are_counted_before_judging,
    test_wrong_booth_codes_are_limited_per_player,
)

__all__ = [
    "settings",
    "test_concurrent_wrong_answers_are_counted_before_judging",
    "test_wrong_booth_codes_are_limited_per_player",
]

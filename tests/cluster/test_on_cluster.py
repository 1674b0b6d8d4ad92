"""Board, live and rate-limit tests of the single-Redis suite, re-run on a Redis Cluster.

The tests are the same functions (imported): only the fixtures differ (tests/cluster/
conftest.py puts the app on the cluster with TQ_REDIS_CLUSTER=true).
"""

from __future__ import annotations

from tests.quest.boards.test_leaderboard import (
    test_me_with_neighbours_and_percentile,
    test_rebuild_equals_live_boards,
    test_scopes,
    test_ties_rank_by_time_and_competition_rank,
)
from tests.quest.live.test_ws import (
    test_announcements_reach_viewers_and_late_joiners,
    test_first_snapshot_then_update_on_solve,
)
from tests.quest.play.test_attempts import test_hundred_concurrent_correct_award_once

__all__ = [
    "test_announcements_reach_viewers_and_late_joiners",
    "test_first_snapshot_then_update_on_solve",
    "test_hundred_concurrent_correct_award_once",
    "test_me_with_neighbours_and_percentile",
    "test_rebuild_equals_live_boards",
    "test_scopes",
    "test_ties_rank_by_time_and_competition_rank",
]

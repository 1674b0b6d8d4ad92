"""Redis leaderboards: the Lua write path, ranking, time windows and live fan-out."""

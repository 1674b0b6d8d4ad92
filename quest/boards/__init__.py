"""Leaderboards over HTTP: reads, the rebuild from SQL, and archives of closed windows."""

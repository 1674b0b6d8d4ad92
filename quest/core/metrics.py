"""Prometheus metrics, one registry per app so several apps can live in one process."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.attempts = Counter(
            "tq_attempts", "Answer attempts by result", ["result"], registry=self.registry
        )
        self.solves = Counter("tq_solves", "Awarded solves", registry=self.registry)
        self.board_updates = Counter(
            "tq_board_updates", "Solves applied to Redis boards", ["result"], registry=self.registry
        )
        self.latency = Histogram(
            "tq_http_request_duration_seconds",
            "HTTP request latency by route",
            ["method", "route", "status"],
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
            registry=self.registry,
        )
        self.rebuilds = Counter(
            "tq_board_rebuilds", "Boards rebuilt from SQL", ["reason"], registry=self.registry
        )
        self.ws_viewers = Gauge(
            "tq_ws_viewers", "Connected leaderboard viewers", registry=self.registry
        )
        self.handoffs = Counter(
            "tq_handoff_deliveries",
            "Handoff delivery attempts by outcome",
            ["outcome"],
            registry=self.registry,
        )

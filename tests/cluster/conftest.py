"""The cluster tests: the app against a real Redis Cluster (3 masters + 3 replicas).

One cluster for the session (tests/support/cluster.py), flushed before each test; the
`settings`, `server_env` and `redis_url` fixtures of tests/conftest.py are overridden so the
usual `app`, `client`, `quest`, `live_server` and `expo` fixtures run on the cluster with
`TQ_REDIS_CLUSTER=true`. The failover test makes (and kills a master of) its own cluster.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from quest.core.settings import Settings
from tests.support.cluster import Cluster, redis_cluster
from tests.support.live import expo

__all__ = ["expo"]


@pytest.fixture(scope="session")
def cluster() -> Iterator[Cluster]:
    with redis_cluster() as running:
        yield running


@pytest.fixture(scope="session")
def redis_url(cluster: Cluster) -> str:
    return cluster.url


@pytest.fixture
def settings(database_url: str, cluster: Cluster, tmp_path: Path) -> Settings:
    cluster.flush()
    return Settings(
        environment="test",
        database_url=database_url,
        redis_url=cluster.url,
        redis_cluster=True,
        data_dir=tmp_path,
        secret_key="test-secret-key-test-secret-key-0123456789",
        reconcile_interval_s=0.5,
        wrong_answer_limit=5,
        wrong_answer_window_s=30,
        public_url="http://test",
    )


@pytest.fixture
def server_env(settings: Settings, server_env: dict[str, str]) -> dict[str, str]:
    return {**server_env, "TQ_REDIS_CLUSTER": "true"}

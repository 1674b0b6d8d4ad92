"""One settings object for the whole service, read from `TQ_*` environment variables."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from quest.core.secrets import (
    HANDOFF_SECRET,
    MIN_SECRET_KEY_CHARS,
    SECRET_KEY,
    handoff_secret_problem,
    load_or_create_secret,
    new_handoff_secret,
    new_secret_key,
)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TQ_", env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    database_url: str | None = None
    redis_url: str | None = None
    secret_key: str | None = Field(
        default=None,
        max_length=4096,
        description="signs CSRF tokens and flash cookies; unset = generated in TQ_DATA_DIR",
    )
    host: str = "127.0.0.1"
    port: int = 8000
    data_dir: Path = Path("./var")
    handoff_url: str | None = None
    handoff_secret: str | None = Field(
        default=None,
        max_length=1024,
        description="whsec_ secret of the handoff webhooks; unset = generated in TQ_DATA_DIR",
    )

    max_body_bytes: int = 1_000_000
    token_ttl_s: int = 30 * 24 * 3600
    wrong_answer_limit: int = Field(default=10, description="wrong answers per window")
    wrong_answer_window_s: int = 60
    reconcile_interval_s: float = 5.0
    run_scheduler: bool = True
    purge_after_days: int = Field(
        default=90, ge=1, description="days after a quest closes to purge unconverted players"
    )
    log_level: str = "info"

    # --- abuse limits ---
    wrong_code_limit: int = Field(
        default=10, ge=1, le=10_000, description="wrong booth codes per player per window"
    )
    wrong_code_window_s: int = Field(
        default=600, ge=1, le=86_400, description="the window of wrong_code_limit, in seconds"
    )
    login_account_free_failures: int = Field(
        default=5,
        ge=1,
        le=1_000,
        description="failed log-ins to one username before backoff waits begin",
    )
    login_address_free_failures: int = Field(
        default=100,
        ge=1,
        le=100_000,
        description="failed log-ins from one address before backoff waits begin (a venue NAT)",
    )
    login_backoff_base_s: float = Field(
        default=2.0, ge=0.1, le=3600, description="first backoff wait; doubles per failure"
    )
    login_account_backoff_max_s: int = Field(
        default=900, ge=1, le=86_400, description="longest wait for one username, in seconds"
    )
    login_address_backoff_max_s: int = Field(
        default=300, ge=1, le=86_400, description="longest wait for one address, in seconds"
    )
    login_failure_memory_s: int = Field(
        default=3600,
        ge=60,
        le=7 * 86_400,
        description="failed log-ins are forgotten this long after the last one",
    )
    signup_address_limit: int = Field(
        default=300,
        ge=1,
        le=1_000_000,
        description="sign-ups from one address per window (hundreds of phones share a venue NAT)",
    )
    signup_address_window_s: int = Field(
        default=300, ge=1, le=86_400, description="the window of signup_address_limit, in seconds"
    )

    # --- web hardening: CSRF, headers, public URL, hosts, metrics ---
    public_url: str | None = Field(
        default=None,
        max_length=2048,
        description="the base URL people use (QR codes, absolute links); unset = http://HOST:PORT",
    )
    trusted_hosts: str = Field(
        default="",
        max_length=4096,
        description="comma-separated Host names answered (`*.example.org` ok, `*` = any); "
        "empty = the public URL's host, localhost, 127.0.0.1, ::1 and TQ_HOST",
    )
    frame_ancestors: str = Field(
        default="'self'",
        max_length=2048,
        description="CSP frame-ancestors of the big-screen board, the one page meant to be "
        "embedded (every other page: 'none')",
    )
    hsts_max_age_s: int = Field(
        default=31_536_000,
        ge=0,
        le=63_072_000,
        description="Strict-Transport-Security max-age, sent only when TQ_PUBLIC_URL is https",
    )
    metrics_token: str | None = Field(
        default=None,
        min_length=16,
        max_length=512,
        description="bearer token /metrics requires; unset = loopback clients only",
    )

    # --- websockets ---
    ws_max_message_bytes: int = Field(
        default=4096,
        ge=125,
        le=1_048_576,
        description="largest websocket message a viewer may send; bigger frames are refused "
        "(close 1009) by the protocol before they are buffered (uvicorn ws_max_size)",
    )
    ws_max_connections: int = Field(
        default=5000,
        ge=1,
        le=100_000,
        description="websocket viewers one process serves; one more is closed with 1013",
    )
    ws_max_messages: int = Field(
        default=20,
        ge=1,
        le=10_000,
        description="messages a viewer may send per ws_message_window_s; more closes it (1008)",
    )
    ws_message_window_s: float = Field(
        default=10.0, gt=0, le=3600, description="the window of ws_max_messages, in seconds"
    )
    ws_ping_interval_s: float = Field(
        default=20.0,
        gt=0,
        le=600,
        description="seconds between the server's websocket pings (dead transports found)",
    )
    ws_ping_timeout_s: float = Field(
        default=20.0,
        gt=0,
        le=600,
        description="seconds to wait for a pong before dropping the connection",
    )

    # --- database ---
    database_read_url: str | None = Field(
        default=None,
        max_length=4096,
        description="a read replica for the reads that tolerate lag (pages, listings, searches); "
        "unset = the database itself. Board rebuilds, removal sweeps and archives always read "
        "the writer",
    )
    auto_migrate: bool = Field(
        default=False,
        description="apply pending migrations at start-up on PostgreSQL (SQLite always does); "
        "unset = refuse to serve a database behind the code's revision",
    )
    database_pool_size: int = Field(
        default=20, ge=1, le=1000, description="connections each process keeps to PostgreSQL"
    )
    database_max_overflow: int = Field(
        default=20, ge=0, le=1000, description="extra connections opened in a burst, then closed"
    )
    database_pool_timeout_s: float = Field(
        default=30.0, gt=0, le=600, description="wait for a free connection before failing"
    )
    database_statement_timeout_s: float = Field(
        default=30.0,
        ge=0,
        le=86_400,
        description="PostgreSQL statement_timeout of serving connections (0 = none; migrations "
        "run without one)",
    )

    # --- redis cluster ---
    redis_cluster: bool = Field(
        default=False,
        description="TQ_REDIS_URL names a node of a Redis Cluster (redis-py's cluster client)",
    )
    redis_socket_timeout_s: float = Field(
        default=2.0,
        gt=0,
        le=60,
        description="cluster: seconds a command waits for its reply before the node counts as "
        "down (a request during a failover answers 503, not hangs)",
    )
    redis_connect_timeout_s: float = Field(
        default=1.0, gt=0, le=60, description="cluster: seconds to connect to a node"
    )
    redis_cluster_retries: int = Field(
        default=3,
        ge=0,
        le=20,
        description="cluster: retries of a command after a connection error or a redirect "
        "(exponential backoff, 0.1 s to 0.5 s) before the request answers 503",
    )

    # --- rehearsal ---
    demo_simulation: bool | None = Field(
        default=None,
        description="a small simulated crowd plays the demo quest while serving, once "
        "`talentquest demo` loaded it; unset = on in development, off in test and production",
    )
    demo_simulation_players: int = Field(
        default=36, ge=1, le=500, description="players of the demo's simulated crowd"
    )
    demo_simulation_speed: float = Field(
        default=1.0,
        gt=0,
        le=1000,
        description="how much faster than real time the demo's crowd plays (tests: 20 or more)",
    )

    @field_validator("secret_key", "handoff_secret", "database_read_url", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if value == "" else value

    @model_validator(mode="after")
    def _refuse_unsafe_secret(self) -> Settings:
        """A weak secret is refused; an unset one is generated (`quest.core.secrets`)."""
        short = self.secret_key is not None and len(self.secret_key) < MIN_SECRET_KEY_CHARS
        if short and self.environment != "test":
            raise ValueError(
                f"TQ_SECRET_KEY must be {MIN_SECRET_KEY_CHARS}+ random characters "
                "(or unset: one is generated and kept in TQ_DATA_DIR)"
            )
        if self.handoff_secret is not None:
            problem = handoff_secret_problem(self.handoff_secret)
            if problem:
                raise ValueError(
                    f"TQ_HANDOFF_SECRET {problem} (or unset: one is generated in TQ_DATA_DIR)"
                )
        return self

    @property
    def demo_simulation_on(self) -> bool:
        """TQ_DEMO_SIMULATION, or on in development when unset."""
        if self.demo_simulation is None:
            return self.environment == "development"
        return self.demo_simulation

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return _async_url(self.database_url)
        return f"sqlite+aiosqlite:///{(self.data_dir / 'talentquest.db').resolve()}"

    @property
    def resolved_database_read_url(self) -> str | None:
        """TQ_DATABASE_READ_URL with its asyncio driver, or None (reads go to the database)."""
        return _async_url(self.database_read_url) if self.database_read_url else None

    @property
    def resolved_secret_key(self) -> str:
        """TQ_SECRET_KEY, or the one generated and kept in the data directory."""
        if self.secret_key:
            return self.secret_key
        return load_or_create_secret(self.data_dir, SECRET_KEY, new_secret_key)

    @property
    def resolved_handoff_secret(self) -> str:
        """TQ_HANDOFF_SECRET, or the one generated and kept in the data directory."""
        if self.handoff_secret:
            return self.handoff_secret
        return load_or_create_secret(self.data_dir, HANDOFF_SECRET, new_handoff_secret)


def _async_url(url: str) -> str:
    """Map plain SQLAlchemy URLs to their asyncio drivers."""
    for plain, driver in (
        ("postgresql://", "postgresql+asyncpg://"),
        ("postgres://", "postgresql+asyncpg://"),
        ("postgresql+psycopg2://", "postgresql+asyncpg://"),
        ("sqlite://", "sqlite+aiosqlite://"),
    ):
        if url.startswith(plain):
            return driver + url[len(plain) :]
    return url


class SettingsError(ValueError):
    """Unusable `TQ_*` settings, said in one line (the CLI prints it and exits non-zero)."""


@lru_cache
def get_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        raise SettingsError(_one_line(exc)) from None


def _one_line(exc: ValidationError) -> str:
    """Each problem as `TQ_NAME: reason`, without pydantic's multi-line layout or the value."""
    parts = []
    for error in exc.errors(include_input=False, include_url=False):
        name = "TQ_" + "_".join(str(p) for p in error["loc"]).upper() if error["loc"] else ""
        message = str(error["msg"]).removeprefix("Value error, ")
        parts.append(message if not name or message.startswith("TQ_") else f"{name}: {message}")
    return "; ".join(parts)

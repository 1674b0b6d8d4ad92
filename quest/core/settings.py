"""One settings object for the whole service, read from `TQ_*` environment variables."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

_DEV_SECRET = "dev-insecure-change-me"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TQ_", env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    database_url: str | None = None
    redis_url: str | None = None
    secret_key: str = _DEV_SECRET
    host: str = "127.0.0.1"
    port: int = 8000
    data_dir: Path = Path("./var")
    handoff_url: str | None = None
    handoff_secret: str | None = None

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

    # --- abuse limits (issue 9: rate limiting) ---

    # --- web hardening (issue 9: CSRF, headers, public URL, hosts, metrics) ---
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

    # --- websockets (issue 9) ---

    @model_validator(mode="after")
    def _refuse_unsafe_secret(self) -> Settings:
        if self.environment == "production" and (
            self.secret_key == _DEV_SECRET or len(self.secret_key) < 32
        ):
            raise ValueError("TQ_SECRET_KEY must be set to 32+ random characters in production")
        return self

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return _async_url(self.database_url)
        return f"sqlite+aiosqlite:///{(self.data_dir / 'talentquest.db').resolve()}"

    @property
    def resolved_handoff_secret(self) -> str:
        if self.handoff_secret:
            return self.handoff_secret
        # Built-in module: derive a stable whsec_ secret from the app secret.
        import base64
        import hashlib

        raw = hashlib.sha256(("handoff:" + self.secret_key).encode()).digest()
        return "whsec_" + base64.b64encode(raw).decode()


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


@lru_cache
def get_settings() -> Settings:
    return Settings()

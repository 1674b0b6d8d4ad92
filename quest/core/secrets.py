"""Secrets left unset are generated on first start and kept in the data directory.

Never derived from a value in the source: a fresh install generates random ones, writes
them owner-only (0600 in a 0700 `secrets/` directory) and every later start, and every
other process on the same data directory, reads the same values back. Creation is atomic
(written to a private temporary file, then hard-linked into place, which fails if another
process got there first), so processes starting at once agree on one value.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from quest.core.datadir import PRIVATE_FILE, private_dir, private_file

if TYPE_CHECKING:
    from quest.core.settings import Settings

SECRETS_DIR = "secrets"
SECRET_KEY = "secret_key"
HANDOFF_SECRET = "handoff_secret"
WHSEC_PREFIX = "whsec_"
MIN_HANDOFF_BYTES = 24  # Standard Webhooks asks for 24-64 random bytes
MIN_SECRET_KEY_CHARS = 32


class SecretError(RuntimeError):
    """A secret file that cannot be read, written or used; the message says which and why."""


def secret_path(data_dir: Path, name: str) -> Path:
    return Path(data_dir) / SECRETS_DIR / name


def new_secret_key() -> str:
    return secrets.token_urlsafe(48)  # 64 characters, 384 bits


def new_handoff_secret() -> str:
    return WHSEC_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def handoff_secret_problem(value: str) -> str | None:
    """Why `value` is not a usable `whsec_` secret, or None (never quotes the value)."""
    if not value.startswith(WHSEC_PREFIX):
        return f"must start with {WHSEC_PREFIX!r} (a Standard Webhooks secret)"
    try:
        raw = base64.b64decode(value[len(WHSEC_PREFIX) :], validate=True)
    except (binascii.Error, ValueError):
        return f"must be {WHSEC_PREFIX!r} followed by base64"
    if len(raw) < MIN_HANDOFF_BYTES:
        return f"must carry at least {MIN_HANDOFF_BYTES} random bytes, not {len(raw)}"
    return None


def load_or_create_secret(data_dir: Path, name: str, factory: Callable[[], str]) -> str:
    """The secret `name` kept in `data_dir`, made by `factory` if there is none yet."""
    return _load_or_create(data_dir, name, factory)[0]


def _load_or_create(data_dir: Path, name: str, factory: Callable[[], str]) -> tuple[str, bool]:
    """(value, created): created is False when it was already there (maybe from a racer)."""
    path = secret_path(data_dir, name)
    try:
        private_dir(path.parent)
        existing = _read(path)
        if existing is not None:
            return existing, False
        value = factory()
        if not value or "\n" in value:
            raise SecretError(f"the generator of {name} made an unusable value")
        created = _publish(path, value)
        return (value, True) if created else (_read_written(path), False)
    except OSError as exc:
        raise SecretError(f"cannot keep {name} in {path.parent}: {exc.strerror or exc}") from None


def _publish(path: Path, value: str) -> bool:
    """Write `value` to `path` unless it exists; True if ours is the one that landed."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    try:
        os.fchmod(fd, PRIVATE_FILE)
        os.write(fd, (value + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.link(tmp, path)  # atomic and exclusive: a complete file appears, or none
        created = True
    except FileExistsError:
        created = False
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    with contextlib.suppress(OSError):  # make the new name durable
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    return created


def _read(path: Path) -> str | None:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    private_file(path)  # an older copy, or one restored from a backup, may be readable
    value = text.strip()
    if not value:
        raise SecretError(f"{path} is empty; delete it to generate a new secret")
    return value


def _read_written(path: Path) -> str:
    value = _read(path)
    if value is None:
        raise SecretError(f"{path} vanished while it was being created")
    return value


Origin = Literal["environment", "generated", "data directory"]


@dataclass(frozen=True)
class SecretSource:
    """Where one secret came from, for the start-up log (never the value)."""

    setting: str  # the environment variable that would set it
    origin: Origin
    path: Path | None = None

    def describe(self) -> str:
        if self.origin == "environment":
            return f"{self.setting}: from the environment"
        if self.origin == "generated":
            return f"{self.setting}: generated, kept in {self.path}"
        return f"{self.setting}: read from {self.path}"


def _kept(
    data_dir: Path, setting: str, name: str, factory: Callable[[], str]
) -> tuple[str, SecretSource]:
    value, created = _load_or_create(data_dir, name, factory)
    origin: Origin = "generated" if created else "data directory"
    return value, SecretSource(setting, origin, secret_path(data_dir, name))


def resolve_secrets(settings: Settings) -> tuple[Settings, list[SecretSource]]:
    """A copy of `settings` with every secret filled in, and where each one came from."""
    sources: list[SecretSource] = []
    if settings.secret_key:
        key = settings.secret_key
        sources.append(SecretSource("TQ_SECRET_KEY", "environment"))
    else:
        key, source = _kept(settings.data_dir, "TQ_SECRET_KEY", SECRET_KEY, new_secret_key)
        sources.append(source)
    if settings.handoff_secret:
        handoff = settings.handoff_secret
        sources.append(SecretSource("TQ_HANDOFF_SECRET", "environment"))
    else:
        handoff, source = _kept(
            settings.data_dir, "TQ_HANDOFF_SECRET", HANDOFF_SECRET, new_handoff_secret
        )
        problem = handoff_secret_problem(handoff)
        if problem:
            raise SecretError(f"{source.path} {problem}; delete it to generate a new one")
        sources.append(source)
    resolved = settings.model_copy(update={"secret_key": key, "handoff_secret": handoff})
    return resolved, sources

"""Accounts and revocable bearer tokens (argon2 password hashes, SHA-256 token digests)."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy.exc import IntegrityError
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from kit.time import as_utc, utcnow
from leaderboard import keys
from leaderboard.board import Boards
from quest.accounts.models import Account, ApiToken
from quest.accounts.schemas import AccountIn, AccountOut, BanOut, PlayerIn, PlayerOut, TokenOut
from quest.accounts.tokens import (
    Owner,
    TokenCache,
    decode,
    encode,
    publish_revoked,
    revoked_here,
)
from quest.core import limits
from quest.core.db import WriteSession, after_commit
from quest.core.errors import Conflict, Forbidden, NotFound, RateLimited, Unauthenticated
from quest.core.limits import Backoff, Window
from quest.core.settings import Settings
from quest.quests.models import Quest

_hasher = PasswordHasher()
TOKEN_CACHE_S = 300


@dataclass(frozen=True)
class Principal:
    """Who is calling: enough to authorise without touching SQL on the hot path."""

    id: int
    role: str
    handle: str


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(_hasher.hash, password)


async def verify_password(hashed: str, password: str) -> bool:
    try:
        return await asyncio.to_thread(_hasher.verify, hashed, password)
    except (VerificationError, InvalidHashError):
        return False


async def create_account(
    *,
    session: WriteSession,
    handle: str,
    password: str,
    role: str = "player",
    email: str | None = None,
) -> Account:
    account = Account(
        handle=handle,
        handle_key=handle.casefold(),
        role=role,
        password_hash=await hash_password(password),
        email=email,
    )
    session.add(account)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError:
        raise Conflict("That handle is taken.", code="handle_taken") from None
    return account


async def authenticate(*, session: AsyncSession, username: str, password: str) -> Account:
    account = (
        await session.exec(select(Account).where(Account.handle_key == username.casefold()))
    ).first()
    if account is None or account.erased_at is not None:
        await hash_password(password)  # same cost either way: no user enumeration by timing
        raise Unauthenticated("Wrong username or password.", code="invalid_credentials")
    if not await verify_password(account.password_hash, password):
        raise Unauthenticated("Wrong username or password.", code="invalid_credentials")
    return account


async def issue_token(*, session: WriteSession, account: Account, ttl_s: int) -> str:
    raw = secrets.token_urlsafe(32)
    assert account.id is not None
    session.add(
        ApiToken(
            token_hash=_digest(raw),
            account_id=account.id,
            expires_at=utcnow() + timedelta(seconds=ttl_s),
        )
    )
    await session.flush()
    return raw


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


async def cached_principal(*, redis: Redis, raw: str) -> Principal | None:
    """The token's owner from the Redis cache, or None on a miss (or Redis trouble)."""
    owner = await _redis_owner(redis, keys.token(raw))
    return None if owner is None else Principal(owner.id, owner.role, owner.handle)


async def _redis_owner(redis: Redis, key: str) -> Owner | None:
    """The Redis entry of a token, renewed on use (an entry in use never expires); None on a
    miss, an entry of an older layout, an expired token or Redis trouble."""
    try:
        cached = await redis.getex(key, ex=TOKEN_CACHE_S)
    except RedisError:
        return None
    owner = decode(cached) if cached else None
    if owner is None or owner.expires <= time.time():
        return None
    return owner


async def principal_for(
    *, cache: TokenCache, redis: Redis, readmaker: Callable[[], AsyncSession], raw: str
) -> Principal:
    """The token's owner: this process's cache, else Redis, else SQL (the record).

    Raises `Unauthenticated` for an unknown, revoked or expired token."""
    key = keys.token(raw)
    owner = cache.get(key)
    if owner is None:
        generation = cache.generation
        owner = await _redis_owner(redis, key)
        if owner is None:
            async with readmaker() as session:
                owner = await _sql_owner(session=session, redis=redis, raw=raw)
        cache.put(key, owner, generation)
    return Principal(owner.id, owner.role, owner.handle)


async def resolve_token(*, session: AsyncSession, redis: Redis | None, raw: str) -> Principal:
    """Look a token up in the Redis cache, falling back to SQL (the record)."""
    if redis is not None:
        found = await cached_principal(redis=redis, raw=raw)
        if found is not None:
            return found
    owner = await _sql_owner(session=session, redis=redis, raw=raw)
    return Principal(owner.id, owner.role, owner.handle)


async def _sql_owner(*, session: AsyncSession, redis: Redis | None, raw: str) -> Owner:
    """The token's owner from SQL, written to the Redis cache."""
    row = (
        await session.exec(
            select(ApiToken, Account)
            .join(Account, Account.id == ApiToken.account_id)  # type: ignore[arg-type]
            .where(ApiToken.token_hash == _digest(raw))
        )
    ).first()
    if row is None:
        raise Unauthenticated("Unknown token.", code="invalid_token")
    token, account = row
    now = utcnow()
    if token.revoked_at is not None or account.erased_at is not None:
        raise Unauthenticated("This token was revoked.", code="invalid_token")
    expires = as_utc(token.expires_at)
    if expires <= now:
        raise Unauthenticated("This token has expired.", code="token_expired")
    assert account.id is not None
    owner = Owner(account.id, account.role, account.handle, expires.timestamp())
    if redis is not None:
        cache_key = keys.token(raw)
        try:
            async with redis.pipeline(transaction=True) as pipe:
                pipe.set(cache_key, encode(owner), ex=TOKEN_CACHE_S)
                pipe.sadd(keys.account_tokens(account.id), cache_key)
                pipe.expire(keys.account_tokens(account.id), TOKEN_CACHE_S)
                await pipe.execute()
        except RedisError:
            pass
    return owner


async def revoke_token(*, session: WriteSession, redis: Redis, raw: str) -> None:
    """Log a token out; its cache entries (every process, Redis) go once that has committed."""
    token = (
        await session.exec(select(ApiToken).where(ApiToken.token_hash == _digest(raw)))
    ).first()
    if token is not None and token.revoked_at is None:
        token.revoked_at = utcnow()
        session.add(token)

    async def forget() -> None:
        key = keys.token(raw)
        revoked_here(token_keys=[key])
        await redis.delete(key)
        await publish_revoked(redis, token_keys=[key])

    after_commit(session, forget)


async def revoke_all(*, session: WriteSession, account_id: int) -> None:
    """Revoke every token of an account in SQL; `forget_tokens` clears the caches."""
    tokens = (await session.exec(select(ApiToken).where(ApiToken.account_id == account_id))).all()
    for token in tokens:
        token.revoked_at = token.revoked_at or utcnow()
        session.add(token)


async def forget_tokens(*, redis: Redis, account_id: int) -> None:
    """Drop an account's tokens from every token cache: the next look-up asks SQL."""
    await forget_accounts(redis=redis, account_ids=[account_id])


async def forget_accounts(*, redis: Redis, account_ids: list[int]) -> None:
    """`forget_tokens` for many accounts (the removal sweep): this process's caches first
    (no I/O, so a Redis outage cannot stop it), then Redis, then the other processes."""
    revoked_here(account_ids=account_ids)
    sets = [keys.account_tokens(a) for a in account_ids]
    if not sets:
        return
    async with redis.pipeline(transaction=False) as pipe:
        for key in sets:
            pipe.smembers(key)
        cached = await pipe.execute()
    await redis.delete(*sets, *(m for members in cached for m in members))
    await publish_revoked(redis, account_ids=account_ids)


@dataclass(frozen=True)
class Origin:
    """Where a log-in or sign-up comes from, and what its abuse limits count with.

    `address` is the client address of the ASGI scope: behind a reverse proxy, uvicorn's
    `--proxy-headers` and `--forwarded-allow-ips` decide whether it is the proxy's or the
    phone's (docs/configuration.md).
    """

    address: str
    redis: Redis
    settings: Settings


def _account_backoff(settings: Settings) -> Backoff:
    return Backoff(
        free=settings.login_account_free_failures,
        base_s=settings.login_backoff_base_s,
        max_s=settings.login_account_backoff_max_s,
        memory_s=settings.login_failure_memory_s,
    )


def _address_backoff(settings: Settings) -> Backoff:
    return Backoff(
        free=settings.login_address_free_failures,
        base_s=settings.login_backoff_base_s,
        max_s=settings.login_address_backoff_max_s,
        memory_s=settings.login_failure_memory_s,
    )


TOO_MANY_LOGINS = "Too many failed log-ins; wait before trying again."
TOO_MANY_SIGNUPS = "Too many sign-ups from this address; wait a moment."


async def sign_up(
    *, session: WriteSession, player: PlayerIn, ttl_s: int, origin: Origin
) -> PlayerOut:
    """A new player account, signed in; sign-ups per address are limited (before hashing)."""
    settings = origin.settings
    await limits.take(
        origin.redis,
        keys.signups_from(origin.address),
        Window(settings.signup_address_limit, settings.signup_address_window_s),
        detail=TOO_MANY_SIGNUPS,
    )
    account = await create_account(
        session=session, handle=player.handle, password=player.password, email=player.email
    )
    token = await issue_token(session=session, account=account, ttl_s=ttl_s)
    assert account.id is not None
    return PlayerOut(id=account.id, handle=account.handle, token=token)


async def log_in(
    *, session: WriteSession, username: str, password: str, ttl_s: int, origin: Origin
) -> TokenOut:
    """A new bearer token for the right password; a banned account gets none.

    Failed log-ins back off per username and (far more loosely) per address; a throttled
    one is refused (429 `rate_limited`) before any password hash is computed. The username's
    try is counted as a failure up front, so concurrent guesses cannot all pass; a success
    clears its failures.
    """
    address_key = keys.login_failures_from(origin.address)
    account_key = keys.login_failures(username)
    address_rule, account_rule = (
        _address_backoff(origin.settings),
        _account_backoff(origin.settings),
    )
    await limits.backoff(
        origin.redis, address_key, address_rule, detail=TOO_MANY_LOGINS, count=False
    )
    await limits.backoff(
        origin.redis, account_key, account_rule, detail=TOO_MANY_LOGINS, count=True
    )
    try:
        account = await authenticate(session=session, username=username, password=password)
    except Unauthenticated:
        with contextlib.suppress(RateLimited):  # this failure is answered with a 401
            await limits.backoff(
                origin.redis, address_key, address_rule, detail=TOO_MANY_LOGINS, count=True
            )
        raise
    await limits.clear(origin.redis, account_key)
    if account.banned_at is not None:
        raise Forbidden("This account is banned.", code="banned")
    token = await issue_token(session=session, account=account, ttl_s=ttl_s)
    return TokenOut(access_token=token, role=account.role)


async def create_staff_account(*, session: WriteSession, account: AccountIn) -> AccountOut:
    """A staff or recruiter account (409 `handle_taken` if the name is in use)."""
    created = await create_account(
        session=session, handle=account.username, password=account.password, role=account.role
    )
    assert created.id is not None
    return AccountOut(id=created.id, username=created.handle, role=created.role)


async def ban(*, session: WriteSession, redis: Redis, boards: Boards, account_id: int) -> BanOut:
    """Ban a player: their tokens stop working and they leave every board; the record stays.

    Redis follows once the ban has committed, so a ban that rolls back leaves the boards and
    the token cache as they were (and no look-up can re-cache a token before it is revoked).
    """
    account = await session.get(Account, account_id)
    if account is None or account.role != "player":
        raise NotFound("No such player.", code="player_not_found")
    if account.banned_at is None:
        account.banned_at = utcnow()
        session.add(account)
    await revoke_all(session=session, account_id=account_id)
    quest_ids = [q for q in (await session.exec(select(Quest.id))).all() if q is not None]

    async def follow_up() -> None:
        await forget_tokens(redis=redis, account_id=account_id)
        for quest_id in quest_ids:
            await boards.remove_player(quest_id=quest_id, player_id=account_id)

    after_commit(session, follow_up)
    return BanOut(id=account_id, handle=account.handle, banned_at=account.banned_at)

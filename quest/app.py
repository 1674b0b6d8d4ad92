"""The composition root: the lifespan owns every client; `create_app` wires the packages."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator
from typing import Any

from fastapi import FastAPI
from redis.exceptions import RedisError

from challenges.writer import AttemptWriter
from jobs.errors import install_error_handler as install_jobs_error_handler
from jobs.router import create_router as create_jobs_router
from leaderboard.board import Boards
from quest.accounts import router as accounts
from quest.boards import router as boards
from quest.boards import sync as board_sync
from quest.core.datadir import private_dir
from quest.core.db import (
    PoolOptions,
    is_sqlite,
    make_engine,
    make_read_engine,
    make_readmaker,
    make_replica_engine,
    make_sessionmaker,
    make_sync_engine,
)
from quest.core.deps import jobs_caller
from quest.core.handlers import install_error_handlers
from quest.core.metrics import Metrics
from quest.core.middleware import BodyLimit, RouteTiming, SecurityHeaders, TrustedHosts
from quest.core.migrate import SchemaError, prepare
from quest.core.origins import site
from quest.core.redis_client import close_redis, open_redis
from quest.core.secrets import resolve_secrets
from quest.core.settings import Settings, get_settings
from quest.core.state import AppState
from quest.jobseekers import router as jobseekers
from quest.live import router as live
from quest.live import ws as live_ws
from quest.ops import router as ops
from quest.play import router as play
from quest.quests import router as quests
from quest.rehearsal import router as rehearsal
from quest.tasks import background_tasks
from webui.setup import install as install_pages

log = logging.getLogger("talentquest")


@contextlib.asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    private_dir(settings.data_dir)
    # Where each secret came from, never its value (resolved in create_app).
    log.info("secrets: %s", "; ".join(s.describe() for s in app.state.secret_sources))
    pool_options = PoolOptions.of(settings)
    engine = make_engine(settings.resolved_database_url, pool_options)
    try:  # SQLite upgrades itself; elsewhere a database behind the code needs TQ_AUTO_MIGRATE
        migrate = is_sqlite(settings.resolved_database_url) or settings.auto_migrate
        await prepare(engine, upgrade=migrate)
    except BaseException as exc:
        if isinstance(exc, SchemaError):
            log.error("not serving: %s", exc)
        await engine.dispose()
        raise
    embedded = None
    redis_url = settings.redis_url
    if not redis_url:
        from quest.core.redis_server import EmbeddedRedis

        embedded = EmbeddedRedis(settings.data_dir)
        await embedded.astart()
        redis_url = embedded.url
    client = await open_redis(redis_url, settings)  # one server or a cluster (TQ_REDIS_CLUSTER)
    read_engine = make_read_engine(settings.resolved_database_url, engine)
    replica_url = settings.resolved_database_read_url
    replica_engine = make_replica_engine(replica_url, pool_options) if replica_url else read_engine
    state = AppState(
        settings=settings,
        engine=engine,
        sessionmaker=make_sessionmaker(engine),
        readmaker=make_readmaker(replica_engine),
        primary_readmaker=make_readmaker(read_engine),
        redis=client,
        boards=Boards(client),
        metrics=app.state.metrics,
        writer=AttemptWriter(
            make_sync_engine(settings.resolved_database_url, pool_options),
            workers=1 if is_sqlite(settings.resolved_database_url) else 4,
        ),
    )
    await state.writer.start()
    app.state.tq = state
    # jobs/ knows no AppState: it finds its writer and reader session factories here.
    app.state.sessionmaker = state.sessionmaker
    app.state.readmaker = state.readmaker
    tasks: list[asyncio.Task[Any]] = []
    try:
        try:
            rebuilt = await board_sync.reconcile(state)
            if rebuilt:
                log.info("rebuilt boards on start-up: %s", ", ".join(rebuilt))
        except RedisError as exc:
            log.warning("boards not checked on start-up: %s", exc)
        # Start-up objects (ORM mappers, routes, templates) never die: keep them out of
        # the collector's way so full collections under load stay short.
        gc.freeze()
        for starter in app.state.background:
            tasks.append(
                asyncio.create_task(starter(state), name=getattr(starter, "__name__", "bg"))
            )
        yield
    finally:
        for task in tasks:
            task.cancel()
        if tasks:  # bounded: a task that ignores cancellation must not hang shutdown
            _, stuck = await asyncio.wait(tasks, timeout=5)
            for task in stuck:
                log.warning("background task %s did not stop", task.get_name())
        await state.writer.stop()
        await close_redis(client)
        await engine.dispose()
        if read_engine is not engine:
            await read_engine.dispose()
        if replica_engine is not read_engine:
            await replica_engine.dispose()
        if embedded is not None:
            await embedded.astop()


def create_app(settings: Settings | None = None) -> FastAPI:
    # Unset secrets are generated once and kept in the data directory, never derived.
    settings, secret_sources = resolve_secrets(settings or get_settings())
    app = FastAPI(
        title="Talent Quest",
        version="0.1.0",
        summary="Gamified talent campaigns: quests, live leaderboards, jobseekers.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.secret_sources = secret_sources
    app.state.metrics = Metrics()
    install_error_handlers(app)
    install_jobs_error_handler(app)
    for router in (
        ops.router,
        accounts.router,
        accounts.admin,
        quests.router,
        quests.admin,
        play.router,
        boards.router,
        boards.admin,
        jobseekers.router,
        rehearsal.admin,
        create_jobs_router(
            current_principal=jobs_caller, handoff_secret=settings.resolved_handoff_secret
        ),
    ):
        app.include_router(router)
    install_pages(app)  # pages, /static, HTML error pages
    app.include_router(live_ws.router)
    app.include_router(live.admin)
    app.state.background = background_tasks(app)  # started by the lifespan: f(state)
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    app.add_middleware(RouteTiming, metrics=app.state.metrics)
    public = site(settings)
    app.add_middleware(
        SecurityHeaders,
        origin=public.origin,
        https=public.https,
        frame_ancestors=settings.frame_ancestors,
        framable=("/board/",),  # the big screen, the one page meant to be embedded
        hsts_max_age_s=settings.hsts_max_age_s,
    )
    app.add_middleware(TrustedHosts, hosts=public.hosts)  # outermost: refuse forged hosts first
    return app

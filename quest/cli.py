"""The `talentquest` command line."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
from collections.abc import AsyncIterator, Callable, Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

    from quest.core.state import AppState


class CliError(Exception):
    """Bad input: printed as one line, exit status 1."""


@contextlib.asynccontextmanager
async def app_state() -> AsyncIterator[AppState]:
    """The same clients the server uses, without serving HTTP or background tasks."""
    from quest.app import create_app, lifespan

    app = create_app()
    app.state.background = []
    async with lifespan(app):
        state: AppState = app.state.tq
        yield state


async def cmd_demo(args: argparse.Namespace) -> None:
    from quest.quests.demo.loader import load_demo

    async with app_state() as state:
        summary = await load_demo(state)
    print(summary)


async def cmd_import(args: argparse.Namespace) -> None:
    from quest.core.errors import Invalid
    from quest.quests.revisions import ConfirmationRequired
    from quest.quests.service import import_document

    path = Path(args.file)
    try:
        text = await asyncio.to_thread(path.read_text, encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        missing = isinstance(exc, FileNotFoundError)
        raise CliError(f"no such file: {path}" if missing else str(exc)) from None
    async with app_state() as state:
        try:
            async with state.sessionmaker() as session, session.begin():
                imported = await import_document(
                    session=session, document=text, confirm=args.confirm
                )
        except Invalid as exc:
            errors = exc.errors or []
            listed = "; ".join(f"{e['path']}: {e['message']}" for e in errors)
            raise CliError(f"{path}: nothing imported, {len(errors)} error(s): {listed}") from None
        except ConfirmationRequired as exc:
            listed = "; ".join(f"{a.challenge}: {a.effect}" for a in exc.affected)
            again = "run again with --confirm"
            raise CliError(f"{path}: nothing imported, {again}: {listed}") from None
    print(f"{'created' if imported.created else 'updated'} quest {imported.quest.slug}")


async def cmd_export(args: argparse.Namespace) -> None:
    from quest.core.errors import NotFound
    from quest.quests.revisions import to_yaml
    from quest.quests.service import quest_document

    async with app_state() as state:
        try:
            async with state.readmaker() as session:
                document = await quest_document(session=session, slug=args.slug)
        except NotFound:
            raise CliError(f"no quest {args.slug!r}") from None
    text = to_yaml(document)
    if args.output in (None, "-"):
        sys.stdout.write(text)
        return
    try:
        await asyncio.to_thread(Path(args.output).write_text, text, encoding="utf-8")
    except OSError as exc:
        raise CliError(f"cannot write {args.output}: {exc.strerror or exc}") from None
    print(f"exported quest {args.slug} to {args.output}", file=sys.stderr)


async def cmd_users_create(args: argparse.Namespace) -> None:
    from pydantic import TypeAdapter, ValidationError

    from quest.accounts.schemas import AccountIn, Handle
    from quest.accounts.service import create_staff_account
    from quest.core.errors import Conflict

    try:  # before waiting for a password on stdin
        TypeAdapter(Handle).validate_python(args.username)
    except ValidationError:
        raise CliError("username must be 3-32 of A-Z a-z 0-9 _ -") from None
    password = sys.stdin.readline().rstrip("\n")
    try:
        account = AccountIn(username=args.username, password=password, role=args.role)
    except ValidationError:
        raise CliError("password (read from stdin) must be 8 to 256 characters") from None
    async with app_state() as state:
        try:
            async with state.sessionmaker() as session, session.begin():
                created = await create_staff_account(session=session, account=account)
        except Conflict as exc:
            raise CliError(exc.detail) from None
    print(f"created {created.role} {created.username} (id {created.id})")


async def cmd_rebuild(args: argparse.Namespace) -> None:
    from quest.boards import sync as board_sync

    async with app_state() as state:
        quests = await board_sync.quests(state, args.quest)
        if args.quest and not quests:
            raise CliError(f"no quest {args.quest!r}")
        for quest in quests:
            written = await board_sync.rebuild(state, quest, reason="cli")
            print(f"rebuilt {written} boards of {quest.slug}")


async def cmd_scheduler(args: argparse.Namespace) -> None:
    from quest.core.procs import die_with_parent
    from quest.core.scheduler import run_scheduler_forever

    die_with_parent()  # started by `serve --workers N`: do not outlive it
    from quest.tasks import SCHEDULED_JOBS

    async with app_state() as state:
        await run_scheduler_forever(state, SCHEDULED_JOBS)


async def cmd_simulate(args: argparse.Namespace) -> None:
    """Rehearsal players driving the server at --url (docs/cli.md, "simulate")."""
    from quest.core.settings import get_settings
    from quest.rehearsal.backstage import BackstageError
    from quest.rehearsal.command import Target, clean, simulate
    from quest.rehearsal.crowd import Plan

    settings = get_settings()
    host = "127.0.0.1" if settings.host in ("0.0.0.0", "::") else settings.host
    url = (args.url or f"http://{host}:{settings.port}").rstrip("/")
    token = args.staff_token or os.environ.get("TQ_SIMULATE_TOKEN", "")
    if not url.startswith(("http://", "https://")):
        raise CliError(f"--url must be an http(s) URL: {url!r}")
    if not token:
        raise CliError("a staff token is needed: --staff-token or TQ_SIMULATE_TOKEN")
    document = None
    if args.document:
        try:
            document = await asyncio.to_thread(Path(args.document).read_text, encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CliError(f"cannot read {args.document}: {exc}") from None
    target = Target(url=url, token=token, document=document)
    try:
        if args.clean:
            print(await clean(args.slug, target))
            return
        if args.players is None or (args.minutes is None and args.seconds is None):
            raise CliError("--players and --minutes are needed (or --clean)")
        seconds = args.seconds if args.seconds is not None else args.minutes * 60
        plan = Plan(
            args.slug,
            args.players,
            seconds,
            rate=args.rate,
            seed=args.seed,
            conversions=args.conversions,
        )
        tally = await simulate(plan, target)
    except BackstageError as exc:
        raise CliError(str(exc)) from None
    print(f"simulated {args.slug} at {url}")
    for line in tally.lines():
        print(f"  {line}")


def _above_zero(value: str) -> float:
    try:
        n = float(value)
    except ValueError:
        n = 0.0
    if not 0 < n < 1e7:
        raise argparse.ArgumentTypeError(f"not a number above zero: {value!r}")
    return n


def _share(value: str) -> float:
    try:
        n = float(value)
    except ValueError:
        n = -1.0
    if not 0 <= n <= 1:
        raise argparse.ArgumentTypeError(f"not a share between 0 and 1: {value!r}")
    return n


@contextlib.asynccontextmanager
async def db_engine() -> AsyncIterator[AsyncEngine]:
    """The writer engine alone: `db` commands start no Redis and no background task."""
    from quest.core.datadir import private_dir
    from quest.core.db import PoolOptions, make_engine
    from quest.core.settings import get_settings

    settings = get_settings()
    private_dir(settings.data_dir)
    engine = make_engine(settings.resolved_database_url, PoolOptions.of(settings))
    try:
        yield engine
    finally:
        await engine.dispose()


async def cmd_db_upgrade(args: argparse.Namespace) -> None:
    from quest.core.migrate import INITIAL, SchemaError, prepare

    async with db_engine() as engine:
        try:
            outcome = await prepare(engine, upgrade=True)
        except SchemaError as exc:
            raise CliError(str(exc)) from None
    done = []
    if outcome.stamped:
        done.append(f"recognised a database made before migrations: stamped revision {INITIAL}")
    if outcome.action == "created":
        done.append(f"created the schema at revision {outcome.after}")
    elif outcome.action == "upgraded":
        done.append(f"upgraded from revision {outcome.before} to {outcome.after}")
    elif not outcome.stamped:
        done.append(f"already at revision {outcome.after}")
    print("; ".join(done))


async def cmd_db_current(args: argparse.Namespace) -> None:
    from quest.core.migrate import status

    async with db_engine() as engine:
        found = await status(engine)
    if found.revision is None:
        legacy = "tables made before migrations: `talentquest db upgrade` stamps them"
        print(f"none ({legacy if found.legacy else 'empty database'})")
    elif found.revision == found.head:
        print(f"{found.revision} (head)")
    else:
        print(f"{found.revision} (behind: this code is at {found.head})")


async def cmd_db_check(args: argparse.Namespace) -> None:
    from quest.core.migrate import check

    async with db_engine() as engine:
        problems = await check(engine)
    if problems:
        more = f" and {len(problems) - 3} more" if len(problems) > 3 else ""
        raise CliError(f"models and migrations differ: {'; '.join(problems[:3])}{more}")
    print("models and migrations agree")


# `serve --workers` on SQLite: at most 2 processes. SQLite has one writer and each process
# has its own group-commit attempt writer; measured with bench/bench_processes.py, 2 workers
# gave +66 % wrong answers/s and +40 % correct answers/s over 1 (the writers take turns at
# the lock without errors); more writers would only queue on it (docs/operations.md).
SQLITE_MAX_WORKERS = 2


def _cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def default_workers(database_url: str) -> int:
    """The machine's cores; on SQLite at most SQLITE_MAX_WORKERS."""
    from quest.core.db import is_sqlite

    if is_sqlite(database_url):
        return min(_cores(), SQLITE_MAX_WORKERS)
    return _cores()


def cmd_serve(args: argparse.Namespace) -> None:
    import uvicorn

    from quest.core.settings import get_settings
    from quest.live.service import uvicorn_ws_options

    settings = get_settings()
    workers = args.workers or default_workers(settings.resolved_database_url)
    options: dict[str, Any] = dict(
        host=args.host or settings.host,
        port=args.port or settings.port,
        log_level=settings.log_level,
        log_config=_log_config(settings.log_level),
        access_log=False,  # access lines would carry handles in paths; keep personal data out
        # Live boards send one payload to thousands of sockets: per-socket deflate would
        # compress it once per viewer (~0.5 ms CPU each). Snapshots are small; send them raw.
        ws_per_message_deflate=False,
        # The sans-I/O websockets protocol (what uvicorn's "auto" picks today; pinned so
        # a change of "auto" cannot move it): a send serialises one frame into the transport,
        # no per-connection tasks. bench/bench_ws.py measured it against "websockets" (legacy,
        # deprecated, +10 KB per socket) and "wsproto" (not a dependency; within noise).
        ws="websockets-sansio",
        # Websocket limits (docs/live.md): frames over TQ_WS_MAX_MESSAGE_BYTES are refused
        # from their header (close 1009) before a byte is buffered; pings find dead peers.
        **uvicorn_ws_options(settings),
        # Websocket viewers stay connected for hours; do not wait for them forever on stop.
        timeout_graceful_shutdown=8,
    )
    if workers == 1:
        uvicorn.run("quest.main:app", **options)
        return
    _serve_workers(settings, workers, options)


def _serve_workers(settings: Any, workers: int, options: dict[str, Any]) -> None:
    """uvicorn's multi-process mode: N workers on one socket, settings from the environment.

    This (parent) process resolves the secrets once, starts the embedded Redis once (when
    TQ_REDIS_URL is unset) and hands its URL to the workers as TQ_REDIS_URL, and runs the
    scheduler in one child process (`talentquest scheduler`; the workers get
    TQ_RUN_SCHEDULER=false). Ctrl-C / SIGTERM: uvicorn stops the workers, then the
    scheduler and the embedded Redis are stopped here.
    """
    import signal
    import subprocess
    import sys

    import uvicorn

    from quest.core.procs import PARENT_ENV
    from quest.core.secrets import resolve_secrets

    resolve_secrets(settings)  # generated secrets written once, before the workers read them
    embedded = None
    if not settings.redis_url:
        from quest.core.redis_server import EmbeddedRedis

        embedded = EmbeddedRedis(settings.data_dir)
        embedded.start()
        os.environ["TQ_REDIS_URL"] = embedded.url
    os.environ[PARENT_ENV] = str(os.getpid())  # children die with this process
    scheduler = None
    try:
        if settings.run_scheduler:
            scheduler = subprocess.Popen(
                [sys.executable, "-m", "quest.cli", "scheduler"], env={**os.environ}
            )
        os.environ["TQ_RUN_SCHEDULER"] = "false"
        uvicorn.run("quest.main:app", workers=workers, **options)
    finally:
        if scheduler is not None and scheduler.poll() is None:
            scheduler.send_signal(signal.SIGINT)  # a clean stop (KeyboardInterrupt)
            try:
                scheduler.wait(timeout=10)
            except subprocess.TimeoutExpired:
                scheduler.kill()
                scheduler.wait()
        if embedded is not None:
            embedded.stop()


def _log_config(level: str) -> dict[str, Any]:
    """uvicorn's logging, plus ours (start-up lines such as where each secret came from)."""
    from uvicorn.config import LOGGING_CONFIG

    config = {**LOGGING_CONFIG, "loggers": dict(LOGGING_CONFIG["loggers"])}
    ours = {"handlers": ["default"], "level": level.upper(), "propagate": False}
    config["loggers"]["talentquest"] = ours
    return config


def _positive(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"not a positive whole number: {value!r}")
    return n


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="talentquest", description="Talent Quest engine")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve the API and pages")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument(
        "--workers",
        type=_positive,
        help="worker processes (default: the machine's cores; at most 2 on SQLite)",
    )
    serve.set_defaults(sync=cmd_serve)
    sub.add_parser("demo", help="load the demo quest and jobs (idempotent)").set_defaults(
        run=cmd_demo
    )
    quests = sub.add_parser("quests", help="manage quest content").add_subparsers(
        dest="action", required=True
    )
    imp = quests.add_parser("import", help="import a quest file (YAML or JSON)")
    imp.add_argument("file")
    imp.add_argument(
        "--confirm",
        action="store_true",
        help="apply changes of answer or points (or removals) of challenges with solves",
    )
    imp.set_defaults(run=cmd_import)
    exp = quests.add_parser("export", help="print a quest's document as YAML (secrets included)")
    exp.add_argument("slug")
    exp.add_argument("-o", "--output", help="write to this file instead of stdout")
    exp.set_defaults(run=cmd_export)
    users = sub.add_parser("users", help="manage accounts").add_subparsers(
        dest="action", required=True
    )
    create = users.add_parser(
        "create", help="create a staff or recruiter account (password on stdin)"
    )
    create.add_argument("--role", choices=["staff", "recruiter"], required=True)
    create.add_argument("--username", required=True)
    create.set_defaults(run=cmd_users_create)
    board = sub.add_parser("leaderboard", help="leaderboard maintenance").add_subparsers(
        dest="action", required=True
    )
    rebuild = board.add_parser("rebuild", help="rebuild boards from the SQL record")
    rebuild.add_argument("quest", nargs="?")
    rebuild.set_defaults(run=cmd_rebuild)
    sub.add_parser("scheduler", help="run scheduled jobs as a separate process").set_defaults(
        run=cmd_scheduler
    )
    db = sub.add_parser("db", help="database migrations").add_subparsers(
        dest="action", required=True
    )
    db.add_parser(
        "upgrade", help="bring the database to this code's revision (back it up first)"
    ).set_defaults(run=cmd_db_upgrade)
    db.add_parser("current", help="print the database's revision").set_defaults(
        run=cmd_db_current
    )
    db.add_parser(
        "check", help="fail unless the database, at this code's revision, matches the models"
    ).set_defaults(run=cmd_db_check)
    simulate = sub.add_parser(
        "simulate",
        help="rehearse: simulated players play a quest through the HTTP API of a server",
        description="Simulated players (marked as such: on boards and in the funnel, never "
        "handed to recruiters) sign up over time and play SLUG on the server at --url. "
        "Needs a staff bearer token (--staff-token or TQ_SIMULATE_TOKEN).",
    )
    simulate.add_argument("slug")
    simulate.add_argument("--players", type=_positive, help="how many players")
    simulate.add_argument("--minutes", type=_above_zero, help="how long the rehearsal lasts")
    simulate.add_argument("--seconds", type=_above_zero, help="the length in seconds (tests)")
    simulate.add_argument(
        "--rate", type=_above_zero, default=2.0, help="answers a minute per player (default 2)"
    )
    simulate.add_argument("--url", help="the server (default http://TQ_HOST:TQ_PORT)")
    simulate.add_argument("--staff-token", help="a staff bearer token (or TQ_SIMULATE_TOKEN)")
    simulate.add_argument(
        "--document", help="read the answers from this quest file, not from the server"
    )
    simulate.add_argument(
        "--conversions",
        type=_share,
        default=0.1,
        help="the share of players who become jobseekers, 0 to 1 (default 0.1)",
    )
    simulate.add_argument("--seed", type=int, help="a random seed, for a repeatable crowd")
    simulate.add_argument(
        "--clean", action="store_true", help="erase the quest's simulated players instead"
    )
    simulate.set_defaults(run=cmd_simulate)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if hasattr(args, "sync"):
            args.sync(args)
            return 0
        runner: Callable[[argparse.Namespace], Coroutine[Any, Any, None]] = args.run
        asyncio.run(runner(args))
    except CliError as exc:
        print(f"talentquest: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a one-line reason, never a traceback for bad input
        reason = (str(exc).strip().splitlines() or [""])[0]  # drivers add lines of background
        print(f"talentquest: {type(exc).__name__}: {reason}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

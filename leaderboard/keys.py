"""Every Redis key the service uses, in one place (see docs/leaderboards.md, "Redis keys").

Per-quest keys share the hash tag `{q<ID>}` so one Lua script can touch all of a quest's
boards atomically, on a single Redis or on a Redis Cluster. Keys that are not per quest are
placed deliberately (docs/leaderboards.md, "Redis keys", the slot column): the token cache in
one slot of its own (`{tokens}`), everything else one key per command, anywhere.
"""

from __future__ import annotations

import hashlib

# Composite score (docs/leaderboards.md, "Score encoding"): a Redis sorted-set score is an
# IEEE double, exact for integers below 2**53. The low 32 bits say "reached earlier" in
# ticks of 100 ms since the quest starts (2**32 ticks = 13.6 years: ties rank by time in a
# quest of any length up to that); the high 21 bits hold the points, so the largest score a
# board can hold exactly is 2**21 - 1. Quest documents that could exceed it are refused.
TICK_BITS = 32
TICK_SPAN = 1 << TICK_BITS
TICK_MS = 100
POINT_BITS = 53 - TICK_BITS
MAX_POINTS = (1 << POINT_BITS) - 1  # 2,097,151
# Bumped whenever the layout above changes: boards written under another one are rebuilt.
ENCODING = "2"


def tag(quest_id: int) -> str:
    """The hash tag every key of one quest starts with, so they share a cluster slot."""
    return f"tq:{{q{quest_id}}}"


def board(quest_id: int, scope: str) -> str:
    """A sorted set of player ids: `scope` is all, track:<slug>, daily:<date>, weekly:<week>."""
    return f"{tag(quest_id)}:board:{scope}"


def frozen(quest_id: int, scope: str) -> str:
    """The public copy of a board taken when staff froze the quest."""
    return f"{tag(quest_id)}:frozen:{scope}"


def scopes(quest_id: int) -> str:
    """A set of every scope that has a live board for the quest."""
    return f"{tag(quest_id)}:scopes"


def handles(quest_id: int) -> str:
    """A hash of player id -> handle for the players on the quest's boards."""
    return f"{tag(quest_id)}:handles"


def applied(quest_id: int) -> str:
    """Count of solves the boards include; compared with SQL to spot missing ones."""
    return f"{tag(quest_id)}:applied"


def changed(quest_id: int) -> str:
    """Set of scopes whose top may have changed since the live ticker last looked."""
    return f"{tag(quest_id)}:changed"


def encoding(quest_id: int) -> str:
    """The score layout and epoch the quest's boards were written with ("<ENCODING>:<epoch ms>").

    The award script refuses to add to boards of another layout or epoch, and the reconciler
    rebuilds them from SQL: an upgrade or a new start time never leaves mixed scores.
    """
    return f"{tag(quest_id)}:encoding"


def rebuild_staging(quest_id: int, kind: str, scope: str) -> str:
    """A board (`kind` board or frozen) or the handles hash being rebuilt, renamed into place."""
    return f"{tag(quest_id)}:rebuild:{kind}:{scope}"


def rebuild_lock(quest_id: int) -> str:
    """Lock held while a quest's boards are rebuilt from SQL (one rebuild at a time)."""
    return f"{tag(quest_id)}:lock:rebuild"


def token(raw_token: str) -> str:
    """Cache of a bearer token's owner: "<id>:<role>:<expires>:<handle>"; SQL is the record.

    Every token cache key shares the hash tag `{tokens}` (one cluster slot): an entry and its
    account's index are written in one transaction.
    """
    return f"tq:{{tokens}}:token:{hashlib.sha256(raw_token.encode()).hexdigest()}"


def account_tokens(account_id: int) -> str:
    """Set of the token cache keys of one account, so revoking all of them is one call."""
    return f"tq:{{tokens}}:account:{account_id}"


def token_revocations() -> str:
    """Pub/sub channel of revoked token cache keys and accounts: every process drops them."""
    return "tq:token-revocations"


def wrong_answers(account_id: int) -> str:
    """Counter of a player's wrong answers in the current rate-limit window."""
    return f"tq:rl:wrong:{account_id}"


def wrong_booth_codes(account_id: int) -> str:
    """Counter of a player's wrong booth codes in the current rate-limit window."""
    return f"tq:rl:code:{account_id}"


def login_failures(username: str) -> str:
    """Hash {n, until} of failed log-ins to one username (casefolded, hashed): the backoff."""
    return f"tq:rl:login:user:{hashlib.sha256(username.casefold().encode()).hexdigest()[:32]}"


def login_failures_from(address: str) -> str:
    """Hash {n, until} of failed log-ins from one client address: the (looser) backoff."""
    return f"tq:rl:login:addr:{address}"


def signups_from(address: str) -> str:
    """Counter of sign-ups from one client address in the current rate-limit window."""
    return f"tq:rl:signup:{address}"


def live_channel(quest_id: int) -> str:
    """Pub/sub channel carrying a quest's board snapshots and announcements to every process.

    In the quest's slot, so a transaction may write a quest key and publish on it.
    """
    return f"{tag(quest_id)}:live"


def live_channels() -> str:
    """The pattern of every quest's `live_channel`: each process's one PSUBSCRIBE."""
    return "tq:{q*}:live"


def announcement(quest_id: int) -> str:
    """The latest staff announcement of a quest, shown to viewers who connect later."""
    return f"{tag(quest_id)}:announcement"


# --- Live fan-out (leaderboard/live.py, leaderboard/fanout.py) -------------------------------


def live_views(quest_id: int) -> str:
    """Sorted set of "<scope>|<limit>" views someone watches; score = expiry (ms since epoch).

    Each app process re-adds the views its sockets watch every few seconds, so a view whose
    viewers all left (or whose process died) drops out by itself.
    """
    return f"{tag(quest_id)}:live:views"


def live_quests() -> str:
    """Sorted set of quest ids with live viewers anywhere; score = expiry (ms since epoch)."""
    return "tq:live-quests"


def live_lease(quest_id: int) -> str:
    """The ticker lease of a quest (`SET NX PX`, value = holder's process id), renewed each tick."""
    return f"{tag(quest_id)}:live:lease"


def live_seq(quest_id: int) -> str:
    """Counter of snapshots published for a quest: the `seq` of each snapshot message.

    Never set below the clock in ms (leaderboard/fanout.py): a counter lost in a failover
    restarts above every seq a viewer has seen.
    """
    return f"{tag(quest_id)}:live:seq"


def live_viewers(quest_id: int) -> str:
    """Hash of process id -> "<viewers>:<expiry ms>" for a quest; summed for the staff console."""
    return f"{tag(quest_id)}:live:viewers"


# --- Scheduled jobs (quest/core/scheduler.py) --------------------------------------------


def job_run(name: str, slot: str) -> str:
    """`SET NX` marker of one run of a scheduled job at one scheduled time: exactly once."""
    return f"tq:job:run:{name}:{slot}"


def job_lock(name: str) -> str:
    """Lease held while a job runs (start-up catch-up runs take it too)."""
    return f"tq:job:lock:{name}"

"""Where the service lives: its public URL, the Host names it answers, same-origin checks.

Nothing here trusts the request's `Host` for links: QR codes and absolute URLs come from
`TQ_PUBLIC_URL` (or, for a local run, `http://TQ_HOST:TQ_PORT`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

from quest.core.settings import Settings

WILDCARD_BINDS = frozenset({"0.0.0.0", "::", "", "*"})
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")

log = logging.getLogger("talentquest")


@dataclass(frozen=True)
class Site:
    """The public face of one deployment, computed once from the settings."""

    url: str  # no trailing slash
    origin: str  # scheme://host[:port], lower case
    https: bool
    hosts: tuple[str, ...]  # Host names answered (`*` = any, `*.x` = sub-domains of x)


def site(settings: Settings) -> Site:
    return _site(settings.public_url, settings.host, settings.port, settings.trusted_hosts)


@lru_cache(maxsize=16)
def _site(public_url: str | None, host: str, port: int, trusted: str) -> Site:
    if not public_url and host in WILDCARD_BINDS:
        log.warning(
            "TQ_HOST=%s without TQ_PUBLIC_URL: QR codes point at 127.0.0.1 and only loopback "
            "Host names are answered; set TQ_PUBLIC_URL to the address people use",
            host,
        )
    url = (public_url or _local_url(host, port)).rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"TQ_PUBLIC_URL must be an http(s) URL, not {url!r}")
    origin = f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}".lower()
    if trusted.strip():
        listed = (h.strip().lower().strip("[]") for h in trusted.split(",") if h.strip())
        # The public URL's host is always answered (in-process clients use it too).
        hosts = tuple(dict.fromkeys((*listed, parts.hostname.lower())))
    else:
        bound = () if host in WILDCARD_BINDS else (host.lower().strip("[]"),)
        hosts = tuple(dict.fromkeys((parts.hostname.lower(), *LOOPBACK_NAMES, *bound)))
    return Site(url=url, origin=origin, https=parts.scheme == "https", hosts=hosts)


def _local_url(host: str, port: int) -> str:
    name = "127.0.0.1" if host in WILDCARD_BINDS else host
    if ":" in name:
        name = f"[{name}]"
    return f"http://{name}:{port}"


def host_name(header: str) -> str:
    """The name part of a `Host` header value (`[::1]:8000` -> `::1`), lower case."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1:].partition("]")[0]
    if header.count(":") > 1:  # a bare IPv6 address
        return header
    return header.partition(":")[0]


def host_allowed(name: str, hosts: tuple[str, ...]) -> bool:
    for pattern in hosts:
        if pattern == "*" or pattern == name:
            return True
        if pattern.startswith("*.") and name.endswith(pattern[1:]):
            return True
    return False


def same_origin(origin: str, *, public_origin: str, scheme: str, host: str) -> bool:
    """`Origin` names this site: the public URL's origin or the request's own scheme+host."""
    origin = origin.strip().lower().rstrip("/")
    if origin == public_origin:
        return True
    own = f"{scheme}://{host}".lower()
    if origin == own:
        return True
    # A default port may or may not be spelled out on either side.
    default = {"http": ":80", "https": ":443"}.get(scheme, "")
    return bool(default) and (origin + default == own or origin == own + default)

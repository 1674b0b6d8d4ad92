"""Plain ASGI middleware (no BaseHTTPMiddleware): body size cap, route latency, trusted
Host names, and the security headers of every response."""

from __future__ import annotations

import json
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from quest.core.metrics import Metrics
from quest.core.origins import host_allowed, host_name

_FRAMED_BY_HEADERS = frozenset({"1.0", "1.1"})


class BodyLimit:
    """Refuse request bodies over `limit` bytes with 413 before the app reads them.

    A request that declares neither `Content-Length` nor `Transfer-Encoding` has no body
    (HTTP/1.x framing; the server enforces it): it passes untouched, at the cost of one scan
    of its header names. Any other HTTP version is always counted."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared: bytes | None = None
        framed = False
        for name, value in scope["headers"]:
            if name == b"content-length":
                declared, framed = value, True
            elif name == b"transfer-encoding":
                framed = True
        if not framed and scope.get("http_version") in _FRAMED_BY_HEADERS:
            await self.app(scope, receive, send)
            return
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await _too_large(send, self.limit)
            return
        seen = 0

        async def capped() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise _TooLarge()
            return message

        try:
            await self.app(scope, capped, send)
        except _TooLarge:
            await _too_large(send, self.limit)


class _TooLarge(Exception):
    pass


async def _too_large(send: Send, limit: int) -> None:
    body = json.dumps(
        {"detail": f"The request body is over {limit} bytes.", "code": "body_too_large"}
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class RouteTiming:
    """Observe latency per route template (not per raw path, to keep cardinality bounded).

    The histogram's child per (method, route, status) is looked up once and kept: the label
    look-up (a lock and a dictionary) is most of what observing costs."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app, self.metrics = app, metrics
        self._children: dict[tuple[str, str, int], Any] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = [500]

        async def record(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, record)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            key = (scope["method"], template, status[0])
            child = self._children.get(key)
            if child is None:
                child = self.metrics.latency.labels(key[0], template, str(key[2]))
                if len(self._children) < 4096:
                    self._children[key] = child
            child.observe(time.perf_counter() - start)


class TrustedHosts:
    """Answer only the Host names this deployment is reached by (400 `untrusted_host`).

    Links are built from TQ_PUBLIC_URL, not from `Host`; this keeps a forged `Host` from
    reaching the app at all (cache poisoning, password-reset style link tricks)."""

    def __init__(self, app: ASGIApp, hosts: tuple[str, ...]) -> None:
        self.app = app
        self.hosts = hosts
        self.any = "*" in hosts
        self.known: set[bytes] = set()  # Host header values seen and allowed (bounded)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.any or scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        raw = b""
        for name, value in scope["headers"]:
            if name == b"host":
                raw = value
                break
        if raw not in self.known:
            if not host_allowed(host_name(raw.decode("latin-1")), self.hosts):
                await _refuse_host(scope, send)
                return
            if len(self.known) < 64:
                self.known.add(raw)
        await self.app(scope, receive, send)


async def _refuse_host(scope: Scope, send: Send) -> None:
    if scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": 1008})
        return
    body = json.dumps(
        {"detail": "This server does not answer for that Host name.", "code": "untrusted_host"}
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 400,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"cache-control", b"no-store"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


Headers = list[tuple[bytes, bytes]]

PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'{ws}; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors {frame}"
)
# Swagger UI and ReDoc (FastAPI's /docs, /redoc) load from a CDN and start inline.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com; "
    "font-src 'self' https://fonts.gstatic.com; img-src 'self' data: https://fastapi.tiangolo.com "
    "https://cdn.redoc.ly; worker-src blob:; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'"
)


class SecurityHeaders:
    """Headers every response gets, computed once: CSP, nosniff, Referrer-Policy, framing,
    HSTS (https public URL only), `Cache-Control: no-store` unless the app chose a policy
    (live and personal data must not sit in a shared cache), and `Secure` on every cookie
    when the public URL is https (the app may see plain http behind a TLS proxy)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        origin: str,
        https: bool,
        frame_ancestors: str,
        framable: tuple[str, ...] = (),
        docs: tuple[str, ...] = ("/docs", "/redoc"),
        cacheable: tuple[str, ...] = ("/static/",),
        hsts_max_age_s: int = 31_536_000,
    ) -> None:
        self.app = app
        self.framable, self.docs, self.cacheable = framable, docs, cacheable
        self.https = https
        ws = " " + origin.replace("https://", "wss://").replace("http://", "ws://")
        common: Headers = [
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"strict-origin-when-cross-origin"),
            (b"cross-origin-opener-policy", b"same-origin"),
        ]
        if https and hsts_max_age_s > 0:
            common.append((b"strict-transport-security", f"max-age={hsts_max_age_s}".encode()))
        deny: Headers = [(b"x-frame-options", b"DENY")]
        self.default = [
            *common,
            *deny,
            (b"content-security-policy", PAGE_CSP.format(ws=ws, frame="'none'").encode()),
        ]
        self.docs_headers = [*common, *deny, (b"content-security-policy", DOCS_CSP.encode())]
        frame = frame_ancestors.strip() or "'none'"
        legacy = {"'none'": b"DENY", "'self'": b"SAMEORIGIN"}.get(frame)
        self.framed = [
            *common,
            *([(b"x-frame-options", legacy)] if legacy else []),
            (b"content-security-policy", PAGE_CSP.format(ws=ws, frame=frame).encode()),
        ]
        # Each set with `Cache-Control: no-store` appended, built once.
        no_store = (b"cache-control", b"no-store")
        self._no_store = {
            id(h): [*h, no_store] for h in (self.default, self.docs_headers, self.framed)
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if path.startswith(self.framable):
            extra = self.framed
        elif path.startswith(self.docs):
            extra = self.docs_headers
        else:
            extra = self.default
        if path.startswith(self.cacheable):
            extra_no_store = extra
        else:
            extra_no_store = self._no_store[id(extra)]

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers: Headers = list(message.get("headers", ()))
                added = extra_no_store
                cookies = False
                for name, _ in headers:
                    if name == b"cache-control":
                        added = extra
                    elif name == b"set-cookie":
                        cookies = True
                if cookies and self.https:
                    headers = [_secure(h) if h[0] == b"set-cookie" else h for h in headers]
                headers.extend(added)
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)


def _secure(header: tuple[bytes, bytes]) -> tuple[bytes, bytes]:
    name, value = header
    if b"; secure" in value.lower():
        return header
    return name, value + b"; Secure"

"""The one place errors become HTTP answers: `{"detail", "code"}` with the error's status."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from redis.exceptions import RedisClusterException, RedisError
from starlette.exceptions import HTTPException as StarletteHTTPException

from quest.core.errors import DomainError

log = logging.getLogger("talentquest")


def _error(status: int, code: str, detail: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"detail": detail, "code": code, **extra}, status_code=status)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain(_: Request, exc: DomainError) -> JSONResponse:
        extra = {"errors": exc.errors} if exc.errors else {}
        response = _error(exc.status_, exc.code_, exc.detail, **extra)
        response.headers.update(exc.headers)
        return response

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {
                "path": ".".join(str(p) for p in e.get("loc", ()) if p != "body"),
                "message": e.get("msg", ""),
            }
            for e in exc.errors()
        ]
        if any(e.get("type") == "json_invalid" for e in exc.errors()):
            return _error(422, "malformed_json", "The request body is not valid JSON.")
        first = errors[0] if errors else {"path": "", "message": "invalid"}
        return _error(
            422, "invalid_request", f"{first['path'] or 'body'}: {first['message']}", errors=errors
        )

    @app.exception_handler(StarletteHTTPException)
    async def http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        codes = {404: "not_found", 405: "method_not_allowed", 401: "not_authenticated"}
        response = _error(
            exc.status_code, codes.get(exc.status_code, "http_error"), str(exc.detail)
        )
        if exc.headers:
            response.headers.update(exc.headers)
        return response

    @app.exception_handler(RedisError)
    @app.exception_handler(RedisClusterException)  # a cluster without a master for a slot
    async def redis_down(_: Request, exc: Exception) -> JSONResponse:
        log.warning("redis unavailable: %s", type(exc).__name__)
        response = _error(
            503, "boards_unavailable", "Leaderboards are briefly unavailable; try again."
        )
        response.headers["Retry-After"] = "2"  # a failover or a restart takes a few seconds
        return response

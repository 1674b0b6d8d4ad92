"""Base domain errors: each carries its HTTP status and machine code; one handler renders them."""

from __future__ import annotations

from typing import ClassVar


class DomainError(Exception):
    status: ClassVar[int] = 400
    code: ClassVar[str] = "bad_request"
    detail: str = "The request could not be processed."

    def __init__(
        self,
        detail: str | None = None,
        *,
        code: str | None = None,
        status: int | None = None,
        headers: dict[str, str] | None = None,
        errors: list[dict[str, str]] | None = None,
    ) -> None:
        self.detail = detail or type(self).detail
        self.code_ = code or type(self).code
        self.status_ = status or type(self).status
        self.headers = headers or {}
        self.errors = errors
        super().__init__(self.detail)


class NotFound(DomainError):
    status = 404
    code = "not_found"
    detail = "Not found."


class Unauthenticated(DomainError):
    status = 401
    code = "not_authenticated"
    detail = "Log in first."


class Forbidden(DomainError):
    status = 403
    code = "forbidden"
    detail = "You are not allowed to do that."


class Conflict(DomainError):
    status = 409
    code = "conflict"


class Invalid(DomainError):
    status = 422
    code = "invalid"


class RateLimited(DomainError):
    status = 429
    code = "rate_limited"
    detail = "Too many attempts; slow down."

    def __init__(self, detail: str | None = None, *, retry_after: int, code: str | None = None):
        super().__init__(detail, code=code, headers={"Retry-After": str(max(1, retry_after))})


class Unavailable(DomainError):
    status = 503
    code = "unavailable"

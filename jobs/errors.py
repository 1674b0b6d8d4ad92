"""Domain errors carrying their HTTP status and machine code, and the one handler."""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse


class JobsError(Exception):
    """An error the job listing module answers with `{"detail", "code"}`."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        *,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.headers = dict(headers) if headers else None


def job_not_found(job_id: int) -> JobsError:
    return JobsError(404, "job_not_found", f"There is no job with id {job_id}.")


def candidate_not_found(candidate_id: str) -> JobsError:
    return JobsError(404, "candidate_not_found", f"There is no candidate {candidate_id!r}.")


def not_a_jobseeker() -> JobsError:
    return JobsError(
        404, "not_a_jobseeker", "You have not become a jobseeker yet, so there is nothing to match."
    )


def invalid_filter(field: str, value: str, allowed: tuple[str, ...]) -> JobsError:
    return JobsError(
        422,
        "invalid_filter",
        f"Unknown {field} {value!r}; expected one of: {', '.join(allowed)}.",
    )


async def _render(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, JobsError)
    return JSONResponse(
        {"detail": exc.detail, "code": exc.code}, status_code=exc.status, headers=exc.headers
    )


def install_error_handler(app: FastAPI) -> None:
    """Render every JobsError as `{"detail": ..., "code": ...}` with its status."""
    app.add_exception_handler(JobsError, _render)

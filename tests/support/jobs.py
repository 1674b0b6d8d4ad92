"""Helpers shared by the job listing tests (importable, unlike conftest)."""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import httpx

SECRET = "whsec_" + base64.b64encode(b"talent-quest-handoff-test-secret").decode()
Send = Callable[..., Awaitable[httpx.Response]]


def as_(account: int, role: str) -> dict[str, str]:
    return {"X-Test-Account": f"{account}:{role}"}


def profile(candidate_id: str, account_id: int, **changes: Any) -> dict[str, Any]:
    """`data` of a candidate.converted event, with any field replaced."""
    now = datetime.now(UTC).isoformat()
    data: dict[str, Any] = {
        "candidate_id": candidate_id,
        "account_id": account_id,
        "full_name": f"Jobseeker {candidate_id}",
        "email": f"{candidate_id}@example.com",
        "phone": "+852 5555 0000",
        "education_level": "bachelor",
        "field_of_study": "Computer Science",
        "sectors": ["ai-data"],
        "experience_level": "entry",
        "regions": ["hk", "gba"],
        "links": ["https://example.com/cv"],
        "consent": {"share_with_employers": True, "notice_version": "2026-01", "given_at": now},
        "assessment": {
            "quest": "talent-quest-2026",
            "score": 420,
            "percentile": 88.5,
            "badges": ["first-solve"],
            "tracks_completed": ["ai-data"],
        },
        "converted_at": now,
    }
    data.update(changes)
    return data


def envelope(kind: str, data: dict[str, Any], at: datetime | None = None) -> dict[str, Any]:
    stamp = (at or datetime.now(UTC)).isoformat()
    return {"type": f"candidate.{kind}", "timestamp": stamp, "data": data}

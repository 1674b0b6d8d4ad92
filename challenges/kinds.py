"""Answer checking for each challenge kind. Runs on the server only."""

from __future__ import annotations

import logging
import math
import time
from typing import Any

import pyotp
import regex

BOOTH_STEP_S = 30
# A staff regex gets this long per answer, off the event loop (`slow`); a legitimate pattern on a
# 2,000-character answer needs microseconds. Past it the answer counts as wrong (and is
# logged, without the answer): a catastrophic pattern cannot stall every player's attempts.
REGEX_TIMEOUT_S = 0.05

log = logging.getLogger("talentquest.challenges")


def normalise(text: str) -> str:
    """Case- and whitespace-insensitive form of a text answer."""
    return " ".join(text.split()).casefold()


def check(kind: str, spec: dict[str, Any], answer: Any, *, now: float | None = None) -> bool:
    if kind == "choice":
        return _check_choice(spec, answer)
    if kind == "text":
        return _check_text(spec, answer)
    if kind == "numeric":
        return _check_numeric(spec, answer)
    if kind == "checkin":
        return isinstance(answer, str) and booth_code_valid(spec["secret"], answer, now=now)
    return False


def malformed(kind: str, answer: Any) -> str | None:
    """Why `answer` is not an answer at all for this kind (the API answers 422), or None.

    A numeric answer that reads as NaN or infinity (`NaN`, `Infinity`, `1e400`) is refused
    rather than counted wrong: no tolerance can make it right.
    """
    if kind != "numeric" or isinstance(answer, bool) or isinstance(answer, list):
        return None
    value = numeric_value(answer)
    if value is not None and not math.isfinite(value):
        return "A numeric answer must be a finite number."
    return None


def numeric_value(answer: Any) -> float | None:
    """The number a numeric answer reads as (thousands separators allowed), or None."""
    if isinstance(answer, bool):
        return None
    try:
        if isinstance(answer, int | float):
            return float(answer)  # a 400-digit JSON integer overflows
        return float(str(answer).replace(",", "").replace("_", "").strip())
    except (ValueError, OverflowError):
        return None


def _check_choice(spec: dict[str, Any], answer: Any) -> bool:
    expected = spec["answer"]
    if isinstance(expected, list):
        if not isinstance(answer, list) or not all(isinstance(a, str) for a in answer):
            return False
        return {normalise(a) for a in answer} == {normalise(e) for e in expected}
    if isinstance(answer, list) and len(answer) == 1:
        answer = answer[0]
    return isinstance(answer, str) and normalise(answer) == normalise(str(expected))


def _check_text(spec: dict[str, Any], answer: Any) -> bool:
    if not isinstance(answer, str | int | float) or isinstance(answer, bool):
        return False
    given = normalise(str(answer))
    expected = spec["answer"]
    if isinstance(expected, dict):
        return _regex_matches(expected["regex"], given)
    accepted = expected if isinstance(expected, list) else [expected]
    return given in {normalise(a) for a in accepted}


def _regex_matches(pattern: str, given: str) -> bool:
    """Full match, case-insensitive, bounded in time (`regex`'s timeout); a timeout is wrong."""
    try:
        return (
            regex.fullmatch(pattern, given, flags=regex.IGNORECASE, timeout=REGEX_TIMEOUT_S)
            is not None
        )
    except TimeoutError:
        log.warning(
            "answer regex %r timed out after %.0f ms on a %d-character answer; counted wrong",
            pattern[:80],
            REGEX_TIMEOUT_S * 1000,
            len(given),
        )
        return False


def _check_numeric(spec: dict[str, Any], answer: Any) -> bool:
    value = numeric_value(answer)
    if value is None or not math.isfinite(value):
        return False
    tolerance = float(spec.get("tolerance") or 0.0)
    return abs(value - float(spec["answer"])) <= tolerance + 1e-9


def _totp(secret: str) -> pyotp.TOTP:
    padded = secret.upper()
    return pyotp.TOTP(padded, digits=6, interval=BOOTH_STEP_S)


def booth_code(secret: str, *, now: float | None = None) -> str:
    """The code a booth's screen shows now; it changes every 30 seconds."""
    return _totp(secret).at(int(now if now is not None else time.time()))


def booth_code_valid(secret: str, code: str, *, now: float | None = None) -> bool:
    """Accept the current code and the one before it (one step of clock skew)."""
    code = code.strip().replace(" ", "")
    if not code.isdigit() or len(code) != 6:
        return False
    moment = now if now is not None else time.time()
    return _totp(secret).verify(code, for_time=int(moment), valid_window=1)


def slow(kind: str, spec: dict[str, Any]) -> bool:
    """Whether checking an answer may take long (a staff regex, bounded by its timeout)."""
    return kind == "text" and isinstance(spec.get("answer"), dict)

"""Answers that no challenge may take: non-finite numbers, and staff regexes that could run
unbounded (pure rules: no Redis, no database)."""

from __future__ import annotations

import logging
import time
from typing import Any

import pytest
from pydantic import ValidationError

from challenges.content import ChallengeDoc
from challenges.kinds import REGEX_TIMEOUT_S, check, malformed


def _doc(**fields: Any) -> ChallengeDoc:
    base: dict[str, Any] = {
        "slug": "c",
        "track": "t",
        "title": "C",
        "prompt": "?",
        "kind": "numeric",
        "points": 10,
        "answer": 1,
    }
    return ChallengeDoc.model_validate(base | fields)


@pytest.mark.parametrize(
    "answer", [float("nan"), float("inf"), float("-inf"), "NaN", "Infinity", "-inf", "1e400"]
)
def test_non_finite_numeric_answers_are_malformed(answer: Any) -> None:
    assert malformed("numeric", answer) is not None
    assert check("numeric", {"answer": 1}, answer) is False


@pytest.mark.parametrize("answer", [3, 3.5, "3", "1,000", "abc", "1e300", ["3"]])
def test_finite_or_unparseable_numeric_answers_are_not_malformed(answer: Any) -> None:
    assert malformed("numeric", answer) is None


def test_other_kinds_take_those_strings_as_text() -> None:
    assert malformed("text", "NaN") is None
    assert check("text", {"answer": "NaN"}, "nan") is True


@pytest.mark.parametrize(
    ("field", "value"),
    [("answer", float("nan")), ("answer", float("inf")), ("tolerance", float("inf"))],
)
def test_documents_refuse_non_finite_numbers(field: str, value: float) -> None:
    problems = dict(_doc(**{field: value}).problems())
    assert field in problems and "finite" in problems[field]


def test_finite_numbers_in_documents_are_fine() -> None:
    assert _doc(answer=1e300, tolerance=0.5).problems() == []


# --- regexes --------------------------------------------------------------------------------


@pytest.mark.parametrize("pattern", ["(a+)+$", "(a|aa)+$", "(a|a?)+$", "(.*a){25}$"])
def test_a_catastrophic_regex_returns_within_the_bound(pattern: str) -> None:
    started = time.monotonic()
    assert check("text", {"answer": {"regex": pattern}}, "a" * 30 + "b") is False
    assert time.monotonic() - started < REGEX_TIMEOUT_S + 0.5


def test_a_timeout_counts_wrong_and_is_logged_without_the_answer(
    caplog: pytest.LogCaptureFixture,
) -> None:
    answer = "a" * 40 + "b"  # (a|aa)+ backtracks exponentially even in the `regex` module
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="talentquest.challenges"):
        assert check("text", {"answer": {"regex": "(a|aa)+$"}}, answer) is False
    assert time.monotonic() - started < REGEX_TIMEOUT_S + 0.5
    assert "timed out" in caplog.text and answer not in caplog.text


def test_regexes_still_match_as_before() -> None:
    spec = {"answer": {"regex": "cr[iy]spr"}}
    assert check("text", spec, "CRISPR") is True
    assert check("text", spec, "crispr-cas9") is False


@pytest.mark.parametrize("regex", ["(unclosed", "[z-a]", "a{2,1}"])
def test_documents_refuse_regexes_that_do_not_compile(regex: str) -> None:
    problems = dict(_doc(kind="text", answer={"regex": regex}).problems())
    assert "not a valid regular expression" in problems["answer.regex"]


def test_documents_refuse_long_regexes() -> None:
    with pytest.raises(ValidationError, match="at most 500 characters"):
        _doc(kind="text", answer={"regex": "a" * 501})


def test_documents_accept_what_the_regex_module_compiles() -> None:
    # `regex` syntax beyond `re` (possessive quantifiers, atomic groups) is fine.
    assert _doc(kind="text", answer={"regex": "(?>a+)b|c++"}).problems() == []

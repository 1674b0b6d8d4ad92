"""Pure rules of answer checking (`challenges.kinds`): no Redis, no database, no app.

Cases marked `xfail(strict=True)` state what a player would expect where today's code
does something else; they turn into failures (XPASS) once the code is fixed, so the mark
must then be removed.
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from challenges.kinds import check, normalise

SINGLE = {"answer": "A network", "options": ["A network", "A bird", "A car"]}
MULTI = {"answer": ["Alpha", "Gamma"], "options": ["Alpha", "Beta", "Gamma"]}


def numeric(answer: float, tolerance: float | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {"answer": answer}
    if tolerance is not None:
        spec["tolerance"] = tolerance
    return spec


# --- normalise ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("New York", "new york"),
        ("  New \t York\n", "new york"),
        ("NEW\u00a0YORK", "new york"),  # no-break space
        ("new\u3000york", "new york"),  # ideographic space
        ("a  b   c", "a b c"),
        ("   ", ""),
        ("", ""),
    ],
)
def test_normalise_folds_case_and_collapses_whitespace(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


@pytest.mark.xfail(
    strict=True,
    reason="normalise() does no NFKC: full-width 'ＡＢＣ１２３' stays full-width",
)
def test_normalise_folds_full_width_forms() -> None:
    assert normalise("ＡＢＣ　１２３") == "abc 123"


# --- choice: single answer ---------------------------------------------------------------


@pytest.mark.parametrize(
    "answer",
    ["A network", "a network", "  A   NETWORK ", ["A network"], [" a network "]],
)
def test_single_choice_accepts_the_answer(answer: Any) -> None:
    assert check("choice", SINGLE, answer) is True


@pytest.mark.parametrize(
    "answer",
    [
        "A bird",
        "A networks",
        "",
        [],
        ["A bird"],
        ["A network", "A bird"],
        None,
        1,
        True,
        {"A network": True},
        ("A network",),
    ],
)
def test_single_choice_rejects_other_answers_and_types(answer: Any) -> None:
    assert check("choice", SINGLE, answer) is False


@pytest.mark.xfail(
    strict=True,
    reason="a duplicated single pick ['A network', 'A network'] is rejected, while "
    "multi-choice ignores duplicates",
)
def test_single_choice_ignores_a_duplicated_pick() -> None:
    assert check("choice", SINGLE, ["A network", "A network"]) is True


# --- choice: several answers -------------------------------------------------------------


@pytest.mark.parametrize(
    "answer",
    [
        ["Alpha", "Gamma"],
        ["Gamma", "Alpha"],  # order does not matter
        ["alpha", "  GAMMA "],
        ["Alpha", "Gamma", "Alpha"],  # duplicates do not matter
    ],
)
def test_multi_choice_accepts_the_exact_set(answer: list[str]) -> None:
    assert check("choice", MULTI, answer) is True


@pytest.mark.parametrize(
    "answer",
    [
        ["Alpha"],  # subset
        ["Alpha", "Beta", "Gamma"],  # superset
        ["Alpha", "Beta"],
        [],
        "Alpha",
        "Alpha, Gamma",
        ["Alpha", 1],
        ["Alpha", None],
        None,
        {"Alpha": True, "Gamma": True},
    ],
)
def test_multi_choice_rejects_anything_else(answer: Any) -> None:
    assert check("choice", MULTI, answer) is False


# --- text --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expected", "answer", "ok"),
    [
        ("thymine", "thymine", True),
        ("thymine", "Thymine", True),
        ("thymine", "  THYMINE\n", True),
        ("thymine", "thymin", False),
        ("thymine", "thymines", False),
        ("thymine", "", False),
        (["T", "thymine"], "t", True),
        (["T", "thymine"], "ThYmInE", True),
        (["T", "thymine"], "A", False),
        (["T", "thymine"], "T thymine", False),
        ("New York", "new   york", True),
        ("New York", "\tnew\nyork ", True),
        ("New York", "newyork", False),
        (["Straße"], "STRASSE", True),  # casefold applied on both sides of a list answer
        ("42", 42, True),  # the API may send a number to a text challenge
        ("4.5", 4.5, True),
    ],
)
def test_text_answers(expected: Any, answer: Any, ok: bool) -> None:
    assert check("text", {"answer": expected}, answer) is ok


@pytest.mark.parametrize(
    "answer",
    [None, {"answer": "thymine"}, ["thymine"], ("thymine",), True, False],
)
def test_text_rejects_wrong_types(answer: Any) -> None:
    # "true" is accepted as text, so a bool must be refused on its type, not its spelling.
    spec = {"answer": ["thymine", "true", "false"]}
    assert check("text", spec, answer) is False


@pytest.mark.parametrize(
    ("regex", "answer", "ok"),
    [
        ("cr[iy]spr", "crispr", True),
        ("cr[iy]spr", "CRYSPR", True),
        ("cr[iy]spr", "  CrIsPr  ", True),
        ("cr[iy]spr", "xcrisprx", False),  # fullmatch, not search
        ("cr[iy]spr", "crisprx", False),
        ("cr[iy]spr", "xcrispr", False),
        ("cr[iy]spr", "cr1spr", False),
        ("cr[iy]spr", "", False),
        ("cat|dog", "cat", True),
        ("cat|dog", "dog", True),
        ("cat|dog", "catdog", False),  # the whole alternation is anchored
        ("cat|dog", "cats", False),
        ("DNA[- ]?Ligase", "dna ligase", True),  # case-insensitive pattern
        ("DNA[- ]?Ligase", "DNA-LIGASE", True),
        ("abc", "xabcx", False),
        ("abc", "ABC", True),
        ("hello world", "hello    world", True),  # whitespace collapsed before matching
    ],
)
def test_text_regex_is_fullmatch_and_case_insensitive(regex: str, answer: str, ok: bool) -> None:
    assert check("text", {"answer": {"regex": regex}}, answer) is ok


@pytest.mark.xfail(
    strict=True,
    reason="the answer is casefolded ('straße' -> 'strasse') before re.fullmatch, so a "
    "regex containing ß rejects the very text it spells",
)
def test_text_regex_accepts_its_own_literal_with_sharp_s() -> None:
    assert check("text", {"answer": {"regex": "straße"}}, "straße") is True


@pytest.mark.xfail(
    strict=True,
    reason="no NFKC: full-width 'ＴＨＹＭＩＮＥ' is rejected for the list answer 'thymine'",
)
def test_text_accepts_full_width_letters() -> None:
    assert check("text", {"answer": ["T", "thymine"]}, "ＴＨＹＭＩＮＥ") is True


@pytest.mark.xfail(
    strict=True,
    reason="no NFKC: full-width 'ｃｒｉｓｐｒ' does not match the regex cr[iy]spr",
)
def test_text_regex_accepts_full_width_letters() -> None:
    assert check("text", {"answer": {"regex": "cr[iy]spr"}}, "ｃｒｉｓｐｒ") is True


# --- numeric -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "answer",
    [
        123,
        123.0,
        "123",
        " 123 ",
        "+123",
        "123.000",
        "1.23e2",
        "１２３",  # full-width digits (an IME's default)
        "١٢٣",  # Arabic-Indic digits
    ],
)
def test_numeric_accepts_equal_values(answer: Any) -> None:
    assert check("numeric", numeric(123), answer) is True


@pytest.mark.parametrize(
    "answer",
    [
        "124",
        "122.5",
        "12 3",
        "123abc",
        "0x7b",
        "one hundred and twenty-three",
        "",
        "   ",
        None,
        {},
        {"value": 123},
        [123],
        ["123"],
    ],
)
def test_numeric_rejects_other_values_and_types(answer: Any) -> None:
    assert check("numeric", numeric(123), answer) is False


@pytest.mark.parametrize(("answer", "expected"), [(True, 1), (False, 0)])
def test_numeric_rejects_booleans(answer: bool, expected: int) -> None:
    assert check("numeric", numeric(expected), answer) is False


@pytest.mark.parametrize(
    "answer",
    ["nan", "NaN", "inf", "-inf", "Infinity", "1e400", math.nan, math.inf, -math.inf],
)
def test_numeric_rejects_non_finite_even_with_infinite_tolerance(answer: Any) -> None:
    assert check("numeric", numeric(123, tolerance=math.inf), answer) is False


def test_numeric_infinite_tolerance_accepts_any_finite_number() -> None:
    assert check("numeric", numeric(123, tolerance=math.inf), "-1e300") is True


@pytest.mark.parametrize(
    ("expected", "tolerance", "answer", "ok"),
    [
        (10, 0.5, "10.5", True),  # exactly at the upper bound
        (10, 0.5, "9.5", True),  # exactly at the lower bound
        (10, 0.5, "10.2", True),
        (10, 0.5, "10.51", False),  # just beyond
        (10, 0.5, "9.49", False),
        (10, 0.5, "10.500001", False),
        (10, 0, "10", True),
        (10, 0, "10.0", True),
        (10, 0, "10.001", False),
        (10, 0, "9.999999", False),
        (10, None, "10.01", False),  # no tolerance means exact
        (1.0, 0.1, "1.1", True),  # 1.1 - 1.0 is 0.10000000000000009 in binary
        (1.0, 0.1, "0.9", True),
        (2.675, 0.005, "2.68", True),
        (2.675, 0.005, "2.67", True),
        (2.675, 0.005, "2.681", False),
        (0.1 + 0.2, 0, "0.3", True),
        (-10, 0.5, "-10.5", True),
        (-10, 0.5, "-9.5", True),
        (-10, 0.5, "-10.51", False),
        (-10, 0.5, "-9.49", False),
    ],
)
def test_numeric_tolerance_bounds(
    expected: float, tolerance: float | None, answer: str, ok: bool
) -> None:
    assert check("numeric", numeric(expected, tolerance), answer) is ok


@pytest.mark.parametrize(
    ("expected", "answer", "ok"),
    [
        (-5, "-5", True),
        (-5, "-5.0", True),
        (-5, -5, True),
        (-5, "5", False),
        (5, "-5", False),
        (0, "-0", True),
        (-0.25, "-.25", True),
    ],
)
def test_numeric_negative_numbers(expected: float, answer: Any, ok: bool) -> None:
    assert check("numeric", numeric(expected), answer) is ok


@pytest.mark.parametrize(
    ("expected", "answer"),
    [
        (1000, "1,000"),
        (1000, "1,000.0"),
        (1_000_000, "1,000,000"),
        (1234.5, "1,234.5"),
        (-1000, "-1,000"),
    ],
)
def test_numeric_accepts_thousands_separators(expected: float, answer: str) -> None:
    assert check("numeric", numeric(expected), answer) is True


@pytest.mark.parametrize(
    "answer",
    [
        pytest.param(
            a,
            marks=pytest.mark.xfail(
                strict=True,
                reason=f"commas are stripped wherever they are, so {a!r} reads as 123",
            ),
        )
        for a in ["12,3", "1,23", ",123", "123,"]
    ],
)
def test_numeric_rejects_misplaced_separators(answer: str) -> None:
    # "12,3" is a decimal comma (12.3) in much of the world; it must not be taken for 123.
    assert check("numeric", numeric(123), answer) is False


# --- unknown kinds --------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["essay", "", "CHOICE"])
def test_unknown_kind_is_never_correct(kind: str) -> None:
    assert check(kind, {"answer": "x"}, "x") is False

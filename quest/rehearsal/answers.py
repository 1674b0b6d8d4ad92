"""What a simulated player answers: the right answer from the quest document, or a wrong one.

Answers come from the staff's copy of the document (`GET /api/admin/quests/{slug}/document`,
or a local file), never from the player API: answers never leave the server otherwise.
"""

from __future__ import annotations

import importlib
import random
import re
from typing import Any

# The standard library's regular-expression parser (private, but stable since 3.11): enough
# to write one string a staff regex accepts. A pattern it cannot follow yields no answer.
_parser: Any = importlib.import_module("re._parser")
_constants: Any = importlib.import_module("re._constants")
_CATEGORY_CHAR = {
    "CATEGORY_DIGIT": "7",
    "CATEGORY_SPACE": " ",
    "CATEGORY_WORD": "a",
    "CATEGORY_NOT_DIGIT": "a",
    "CATEGORY_NOT_SPACE": "a",
    "CATEGORY_NOT_WORD": " ",
}


def _emit(items: Any) -> str:
    out = []
    for op, arg in items:
        name = str(op)
        if name == "LITERAL":
            out.append(chr(arg))
        elif name == "ANY":
            out.append("a")
        elif name == "IN":
            out.append(_one_of(arg))
        elif name == "BRANCH":
            out.append(_emit(arg[1][0]))
        elif name == "SUBPATTERN":
            out.append(_emit(arg[-1]))
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, _high, inner = arg
            out.append(_emit(inner) * int(low))
        elif name == "AT":
            continue
        else:
            raise ValueError(name)
    return "".join(out)


def _one_of(choices: Any) -> str:
    for op, arg in choices:
        name = str(op)
        if name == "LITERAL":
            return chr(arg)
        if name == "RANGE":
            return chr(arg[0])
        if name == "CATEGORY":
            return _CATEGORY_CHAR.get(str(arg), "a")
        if name == "NEGATE":
            continue
    raise ValueError("IN")


def regex_example(pattern: str) -> str | None:
    """A short string `pattern` matches (as the answer checker searches), or None."""
    try:
        example = _emit(_parser.parse(pattern, re.IGNORECASE))
        if re.search(pattern, example, re.IGNORECASE):
            return example
    except (ValueError, re.error, TypeError, IndexError):
        pass
    return None


def right_answer(challenge: dict[str, Any]) -> Any:
    """The answer that solves `challenge` (a document entry), or None if we cannot tell."""
    kind, answer = challenge.get("kind"), challenge.get("answer")
    if kind == "choice":
        return list(answer) if isinstance(answer, list) else answer
    if kind == "numeric":
        return answer
    if kind == "text":
        if isinstance(answer, dict):
            return regex_example(str(answer.get("regex", "")))
        return answer[0] if isinstance(answer, list) and answer else answer
    return None


def wrong_answer(challenge: dict[str, Any], rng: random.Random) -> Any:
    """A plausible wrong answer of the right type."""
    kind, answer = challenge.get("kind"), challenge.get("answer")
    if kind == "choice":
        options = [str(o) for o in challenge.get("options", [])]
        right = set(answer) if isinstance(answer, list) else {answer}
        others = [o for o in options if o not in right]
        if isinstance(answer, list):
            return [rng.choice(others)] if others else []
        return rng.choice(others) if others else "none of these"
    if kind == "numeric":
        value = float(answer) if isinstance(answer, int | float) else 0.0
        tolerance = float(challenge.get("tolerance") or 0)
        return value + (tolerance + 1) * rng.choice([-1, 1]) * rng.randint(1, 9)
    return rng.choice(["no idea", "maybe this", "zzz", "42?", "pass"])

"""JSON bodies written once, with orjson: read routes return them as they are, without a
second pass through a response model (the service already typed the data).

The output is what FastAPI's own encoder writes: UTC times end in `Z`, other offsets are kept.
"""

from __future__ import annotations

from typing import Any

import orjson
from pydantic import BaseModel
from starlette.responses import Response

_OPTIONS = orjson.OPT_UTC_Z


def _default(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="python")
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def dumps(value: Any) -> bytes:
    """JSON of dicts, lists, dataclasses, pydantic models, datetimes."""
    return orjson.dumps(value, default=_default, option=_OPTIONS)


class JSONBytes(Response):
    """A response whose body is JSON already encoded (`dumps`)."""

    media_type = "application/json"


def json_response(value: Any, status_code: int = 200) -> JSONBytes:
    return JSONBytes(dumps(value), status_code=status_code)

"""Schema-driven fuzzing: every operation in `/openapi.json`, with valid and invalid inputs,
as a player, a staff member and a recruiter in turn, against a real `talentquest serve`
process. Any 5xx fails the test (schemathesis's `not_a_server_error` check); every 5xx found
is listed, each with a curl command that replays it.

Bounded for CI: a fixed seed per operation, `TQ_FUZZ_EXAMPLES` examples per operation and
mode (default in tests/support/fuzz.py), no shrinking. Nothing is excluded: each operation
is called as documented; a 401/403/404/409/422/429 is a fine answer, a 5xx never is.
"""

from __future__ import annotations

import zlib
from typing import Any

import httpx
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup

from tests.support.app import QUEST_DOC, Server, auth
from tests.support.fuzz import Callers, examples, seed

DEAD_TOKEN = {"invalid_token", "token_expired"}


def test_no_server_errors(live_server: Server, server_env: dict[str, str]) -> None:
    callers = Callers(server_env["TQ_DATABASE_URL"])
    r = httpx.post(
        f"{live_server.url}/api/admin/quests",
        json=QUEST_DOC,
        headers=auth(callers.token("staff")),
        timeout=30,
    )
    assert r.status_code == 201, r.text  # the test quest: small ids name real rows
    config = schemathesis.Config.from_dict(
        {
            # A bearer token is sent on every call; a generated one would only be refused.
            "generation": {"with-security-parameters": False},
            "request-timeout": 30,
        }
    )
    schema = schemathesis.openapi.from_url(f"{live_server.url}/openapi.json", config=config)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 40, [op.label for op in operations]
    failures: dict[tuple[str, int, str], str] = {}
    calls = 0

    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @hypothesis_seed(seed() + zlib.crc32(f"{operation.label} {mode}".encode()))
            @settings(
                max_examples=examples(),
                deadline=None,
                database=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy(generation_mode=mode))
            def call(case: Any) -> None:
                nonlocal calls
                calls += 1
                role = callers.next_role()
                response = case.call(headers=auth(callers.token(role)))
                if response.status_code == 401 and _code(response) in DEAD_TOKEN:
                    callers.forget(role)  # logged out, banned or erased by an earlier call
                try:
                    case.validate_response(response, checks=[not_a_server_error])
                except (Failure, FailureGroup):
                    key = (case.operation.label, response.status_code, response.text[:80])
                    failures.setdefault(key, f"as {role}: {case.as_curl_command()}")

            try:
                call()
            except Unsatisfiable:
                # Negative mode on an operation with no parameter and no body: nothing to break.
                assert mode is GenerationMode.NEGATIVE, operation.label

    report = "\n".join(f"{op} -> {status}: {curl}" for (op, status, _), curl in failures.items())
    assert not failures, f"{len(failures)} server errors in {calls} calls:\n{report}"


def _code(response: Any) -> str:
    try:
        return str(response.json().get("code", ""))
    except ValueError:
        return ""

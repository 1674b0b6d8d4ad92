"""Secrets: generated on first start, kept private in the data directory, never from the source."""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
import stat
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from pydantic import ValidationError
from standardwebhooks import Webhook

from quest.core.secrets import load_or_create_secret, secret_path
from quest.core.settings import Settings
from tests.support.app import ROOT, Server, free_port, running_app

# What the handoff secret used to be when nothing was configured: anyone with the source
# could compute it.
_SOURCE_DEFAULT_KEY = "dev-insecure-change-me"


def _derived_from_source() -> str:
    raw = hashlib.sha256(("handoff:" + _SOURCE_DEFAULT_KEY).encode()).digest()
    return "whsec_" + base64.b64encode(raw).decode()


def _out_of_the_box(settings: Settings) -> Settings:
    """The settings a fresh `make run` has: nothing secret configured, development."""
    unset = {"environment": "development", "secret_key": None, "handoff_secret": None}
    return settings.model_copy(update=unset)


def _erasure(candidate_id: str) -> str:
    return json.dumps(
        {
            "type": "candidate.erased",
            "timestamp": datetime.now(UTC).isoformat(),
            "data": {"candidate_id": candidate_id, "account_id": 1},
        }
    )


def _signed(key: str, msg_id: str, body: str) -> dict[str, str]:
    now = datetime.now(UTC)
    return {
        "content-type": "application/json",
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(key).sign(msg_id, now, body),
    }


async def test_a_webhook_signed_with_a_secret_derived_from_the_source_is_rejected(
    settings: Settings,
) -> None:
    async with running_app(_out_of_the_box(settings)) as app:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            body = _erasure("js_victim")
            forged = await client.post(
                "/api/jobs/handoff",
                content=body,
                headers=_signed(_derived_from_source(), "m1", body),
            )
            assert (forged.status_code, forged.json()["code"]) == (401, "invalid_signature")
            # The app's own (generated) secret still works: the built-in handoff is intact.
            own = app.state.tq.settings.resolved_handoff_secret
            accepted = await client.post(
                "/api/jobs/handoff", content=body, headers=_signed(own, "m2", body)
            )
            assert accepted.status_code == 200, accepted.text


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_generated_secrets_are_private_files_reused_across_restarts(
    settings: Settings,
) -> None:
    fresh = _out_of_the_box(settings)
    async with running_app(fresh) as app:
        first = app.state.tq.settings
    key_file = secret_path(fresh.data_dir, "secret_key")
    handoff_file = secret_path(fresh.data_dir, "handoff_secret")
    for path in (key_file, handoff_file):
        assert _mode(path) == 0o600, path
    assert _mode(key_file.parent) == 0o700
    assert first.secret_key and len(first.secret_key) >= 32
    assert first.secret_key != _SOURCE_DEFAULT_KEY
    assert first.resolved_handoff_secret.startswith("whsec_")
    assert len(base64.b64decode(first.resolved_handoff_secret[6:])) >= 24
    async with running_app(fresh) as app:
        again = app.state.tq.settings
    assert (again.secret_key, again.resolved_handoff_secret) == (
        first.secret_key,
        first.resolved_handoff_secret,
    )
    assert key_file.read_text().strip() == first.secret_key


def test_processes_starting_at_once_agree_on_one_secret(tmp_path: Path) -> None:
    script = (
        "import sys, secrets; from pathlib import Path\n"
        "from quest.core.secrets import load_or_create_secret\n"
        "print(load_or_create_secret(Path(sys.argv[1]), 'shared', lambda: secrets.token_hex(32)))"
    )
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(tmp_path / "data")],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(12)
    ]
    values = set()
    for proc in procs:
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        values.add(out.strip())
    assert len(values) == 1
    assert values == {load_or_create_secret(tmp_path / "data", "shared", lambda: "other")}


@pytest.mark.parametrize(
    "bad",
    [
        "not-a-webhook-secret-at-all-not-a-webhook-secret",
        "whsec_" + base64.b64encode(b"x" * 16).decode(),  # 16 bytes: too short
        "whsec_!!!not base64!!!not base64!!!not base64",
        "whsec_",
    ],
)
def test_an_unusable_handoff_secret_is_refused(bad: str, tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="TQ_HANDOFF_SECRET"):
        Settings(data_dir=tmp_path, handoff_secret=bad)


def test_a_short_or_source_secret_key_is_refused_outside_tests(tmp_path: Path) -> None:
    for env in ("development", "production"):
        for key in (_SOURCE_DEFAULT_KEY, "short"):
            with pytest.raises(ValidationError, match="TQ_SECRET_KEY"):
                Settings(environment=env, data_dir=tmp_path, secret_key=key)


def test_the_cli_refuses_to_start_with_a_bad_handoff_secret(tmp_path: Path) -> None:
    env = dict(os.environ)
    env.update(TQ_DATA_DIR=str(tmp_path), TQ_HANDOFF_SECRET="whsec_dG9vc2hvcnQ=")
    env.pop("TQ_ENVIRONMENT", None)
    proc = subprocess.run(
        [sys.executable, "-m", "quest.cli", "serve", "--port", "1"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode != 0
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "TQ_HANDOFF_SECRET" in lines[0] and "24" in lines[0]
    assert "dG9vc2hvcnQ" not in proc.stderr  # the value is never echoed


async def test_the_start_up_log_names_where_each_secret_came_from_never_its_value(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    given = "whsec_" + base64.b64encode(os.urandom(32)).decode()
    configured = _out_of_the_box(settings).model_copy(update={"handoff_secret": given})
    with caplog.at_level(logging.INFO, logger="talentquest"):
        async with running_app(configured) as app:
            generated = app.state.tq.settings.secret_key
    first = caplog.text
    assert "TQ_SECRET_KEY: generated" in first, first
    assert "TQ_HANDOFF_SECRET: from the environment" in first, first
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="talentquest"):
        async with running_app(_out_of_the_box(settings)):
            pass
    second = caplog.text
    assert f"TQ_SECRET_KEY: read from {secret_path(settings.data_dir, 'secret_key')}" in second
    assert "TQ_HANDOFF_SECRET: generated" in second, second
    for text in (first, second):
        assert generated not in text and given not in text and given[6:] not in text


def test_a_served_process_logs_the_sources_of_its_secrets(server_env: dict[str, str]) -> None:
    env = {**server_env, "TQ_LOG_LEVEL": "info"}
    del env["TQ_SECRET_KEY"]
    server = Server(env, free_port())
    server.start()
    server.stop()
    text = server.log.read_text()
    key_file = secret_path(Path(env["TQ_DATA_DIR"]), "secret_key")
    assert f"TQ_SECRET_KEY: generated, kept in {key_file}" in text, text
    assert "TQ_HANDOFF_SECRET: generated" in text, text
    assert key_file.read_text().strip() not in text

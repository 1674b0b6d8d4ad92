"""Operational endpoints: liveness, readiness, Prometheus metrics."""

from __future__ import annotations

import hmac
import ipaddress

from fastapi import APIRouter, Depends, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from quest.core.deps import SettingsDep, StateDep
from quest.core.errors import Forbidden, Unauthenticated
from quest.ops.schemas import Health, Readiness
from quest.ops.service import readiness

router = APIRouter(tags=["operations"])

# Set by a reverse proxy: such a request came from elsewhere, whatever its socket says.
PROXY_HEADERS = ("forwarded", "x-forwarded-for", "x-real-ip")


@router.get("/healthz", response_model=Health)
async def healthz() -> Health:
    return Health()


@router.get("/readyz", response_model=Readiness)
async def readyz(state: StateDep, response: Response) -> Readiness:
    ready = await readiness(state)
    response.status_code = 200 if ready.status == "ready" else 503
    return ready


def metrics_reader(request: Request, settings: SettingsDep) -> None:
    """Who may scrape: with TQ_METRICS_TOKEN, whoever sends it as a bearer token (compared in
    constant time); without, loopback clients only (a request relayed by a proxy is not)."""
    expected = settings.metrics_token
    if expected:
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(
            given.strip().encode(), expected.encode()
        ):
            raise Unauthenticated(
                "Send the metrics token as `Authorization: Bearer <token>`.",
                code="metrics_token_required",
                headers={"WWW-Authenticate": "Bearer"},
            )
        return
    if not _loopback(request) or any(h in request.headers for h in PROXY_HEADERS):
        raise Forbidden(
            "Metrics are served to loopback clients only; set TQ_METRICS_TOKEN to scrape "
            "from elsewhere.",
            code="metrics_forbidden",
        )


def _loopback(request: Request) -> bool:
    host = request.client.host if request.client else ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


@router.get("/metrics", dependencies=[Depends(metrics_reader)])
async def metrics(state: StateDep) -> Response:
    return Response(generate_latest(state.metrics.registry), media_type=CONTENT_TYPE_LATEST)

"""Operational endpoints: liveness, readiness, Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from quest.core.deps import StateDep
from quest.ops.schemas import Health, Readiness
from quest.ops.service import readiness

router = APIRouter(tags=["operations"])


@router.get("/healthz", response_model=Health)
async def healthz() -> Health:
    return Health()


@router.get("/readyz", response_model=Readiness)
async def readyz(state: StateDep, response: Response) -> Readiness:
    ready = await readiness(state)
    response.status_code = 200 if ready.status == "ready" else 503
    return ready


@router.get("/metrics")
async def metrics(state: StateDep) -> Response:
    return Response(generate_latest(state.metrics.registry), media_type=CONTENT_TYPE_LATEST)

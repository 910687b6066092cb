"""Liveness and readiness probes."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from api.deps import AppStateDep

router = APIRouter(tags=["health"])
_PROBE_TIMEOUT_SECONDS = 2.0


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is up and serving."""
    return {"status": "ok"}


@router.get("/readyz", response_model=None)
async def readyz(state: AppStateDep) -> JSONResponse | dict[str, Any]:
    """The database and Redis both answer; 503 naming the one that does not."""

    async def database() -> None:
        async with state.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def redis() -> None:
        await state.redis.ping()

    checks: dict[str, str] = {}
    for name, probe in (("database", database), ("redis", redis)):
        try:
            await asyncio.wait_for(probe(), _PROBE_TIMEOUT_SECONDS)
            checks[name] = "ok"
        except Exception as exc:  # any failure means "not ready"; the reason is reported
            checks[name] = f"unavailable: {type(exc).__name__}"
    if all(value == "ok" for value in checks.values()):
        return {"status": "ready", "checks": checks}
    failing = [name for name, value in checks.items() if value != "ok"]
    return JSONResponse(
        {
            "error": {
                "code": "not_ready",
                "message": f"Not ready: {', '.join(failing)} unavailable.",
                "details": checks,
            }
        },
        status_code=503,
    )

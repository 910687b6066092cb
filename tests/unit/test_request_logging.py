"""Access log lines: the fields they carry, and what they must never carry."""

from __future__ import annotations

import json
import logging
import sys

import httpx
import pytest
from fastapi import FastAPI

from api.middleware import RequestContextMiddleware
from core.logs import JsonFormatter, user_id_var


def _app() -> FastAPI:
    app = FastAPI()
    app.add_middleware(RequestContextMiddleware)

    @app.post("/hooks/{platform}/{token}")
    async def hook(platform: str, token: str) -> dict[str, str]:
        return {"platform": platform}

    @app.post("/echo")
    async def echo() -> dict[str, str]:
        user_id_var.set("user-42")
        return {"ok": "yes"}

    return app


async def test_one_json_line_per_request_without_secrets(
    caplog: pytest.LogCaptureFixture,
) -> None:
    transport = httpx.ASGITransport(app=_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        with caplog.at_level(logging.INFO, logger="chidi.http"):
            response = await client.post(
                "/echo?access_token=SECRET-TOKEN",
                json={"password": "hunter2-password"},
                headers={"Authorization": "Bearer SECRET-JWT", "X-Request-ID": "req-1"},
            )
    assert response.status_code == 200
    records = [r for r in caplog.records if r.name == "chidi.http"]
    assert len(records) == 1
    line = JsonFormatter().format(records[0])
    entry = json.loads(line)
    assert entry["method"] == "POST"
    assert entry["path"] == "/echo"
    assert entry["status"] == 200
    assert entry["request_id"] == "req-1"
    assert entry["user_id"] == "user-42"
    assert isinstance(entry["duration_ms"], float)
    for secret in ("SECRET-TOKEN", "hunter2-password", "SECRET-JWT"):
        assert secret not in line


async def test_secret_path_parameters_are_masked(caplog: pytest.LogCaptureFixture) -> None:
    transport = httpx.ASGITransport(app=_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        with caplog.at_level(logging.INFO, logger="chidi.http"):
            response = await client.post("/hooks/instagram/PATH-SECRET-123")
    assert response.status_code == 200
    (record,) = [r for r in caplog.records if r.name == "chidi.http"]
    line = JsonFormatter().format(record)
    assert "PATH-SECRET-123" not in line
    assert json.loads(line)["path"] == "/hooks/instagram/[redacted]"


def test_formatter_includes_exceptions_and_extras() -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.getLogger("t").makeRecord(
            "t",
            logging.ERROR,
            __file__,
            1,
            "failed %s",
            ("job",),
            exc_info=sys.exc_info(),
            extra={"job_id": "j1"},
        )
    entry = json.loads(JsonFormatter().format(record))
    assert entry["msg"] == "failed job"
    assert entry["level"] == "error"
    assert entry["job_id"] == "j1"
    assert "ValueError: boom" in entry["exc"]


async def test_unexpected_errors_are_500_in_the_error_shape_with_the_request_id() -> None:
    from api.errors import install_error_handlers

    app = FastAPI()
    install_error_handlers(app)
    app.add_middleware(RequestContextMiddleware)

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("internal detail that must not leak")

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        response = await client.get("/boom", headers={"X-Request-ID": "req-500"})
    assert response.status_code == 500
    body = response.json()["error"]
    assert body["code"] == "internal_error"
    assert body["details"] == {"request_id": "req-500"}
    assert "internal detail" not in response.text

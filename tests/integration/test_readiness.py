"""/readyz follows the real dependencies: a Redis we stop, a database that is not there."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from core.settings import Settings
from tests.support.live_server import free_port, start_live_server


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    """A private redis-server on a free port, so stopping it disturbs nobody else."""
    binary = shutil.which("redis-server")
    assert binary, "redis-server is installed by `make infra`"
    port = free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            if (
                subprocess.run(
                    ["redis-cli", "-p", str(port), "ping"], capture_output=True, check=False
                ).stdout.strip()
                == b"PONG"
            ):
                break
        except FileNotFoundError:
            break
        time.sleep(0.05)
    yield port, process
    process.kill()
    process.wait()


def test_readyz_turns_503_when_redis_stops(
    migrated_database: str,
    settings: Settings,
    own_redis: tuple[int, subprocess.Popen[bytes]],
) -> None:
    port, process = own_redis
    server = start_live_server(
        settings.model_copy(update={"redis_url": f"redis://127.0.0.1:{port}/0"})
    )
    try:
        assert httpx.get(f"{server.url}/readyz").status_code == 200
        process.kill()
        process.wait()
        response = httpx.get(f"{server.url}/readyz", timeout=10)
        assert response.status_code == 503
        body = response.json()["error"]
        assert body["code"] == "not_ready"
        assert "redis" in body["message"]
        assert body["details"]["database"] == "ok"
        assert httpx.get(f"{server.url}/healthz").status_code == 200
    finally:
        server.stop()


def test_readyz_names_the_database_when_it_is_unreachable(settings: Settings) -> None:
    server = start_live_server(
        settings.model_copy(
            update={"database_url": f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/x"}
        )
    )
    try:
        response = httpx.get(f"{server.url}/readyz", timeout=10)
        assert response.status_code == 503
        assert response.json()["error"]["details"]["redis"] == "ok"
        assert response.json()["error"]["details"]["database"].startswith("unavailable")
    finally:
        server.stop()

"""The product as `make dev` runs it: the API and the arq worker as separate processes.

A new user signs up and in with the official supabase client, reads their profile, finds
the API docs, and the worker process runs a job enqueued through Redis.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta

import httpx
import psycopg
import pytest
from arq import create_pool
from arq.connections import RedisSettings
from supabase import create_client

from core.security import hash_token
from core.settings import Settings
from tests.support.live_server import free_port
from tests.support.processes import running, wait_until_healthy


@pytest.fixture(scope="module")
def api_url(migrated_database: str) -> Iterator[str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with running(
        "uvicorn",
        "api.main:app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        env={"PUBLIC_URL": url},
    ):
        wait_until_healthy(url)
        yield url


def test_sign_up_sign_in_and_read_profile(api_url: str) -> None:
    email = f"owner-{uuid.uuid4().hex[:10]}@example.com"
    client = create_client(api_url, "anon-key")
    signed_up = client.auth.sign_up({"email": email, "password": "correct-horse-battery"})
    assert signed_up.user is not None
    assert signed_up.user.email == email

    fresh = create_client(api_url, "anon-key")
    session = fresh.auth.sign_in_with_password(
        {"email": email, "password": "correct-horse-battery"}
    ).session
    assert session is not None
    me = httpx.get(
        f"{api_url}/api/v1/users/me", headers={"Authorization": f"Bearer {session.access_token}"}
    )
    assert me.status_code == 200
    assert me.json()["email"] == email
    assert me.json()["id"] == session.user.id


def test_openapi_docs_are_served(api_url: str) -> None:
    docs = httpx.get(f"{api_url}/docs")
    assert docs.status_code == 200
    assert "swagger" in docs.text.lower()
    paths = httpx.get(f"{api_url}/openapi.json").json()["paths"]
    assert "/api/v1/users/me" in paths


async def test_worker_process_runs_jobs_from_redis(
    settings: Settings, pg: psycopg.Connection, migrated_database: str
) -> None:
    user_id, session_id = uuid.uuid4(), uuid.uuid4()
    pg.execute(
        "INSERT INTO chidi_auth.users (id, email) VALUES (%s, %s)",
        (user_id, f"{user_id.hex[:12]}@example.com"),
    )
    pg.execute(
        "INSERT INTO chidi_auth.sessions (id, user_id, amr) VALUES (%s, %s, 'password')",
        (session_id, user_id),
    )
    pg.execute(
        "INSERT INTO chidi_auth.refresh_tokens (id, token_hash, session_id, revoked, "
        "expires_at) VALUES (%s, %s, %s, false, now() - %s)",
        (uuid.uuid4(), hash_token(uuid.uuid4().hex), session_id, timedelta(days=1)),
    )

    with running("arq", "workers.settings.WorkerSettings"):
        pool = await create_pool(RedisSettings.from_dsn(settings.redis_url))
        try:
            job = await pool.enqueue_job("purge_expired_auth_tokens")
            assert job is not None
            counts = await job.result(timeout=30)
        finally:
            await pool.aclose()
    assert counts["refresh_tokens"] >= 1
    remaining = pg.execute(
        "SELECT count(*) FROM chidi_auth.refresh_tokens WHERE session_id = %s", (session_id,)
    ).fetchone()
    assert remaining == (0,)

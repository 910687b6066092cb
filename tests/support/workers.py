"""Running the arq worker as a real process for the conversation tests."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager

import redis

from core.settings import Settings
from tests.support.processes import running


def clear_job_queue(settings: Settings) -> None:
    """Drop queued arq jobs other tests left behind, so a new worker runs only ours."""
    client = redis.Redis.from_url(settings.redis_url)
    try:
        stale = [
            *client.scan_iter("arq:job:*"),
            *client.scan_iter("arq:in-progress:*"),
            *client.scan_iter("arq:retry:*"),
        ]
        client.delete("arq:queue", *stale)
    finally:
        client.close()


@contextmanager
def worker(env: dict[str, str]) -> Iterator[subprocess.Popen[bytes]]:
    """`arq workers.settings.WorkerSettings` with extra environment, stopped afterwards."""
    with running("arq", "workers.settings.WorkerSettings", env=env) as process:
        yield process

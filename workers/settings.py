"""The arq worker: `arq workers.settings.WorkerSettings`."""

from __future__ import annotations

from typing import Any, ClassVar

from arq.connections import RedisSettings
from arq.cron import CronJob, cron

from core.settings import get_settings
from workers.jobs.auth import purge_expired_auth_tokens
from workers.runtime import shutdown, startup


class WorkerSettings:
    """Jobs, schedules and limits of CHIDI's background worker."""

    functions: ClassVar[list[Any]] = [purge_expired_auth_tokens]
    cron_jobs: ClassVar[list[CronJob]] = [
        cron(purge_expired_auth_tokens, minute=17, run_at_startup=False),
    ]
    on_startup = startup
    on_shutdown = shutdown
    redis_settings = RedisSettings.from_dsn(get_settings().redis_url)
    max_jobs = 20
    job_timeout = 120
    # A job that dies mid-way (worker killed) is retried; jobs are written to be idempotent.
    max_tries = 5
    health_check_interval = 30

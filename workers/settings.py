"""The arq worker: `arq workers.settings.WorkerSettings`."""

from __future__ import annotations

from typing import Any, ClassVar

from arq.connections import RedisSettings
from arq.cron import CronJob

from core.settings import get_settings
from workers.runtime import shutdown, startup


class WorkerSettings:
    """Jobs, schedules and limits of CHIDI's background worker."""

    functions: ClassVar[list[Any]] = []
    cron_jobs: ClassVar[list[CronJob]] = []
    on_startup = startup
    on_shutdown = shutdown
    redis_settings = RedisSettings.from_dsn(get_settings().redis_url)
    max_jobs = 20
    job_timeout = 120
    # A job that dies mid-way (worker killed) is retried; jobs are written to be idempotent.
    max_tries = 5
    health_check_interval = 30

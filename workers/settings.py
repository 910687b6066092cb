"""The arq worker: `arq workers.settings.WorkerSettings`."""

from __future__ import annotations

from typing import Any, ClassVar

from arq.connections import RedisSettings
from arq.cron import CronJob, cron
from arq.worker import func

from core.settings import get_settings
from workers.jobs.alerts import evaluate_alerts
from workers.jobs.archive import archive_idle_conversations
from workers.jobs.auth import purge_expired_auth_tokens
from workers.jobs.context import embed_business_context
from workers.jobs.inbound import process_inbound_message, sweep_waiting_messages
from workers.jobs.outbound import deliver_outbox, sweep_outbox
from workers.runtime import (
    after_job,
    observed_cron_jobs,
    observed_functions,
    shutdown,
    startup,
)


class WorkerSettings:
    """Jobs, schedules and limits of CHIDI's background worker."""

    # Every job is counted (runs, failures, retries) for /metrics: see workers.runtime.
    functions: ClassVar[list[Any]] = observed_functions(
        [
            purge_expired_auth_tokens,
            # No kept results: a job id must be reusable as soon as its job is done (the
            # sweepers re-drive rows under ids derived from them).
            func(process_inbound_message, keep_result=0),
            func(deliver_outbox, keep_result=0),
            func(embed_business_context, keep_result=0),
        ]
    )
    cron_jobs: ClassVar[list[CronJob]] = observed_cron_jobs(
        [
            cron(purge_expired_auth_tokens, minute=17, run_at_startup=False),
            # Often, so re-driven rows (and owner emails, which no job delivers first) trickle out
            # in small batches rather than bursts.
            cron(sweep_outbox, second=set(range(0, 60, 2)), run_at_startup=True),
            cron(sweep_waiting_messages, second={15, 45}, run_at_startup=True),
            # Resolved conversations idle for 30 days move to the archive (hourly is plenty).
            cron(archive_idle_conversations, minute=41, run_at_startup=False),
            # Operator alerts: every rule judged once a minute (docs/monitoring.md).
            cron(evaluate_alerts, second=30, run_at_startup=False),
        ]
    )
    on_startup = startup
    on_shutdown = shutdown
    after_job_end = after_job
    redis_settings = RedisSettings.from_dsn(get_settings().redis_url)
    max_jobs = 20
    # Replies are chained jobs (respond, then deliver); arq's default 0.5 s poll would add up
    # to a second per reply. Polling an empty queue is one cheap Redis call.
    poll_delay = 0.05
    job_timeout = 120
    # A job that dies mid-way (worker killed) is retried; jobs are written to be idempotent.
    max_tries = 5
    health_check_interval = 30

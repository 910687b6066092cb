"""Numbers for monitoring and alerting, read from Postgres and Redis (no decisions here:
core.alerts judges them)."""

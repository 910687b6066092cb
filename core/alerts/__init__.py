"""Operator alert rules (PRD §6.5.13): pure functions over a metrics snapshot.

`store.monitoring.snapshot` reads the numbers, `workers.jobs.alerts` evaluates them every
minute and records, deduplicates and delivers the incidents.
"""

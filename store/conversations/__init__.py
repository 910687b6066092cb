"""Customer conversations: connections, webhook ingestion, the responder's batches, status
changes, owner notifications and the outbox of messages to send (PRD §6.4).

Functions here flush and never commit: the webhook request or the job that calls them
commits once, so a failure leaves nothing half-recorded.
"""

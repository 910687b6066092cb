"""Live inbox updates for owners' dashboards over SSE (docs/inbox.md): the per-process hub
that fans Redis-published events out to open streams, the stream protocol, and tickets."""

"""Holding a transaction's events on its session until the transaction's fate is known.

`announce` queues an event on the session. SQLAlchemy's session hooks move the queue to
"committed" when the transaction commits and drop it when it rolls back (a request that
fails after a store function announced something publishes nothing). The boundary that
commits then calls `publish_committed`, which sends what was committed through the
publisher the session's sessionmaker carries (`configure_publisher`); a session without
one (a test's rolled-back session, a script) publishes nothing.
"""

from __future__ import annotations

from typing import Any, Protocol

from sqlalchemy import event
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlalchemy.orm import Session
from sqlmodel.ext.asyncio.session import AsyncSession

from store.events.model import LiveEvent

_PENDING = "chidi.live.pending"
_COMMITTED = "chidi.live.committed"
_PUBLISHER = "chidi.live.publisher"


class Publisher(Protocol):
    """Sends committed events on (Redis in production; never raises)."""

    async def publish(self, events: list[LiveEvent]) -> None:
        """Publish `events` in order."""


def announce(session: AsyncSession, live_event: LiveEvent) -> None:
    """Queue `live_event` to be published once the session's transaction commits."""
    session.info.setdefault(_PENDING, []).append(live_event)


def pending_events(session: AsyncSession) -> list[LiveEvent]:
    """Events announced in the current transaction and not yet committed."""
    return list(session.info.get(_PENDING, ()))


def configure_publisher(
    sessionmaker: async_sessionmaker[AsyncSession], publisher: Publisher
) -> None:
    """Make every session of `sessionmaker` publish its committed events with `publisher`."""
    sessionmaker.configure(info={_PUBLISHER: publisher})


async def publish_committed(session: AsyncSession) -> None:
    """Publish (and forget) the events of the session's committed transactions."""
    committed: list[LiveEvent] = session.info.pop(_COMMITTED, [])
    publisher: Publisher | None = session.info.get(_PUBLISHER)
    if committed and publisher is not None:
        await publisher.publish(committed)


@event.listens_for(Session, "after_commit")
def _on_commit(session: Session, *_: Any) -> None:
    pending = session.info.pop(_PENDING, None)
    if pending:
        session.info.setdefault(_COMMITTED, []).extend(pending)


@event.listens_for(Session, "after_rollback")
def _on_rollback(session: Session, *_: Any) -> None:
    session.info.pop(_PENDING, None)

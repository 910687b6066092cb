"""Recording one verified webhook delivery, in the caller's single transaction.

The raw payload goes into `webhook_events`; each customer message finds or creates its
conversation and is stored once per platform id (`ON CONFLICT DO NOTHING RETURNING`), so a
redelivered webhook creates nothing and wakes nobody; conversation summaries only move
forward (an out-of-order delivery never moves `last_message_at` back); receipts move the
sent message's delivery status forward; and an echo of a message CHIDI did not send means
a person answered from the business's own app, so the bot steps back (`active_human`).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any

from psycopg.types.json import Jsonb
from sqlmodel.ext.asyncio.session import AsyncSession

from core.errors import NotFound
from core.inbound import DeliveryUpdate, InboundMessage, ParsedWebhook
from store.conversations.notify import OwnerNotice, notify_owner
from store.conversations.sql import first_rows, run
from store.conversations.status import change_status, record_status
from store.events import model as live
from store.events.pending import announce
from store.tables.enums import ConversationStatus, StatusActor

log = logging.getLogger("chidi.ingest")
SNIPPET_CHARS = 200
# A customer writing to a conversation in one of these reopens it (`active_ai`).
_REOPENED = frozenset({"resolved_by_ai", "resolved_by_human", "archived"})
_KEPT_HEADERS = ("content-type", "content-length", "user-agent", "x-hub-signature-256")


@dataclass(frozen=True)
class WebhookSource:
    """The connection a delivery arrived for (from its URL's path token)."""

    connection_id: uuid.UUID
    business_id: uuid.UUID
    platform: str


@dataclass(frozen=True)
class AwaitingReply:
    """A newly stored customer message the responder must take up."""

    conversation_id: uuid.UUID
    message_id: uuid.UUID


@dataclass
class Ingested:
    """What one delivery changed."""

    webhook_event_id: uuid.UUID
    awaiting: list[AwaitingReply] = field(default_factory=list)
    # Conversations this delivery opened (for the conversation_started analytics event).
    started: list[uuid.UUID] = field(default_factory=list)
    stored: int = 0
    duplicates: int = 0
    own_echoes: int = 0
    takeovers: int = 0
    receipts: int = 0


def snippet_of(message: InboundMessage) -> str:
    """The inbox's one-line preview of a message."""
    if message.text:
        return message.text[:SNIPPET_CHARS]
    return f"[{message.content_type}]"


class ConnectionGone(NotFound):
    """The connection was disconnected (after the caller looked it up)."""


async def record_webhook(
    session: AsyncSession,
    source: WebhookSource,
    *,
    payload: dict[str, Any],
    headers: dict[str, str],
    parsed: ParsedWebhook,
) -> Ingested:
    """Store the delivery and everything it says; flushes, never commits.

    Raises `ConnectionGone` (and stores nothing, once the caller rolls back) when the
    connection is no longer active, however recently the caller saw it active.
    """
    return await Recording(source, payload, headers, parsed).record(session)


class Recording:
    """One verified delivery to record (see `record_webhook`).

    The usual delivery, one customer message, is recorded by a single statement
    (`statement`), so that a caller writing many deliveries in one transaction can send
    theirs together (`store.conversations.sql.first_rows`) and hand each its row
    (`finish`). Any other delivery is recorded by `record`.
    """

    def __init__(
        self,
        source: WebhookSource,
        payload: dict[str, Any],
        headers: dict[str, str],
        parsed: ParsedWebhook,
    ) -> None:
        self.source = source
        self.parsed = parsed
        self._event_id = uuid.uuid4()
        self._raw: dict[str, Any] = {
            "event_id": self._event_id,
            "platform": source.platform,
            "connection_id": source.connection_id,
            "headers": Jsonb({name: headers[name] for name in _KEPT_HEADERS if name in headers}),
            "payload": Jsonb(payload),
            "event_status": "processed" if parsed.events else "ignored",
        }
        only = parsed.events[0] if len(parsed.events) == 1 else None
        self._single: tuple[InboundMessage, dict[str, Any]] | None = None
        if isinstance(only, InboundMessage) and not only.from_business:
            self._single = only, _message_params(source, only, self._event_id, raw=self._raw)

    @property
    def statement(self) -> tuple[str, dict[str, Any]] | None:
        """The one statement (SQL, parameters) recording the raw event and its customer
        message, when the delivery is just that; else None."""
        return None if self._single is None else (_EVENT_AND_MESSAGE, self._single[1])

    async def finish(self, session: AsyncSession, row: Sequence[Any] | None) -> Ingested:
        """What `statement` stored, given its row; follow-ups in `session` when needed."""
        if self._single is None:
            raise TypeError("this delivery is not recorded by one statement")
        message, params = self._single
        result = Ingested(webhook_event_id=self._event_id)
        await _stored_customer_message(session, self.source, message, result, row, params)
        return result

    async def record(self, session: AsyncSession) -> Ingested:
        """Record the whole delivery in `session`."""
        if self.statement is not None:
            return await self.finish(session, (await run(session, *self.statement)).one())
        if (await run(session, _RAW_EVENT, self._raw)).first() is None:
            raise ConnectionGone("No webhook is registered at this address.")
        result = Ingested(webhook_event_id=self._event_id)
        for event in self.parsed.events:
            if isinstance(event, DeliveryUpdate):
                await _record_receipt(session, self.source, event, result)
            elif event.from_business:
                await _record_echo(session, self.source, event, result)
            else:
                await _record_customer_message(session, self.source, event, result)
        return result


async def record_all(
    session: AsyncSession, recordings: Sequence[Recording]
) -> list[Ingested | ConnectionGone]:
    """Record several deliveries in `session`, in order; a delivery whose connection is
    gone wrote nothing and gets `ConnectionGone` as its result, any other error is raised.
    Consecutive one-statement deliveries are sent together (`first_rows`)."""
    results: list[Ingested | ConnectionGone] = []
    for together, group in groupby(recordings, key=lambda r: r.statement is not None):
        group_list = list(group)
        if together:
            statements = [r.statement for r in group_list if r.statement is not None]
            rows = await first_rows(session, statements)
            for recording, row in zip(group_list, rows, strict=True):
                results.append(await _or_gone(recording.finish(session, row)))
        else:
            results.extend([await _or_gone(r.record(session)) for r in group_list])
    return results


async def _or_gone(recording: Awaitable[Ingested]) -> Ingested | ConnectionGone:
    try:
        return await recording
    except ConnectionGone as gone:
        return gone


# The raw delivery, kept only while its connection is active (else nothing is written).
_RAW_EVENT = """
    INSERT INTO webhook_events (id, platform, connection_id, signature_valid, headers,
                                payload, status, processed_at)
    SELECT :event_id, CAST(:platform AS social_platform_type), id, true, :headers, :payload,
           :event_status, now()
    FROM social_connections WHERE id = :connection_id AND is_active
    RETURNING id
"""


# A customer's message in one statement, after the `event` CTE (the raw delivery, inserted
# by the same statement or earlier): find or create the conversation, store the message
# once, and move the conversation's summary forward (or reopen it). Nothing is written
# unless `event` has a row (the connection is active). Data-modifying CTEs do not see each
# other's rows, so a conversation created here gets its summary from its INSERT and only
# an existing one is UPDATEd. When a concurrent delivery creates the conversation first,
# the statement stores no message and returns no conversation; it is then run again.
_MESSAGE_CTES = """
existing AS (
    SELECT id, status FROM conversations
    WHERE social_connection_id = :connection_id AND customer_platform_id = :customer
), created AS (
    INSERT INTO conversations (id, business_id, social_connection_id, customer_platform_id,
                               customer_name, last_message_at, last_message_snippet,
                               last_customer_message_at, unread_count)
    SELECT :new_conversation_id, :business_id, :connection_id, :customer, :name, :at,
           :snippet, :at, 1
    FROM event WHERE NOT EXISTS (SELECT 1 FROM existing)
    ON CONFLICT (social_connection_id, customer_platform_id) DO NOTHING
    RETURNING id, status
), conversation AS (
    SELECT id, status, false AS created FROM existing
    UNION ALL SELECT id, status, true FROM created
), message AS (
    INSERT INTO messages (id, conversation_id, business_id, platform_message_id, sender_type,
                          content_type, text_content, media_url, media_mime_type,
                          platform_timestamp, raw, handled_at)
    SELECT :message_id, conversation.id, :business_id, :platform_message_id, 'customer',
           CAST(:content_type AS message_content_type), :text, :media_url, :mime, :at, :raw,
           CASE WHEN :expects_reply THEN NULL ELSE now() END
    FROM conversation, event
    ON CONFLICT (platform_message_id) DO NOTHING
    RETURNING id, conversation_id
), touched AS (
    UPDATE conversations c SET
        last_message_at = GREATEST(c.last_message_at, :at),
        last_message_snippet = CASE WHEN c.last_message_at <= :at THEN :snippet
                                    ELSE c.last_message_snippet END,
        last_customer_message_at = GREATEST(c.last_customer_message_at, :at),
        unread_count = c.unread_count + 1,
        customer_name = COALESCE(:name, c.customer_name),
        status = CASE WHEN c.status IN ('resolved_by_ai', 'resolved_by_human', 'archived')
                      THEN 'active_ai'::conversation_status ELSE c.status END,
        updated_at = now()
    FROM message, existing
    WHERE c.id = message.conversation_id AND c.id = existing.id
    RETURNING c.id
), history AS (
    INSERT INTO conversation_status_history (id, conversation_id, business_id, from_status,
                                             to_status, actor, reason)
    SELECT gen_random_uuid(), id, :business_id, NULL::conversation_status,
           'active_ai'::conversation_status, 'customer', 'First message.' FROM created
    UNION ALL
    SELECT gen_random_uuid(), existing.id, :business_id, existing.status,
           'active_ai'::conversation_status, 'customer', 'The customer wrote again.'
    FROM existing, message
    WHERE existing.status IN ('resolved_by_ai', 'resolved_by_human', 'archived')
)
SELECT (SELECT id FROM event), (SELECT id FROM conversation), (SELECT id FROM message),
       (SELECT created FROM conversation), (SELECT status FROM existing)
"""
_EVENT_AND_MESSAGE = "WITH event AS (" + _RAW_EVENT + "), " + _MESSAGE_CTES
_MESSAGE_OF_EVENT = "WITH event AS (SELECT CAST(:event_id AS uuid) AS id), " + _MESSAGE_CTES


def _message_params(
    source: WebhookSource,
    message: InboundMessage,
    event_id: uuid.UUID,
    *,
    raw: dict[str, Any] | None,
) -> dict[str, Any]:
    return {
        **(raw or {}),
        "event_id": event_id,
        "connection_id": source.connection_id,
        "business_id": source.business_id,
        "customer": message.customer_id,
        "name": message.customer_name,
        "at": message.sent_at,
        "snippet": snippet_of(message),
        "new_conversation_id": uuid.uuid4(),
        "message_id": uuid.uuid4(),
        "platform_message_id": message.platform_message_id,
        "content_type": message.content_type,
        "text": message.text,
        "media_url": message.media_url,
        "mime": message.media_mime_type,
        "raw": Jsonb(message.raw),
        "expects_reply": message.expects_reply,
    }


async def _record_customer_message(
    session: AsyncSession, source: WebhookSource, message: InboundMessage, result: Ingested
) -> None:
    """Store a customer's message of a delivery already stored (one of several events)."""
    params = _message_params(source, message, result.webhook_event_id, raw=None)
    row = (await run(session, _MESSAGE_OF_EVENT, params)).one()
    await _stored_customer_message(session, source, message, result, row, params)


async def _stored_customer_message(
    session: AsyncSession,
    source: WebhookSource,
    message: InboundMessage,
    result: Ingested,
    row: Sequence[Any] | None,
    params: dict[str, Any],
) -> None:
    """Account for a customer message's statement, given its `row`. A conversation a
    concurrent delivery created first is found by running the statement again."""
    runs = 1
    while True:
        if row is None or row[0] is None:
            raise ConnectionGone("No webhook is registered at this address.")
        if row[1] is not None:
            break
        if runs == 3:  # three concurrent creators in a row cannot happen; fail, never drop
            raise RuntimeError("could not find or create the conversation")
        # The delivery is stored; find the conversation again.
        row = (await run(session, _MESSAGE_OF_EVENT, params)).one()
        runs += 1
    conversation_id: uuid.UUID = row[1]
    message_id: uuid.UUID | None = row[2]
    if message_id is None:
        result.duplicates += 1
        return
    result.stored += 1
    if row[3]:
        result.started.append(conversation_id)
    _announce_customer_message(
        session, source, message, conversation_id, message_id, created=row[3], previous=row[4]
    )
    if message.expects_reply:
        result.awaiting.append(AwaitingReply(conversation_id, message_id))


def _announce_customer_message(
    session: AsyncSession,
    source: WebhookSource,
    message: InboundMessage,
    conversation_id: uuid.UUID,
    message_id: uuid.UUID,
    *,
    created: bool,
    previous: str | None,
) -> None:
    """Tell the owner's dashboards: a new conversation (or a reopened one), a new message."""
    if created:
        announce(
            session,
            live.new_conversation(
                source.business_id,
                conversation_id,
                platform=source.platform,
                customer_name=message.customer_name,
                status=ConversationStatus.ACTIVE_AI.value,
            ),
        )
    elif previous in _REOPENED:
        announce(
            session,
            live.conversation_updated(
                source.business_id,
                conversation_id,
                status=ConversationStatus.ACTIVE_AI.value,
                previous_status=previous,
                actor=StatusActor.CUSTOMER.value,
                reason="The customer wrote again.",
            ),
        )
    announce(session, _message_event(source, conversation_id, message_id, message, "customer"))


def _message_event(
    source: WebhookSource,
    conversation_id: uuid.UUID,
    message_id: uuid.UUID,
    message: InboundMessage,
    sender_type: str,
) -> live.LiveEvent:
    return live.new_message(
        source.business_id,
        conversation_id,
        message_id=message_id,
        sender_type=sender_type,
        content_type=message.content_type,
        text_content=message.text,
        media_url=message.media_url,
        media_mime_type=message.media_mime_type,
        platform_timestamp=message.sent_at,
    )


async def _record_echo(
    session: AsyncSession, source: WebhookSource, echo: InboundMessage, result: Ingested
) -> None:
    """A message the business's account sent: CHIDI's own (ignored), or a person's — who
    has then taken the conversation over, so the bot steps back."""
    conversation_id = await _echo_conversation(session, source, echo)
    if await _sent_by_chidi(session, conversation_id, echo):
        result.own_echoes += 1
        return
    message_id = await _store_echo(session, source, conversation_id, echo)
    if message_id is None:
        result.duplicates += 1
        return
    result.stored += 1
    announce(session, _message_event(source, conversation_id, message_id, echo, "business_human"))
    previous = await change_status(
        session,
        business_id=source.business_id,
        conversation_id=conversation_id,
        to=ConversationStatus.ACTIVE_HUMAN,
        actor=StatusActor.HUMAN,
        reason="The business replied from its own app; the bot stays quiet.",
    )
    result.takeovers += previous is not None


async def _echo_conversation(
    session: AsyncSession, source: WebhookSource, echo: InboundMessage
) -> uuid.UUID:
    """The conversation an echo belongs to (created when the business wrote first)."""
    keys = {"connection_id": source.connection_id, "customer": echo.customer_id}
    select_existing = (
        "SELECT id FROM conversations "
        "WHERE social_connection_id = :connection_id AND customer_platform_id = :customer"
    )
    row = (await run(session, select_existing, keys)).first()
    if row is not None:
        return uuid.UUID(str(row[0]))
    created = (
        await run(
            session,
            """
        INSERT INTO conversations (id, business_id, social_connection_id, customer_platform_id,
                                   last_message_at, last_message_snippet)
        VALUES (:id, :business_id, :connection_id, :customer, :at, :snippet)
        ON CONFLICT (social_connection_id, customer_platform_id) DO NOTHING
        RETURNING id
    """,
            {
                "id": uuid.uuid4(),
                "business_id": source.business_id,
                "at": echo.sent_at,
                "snippet": snippet_of(echo),
                **keys,
            },
        )
    ).first()
    if created is None:  # created by a concurrent delivery a moment ago
        return uuid.UUID(str((await run(session, select_existing, keys)).one()[0]))
    await record_status(
        session,
        business_id=source.business_id,
        conversation_id=created[0],
        from_status=None,
        to=ConversationStatus.ACTIVE_AI,
        actor=StatusActor.HUMAN,
        reason="The business wrote first.",
    )
    announce(
        session,
        live.new_conversation(
            source.business_id,
            created[0],
            platform=source.platform,
            customer_name=None,
            status=ConversationStatus.ACTIVE_AI.value,
        ),
    )
    return uuid.UUID(str(created[0]))


async def _sent_by_chidi(
    session: AsyncSession, conversation_id: uuid.UUID, echo: InboundMessage
) -> bool:
    """Whether an echo is of a message CHIDI sent: a recorded provider id, or the text of
    a send still in flight (an echo can arrive before the send's answer is recorded)."""
    found = await run(
        session,
        """
        SELECT EXISTS (
            SELECT 1 FROM outbox WHERE conversation_id = :conversation_id AND (
                provider_message_id = :mid
                OR payload -> 'provider_message_ids' ? :mid
                OR (status = 'sending' AND :text <> '' AND strpos(payload ->> 'text', :text) > 0)))
    """,
        {
            "conversation_id": conversation_id,
            "mid": echo.platform_message_id,
            "text": (echo.text or "").strip(),
        },
    )
    return bool(found.scalar_one())


async def _store_echo(
    session: AsyncSession, source: WebhookSource, conversation_id: uuid.UUID, echo: InboundMessage
) -> uuid.UUID | None:
    """Store a person's message once (and move the conversation's summary forward); its id,
    or None when its platform id was stored before."""
    inserted = await run(
        session,
        """
        INSERT INTO messages (id, conversation_id, business_id, platform_message_id, sender_type,
                              content_type, text_content, media_url, media_mime_type,
                              platform_timestamp, raw)
        VALUES (:id, :conversation_id, :business_id, :platform_message_id, 'business_human',
                CAST(:content_type AS message_content_type), :text, :media_url, :mime, :at, :raw)
        ON CONFLICT (platform_message_id) DO NOTHING
        RETURNING id
    """,
        {
            "id": uuid.uuid4(),
            "conversation_id": conversation_id,
            "business_id": source.business_id,
            "platform_message_id": echo.platform_message_id,
            "content_type": echo.content_type,
            "text": echo.text,
            "media_url": echo.media_url,
            "mime": echo.media_mime_type,
            "at": echo.sent_at,
            "raw": Jsonb(echo.raw),
        },
    )
    stored = inserted.first()
    if stored is None:
        return None
    await run(
        session,
        """
        UPDATE conversations SET
            last_message_at = GREATEST(last_message_at, :at),
            last_message_snippet = CASE WHEN last_message_at <= :at THEN :snippet
                                        ELSE last_message_snippet END,
            updated_at = now()
        WHERE id = :id AND business_id = :business_id
    """,
        {
            "at": echo.sent_at,
            "snippet": snippet_of(echo),
            "id": conversation_id,
            "business_id": source.business_id,
        },
    )
    return uuid.UUID(str(stored[0]))


_DELIVERY_RANK = """CASE {column} WHEN 'sent' THEN 1 WHEN 'failed' THEN 2
    WHEN 'delivered' THEN 3 WHEN 'read' THEN 4 ELSE 0 END"""
_FORWARD_ONLY = (
    _DELIVERY_RANK.format(column="m.delivery_status")
    + " < "
    + _DELIVERY_RANK.format(column="CAST(:status AS text)")
)


async def _record_receipt(
    session: AsyncSession, source: WebhookSource, update: DeliveryUpdate, result: Ingested
) -> None:
    """Move sent messages' delivery status forward (a late 'sent' never undoes 'read')."""
    params: dict[str, Any] = {"status": update.status, "business_id": source.business_id}
    if update.platform_message_ids:
        target = "m.platform_message_id = ANY(:ids)"
        params["ids"] = list(update.platform_message_ids)
    elif update.customer_id and update.watermark:
        target = (
            "m.platform_timestamp <= :watermark AND m.conversation_id IN (SELECT id FROM "
            "conversations WHERE social_connection_id = :connection_id "
            "AND customer_platform_id = :customer)"
        )
        params |= {
            "watermark": update.watermark,
            "connection_id": source.connection_id,
            "customer": update.customer_id,
        }
    else:
        return
    changed = await run(
        session,
        f"""
        UPDATE messages m SET delivery_status = :status, updated_at = now()
        WHERE m.business_id = :business_id AND m.sender_type <> 'customer' AND {target}
          AND {_FORWARD_ONLY}
        RETURNING m.conversation_id
    """,  # noqa: S608 (fixed fragments; every value is a bound parameter)
        params,
    )
    conversations = {row[0] for row in changed.all()}
    result.receipts += len(conversations)
    if update.status == "failed":
        for conversation_id in conversations:
            await notify_owner(
                session,
                source.business_id,
                OwnerNotice(
                    kind="delivery_failed",
                    title="A message could not be delivered",
                    body=f"The platform reported: {update.error or 'delivery failed'}.",
                    conversation_id=conversation_id,
                ),
            )

"""The outbox's statements on real Postgres: queue, claim and record, one statement each."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import psycopg
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from store.conversations import sending
from store.conversations.outbox import QueuedMessage, queue_message
from store.conversations.sql import run
from store.db import create_sessionmaker, session_scope
from store.repositories.mail import Email, send_email
from store.tables.base import utcnow
from store.tables.conversations import Conversation
from store.tables.enums import (
    ConversationSenderType,
    OutboxKind,
    SocialPlatform,
    TokenStatus,
)
from tests.support.conversations import SeededConnection, new_customer, one
from tests.support.statements import counted


async def _conversation(
    session: AsyncSession, connection: SeededConnection, *, last_wrote: timedelta
) -> Conversation:
    now = utcnow()
    conversation = Conversation(
        business_id=connection.business_id,
        social_connection_id=connection.id,
        customer_platform_id=new_customer(),
        last_message_at=now - last_wrote,
        last_customer_message_at=now - last_wrote,
    )
    session.add(conversation)
    await session.flush()
    return conversation


async def _queue(
    session: AsyncSession,
    conversation: Conversation,
    key: str,
    *,
    platform: SocialPlatform | None = None,
) -> QueuedMessage:
    return await queue_message(
        session,
        conversation,
        "The tote is in stock.",
        sender=ConversationSenderType.AI_BOT,
        idempotency_key=key,
        platform=platform,
        now=utcnow(),
    )


async def test_queueing_is_one_statement_and_a_repeat_creates_nothing(
    db: AsyncSession, engine: AsyncEngine, whatsapp: SeededConnection
) -> None:
    conversation = await _conversation(db, whatsapp, last_wrote=timedelta(minutes=1))
    key = f"test:{uuid.uuid4()}"
    with counted(engine) as statements:
        first = await _queue(db, conversation, key)
    assert len(statements) == 1
    again = await _queue(db, conversation, key, platform=SocialPlatform.WHATSAPP)
    assert first.created
    assert not again.created
    assert (again.outbox_id, again.message_id) == (first.outbox_id, first.message_id)
    stored = (
        await run(
            db,
            "SELECT o.kind, o.recipient, o.message_id, m.delivery_status, m.text_content, "
            "c.last_message_snippet, (SELECT count(*) FROM messages "
            "WHERE conversation_id = :c) FROM outbox o JOIN messages m ON m.id = o.message_id "
            "JOIN conversations c ON c.id = o.conversation_id WHERE o.idempotency_key = :key",
            {"c": conversation.id, "key": key},
        )
    ).one()
    # Without `platform`, the conversation's connection gave the kind.
    assert tuple(stored) == (
        OutboxKind.WHATSAPP_MESSAGE.value,
        conversation.customer_platform_id,
        first.message_id,
        "pending",
        "The tote is in stock.",
        "The tote is in stock.",
        1,
    )


async def test_a_key_queued_concurrently_is_stored_once(
    engine: AsyncEngine, instagram: SeededConnection, pg: psycopg.Connection
) -> None:
    sessionmaker = create_sessionmaker(engine)
    key = f"test:{uuid.uuid4()}"
    async with session_scope(sessionmaker) as session:
        conversation = await _conversation(session, instagram, last_wrote=timedelta(minutes=1))
    async with sessionmaker() as first, sessionmaker() as second:
        queued = await _queue(first, conversation, key)
        # The second insert waits on the first's uncommitted row, then finds it committed.
        racing = asyncio.create_task(_queue(second, conversation, key))
        await asyncio.sleep(0.2)
        assert not racing.done()
        await first.commit()
        repeat = await racing
        await second.commit()
    assert queued.created
    assert not repeat.created
    assert repeat.outbox_id == queued.outbox_id
    assert one(pg, "SELECT count(*) FROM messages WHERE conversation_id = %s", conversation.id) == 1
    # Committed: leave no pending row for a later test's worker to sweep up and send.
    pg.execute("DELETE FROM conversations WHERE id = %s", (conversation.id,))


async def test_the_claim_returns_what_the_send_needs_and_a_second_claim_nothing(
    db: AsyncSession, engine: AsyncEngine, instagram: SeededConnection
) -> None:
    conversation = await _conversation(db, instagram, last_wrote=timedelta(hours=3))
    queued = await _queue(db, conversation, f"test:{uuid.uuid4()}")
    with counted(engine) as statements:
        claimed = await sending.claim(db, queued.outbox_id, lease_seconds=120)
    assert len(statements) == 1
    assert claimed is not None
    assert not claimed.uncertain
    assert claimed.row.kind is OutboxKind.INSTAGRAM_MESSAGE
    assert (claimed.row.id, claimed.row.message_id, claimed.row.attempts) == (
        queued.outbox_id,
        queued.message_id,
        1,
    )
    assert claimed.row.recipient == conversation.customer_platform_id
    assert claimed.row.payload["text"] == "The tote is in stock."
    assert claimed.last_customer_message_at == conversation.last_customer_message_at
    account = claimed.account
    assert account is not None
    assert (account.id, account.business_id, account.platform, account.platform_account_id) == (
        instagram.id,
        instagram.business_id,
        SocialPlatform.INSTAGRAM,
        instagram.account_id,
    )
    assert account.token_status is TokenStatus.VALID
    assert account.is_active
    assert account.access_token_encrypted
    assert await sending.claim(db, queued.outbox_id, lease_seconds=120) is None


async def test_a_claim_whose_lease_ran_out_is_taken_again_as_uncertain(
    db: AsyncSession, instagram: SeededConnection
) -> None:
    conversation = await _conversation(db, instagram, last_wrote=timedelta(minutes=1))
    queued = await _queue(db, conversation, f"test:{uuid.uuid4()}")
    assert await sending.claim(db, queued.outbox_id, lease_seconds=120) is not None
    await run(
        db,
        "UPDATE outbox SET next_attempt_at = now() - interval '1 second' WHERE id = :id",
        {"id": queued.outbox_id},
    )
    again = await sending.claim(db, queued.outbox_id, lease_seconds=120)
    assert again is not None
    assert again.uncertain
    assert again.row.attempts == 2


async def test_an_email_row_is_claimed_without_an_account(
    db: AsyncSession, instagram: SeededConnection
) -> None:
    key = f"test-email:{uuid.uuid4()}"
    email = Email("escalation", "owner@example.com", "A customer needs you", "Reply soon.")
    await send_email(db, email, idempotency_key=key, log_link=False)
    outbox_id = await run(db, "SELECT id FROM outbox WHERE idempotency_key = :k", {"k": key})
    claimed = await sending.claim(db, outbox_id.scalar_one(), lease_seconds=120)
    assert claimed is not None
    assert claimed.row.kind is OutboxKind.EMAIL
    assert claimed.account is None
    assert claimed.last_customer_message_at is None


async def test_record_sent_updates_the_row_and_its_message_in_one_statement(
    db: AsyncSession, engine: AsyncEngine, instagram: SeededConnection
) -> None:
    conversation = await _conversation(db, instagram, last_wrote=timedelta(minutes=1))
    queued = await _queue(db, conversation, f"test:{uuid.uuid4()}")
    assert await sending.claim(db, queued.outbox_id, lease_seconds=120) is not None
    with counted(engine) as statements:
        await sending.record_sent(db, queued.outbox_id, ["mid.1", "mid.2"])
    assert len(statements) == 1
    stored = (
        await run(
            db,
            "SELECT o.status, o.provider_message_id, o.payload->'provider_message_ids', "
            "o.sent_at IS NOT NULL, m.delivery_status, m.platform_message_id "
            "FROM outbox o JOIN messages m ON m.id = o.message_id WHERE o.id = :id",
            {"id": queued.outbox_id},
        )
    ).one()
    assert tuple(stored) == ("sent", "mid.1", ["mid.1", "mid.2"], True, "sent", "mid.1")
    assert await sending.claim(db, queued.outbox_id, lease_seconds=120) is None


async def test_a_row_sent_without_a_platform_id_leaves_its_message_alone(
    db: AsyncSession, instagram: SeededConnection
) -> None:
    conversation = await _conversation(db, instagram, last_wrote=timedelta(minutes=1))
    queued = await _queue(db, conversation, f"test:{uuid.uuid4()}")
    await sending.record_sent(db, queued.outbox_id, [])
    stored = (
        await run(
            db,
            "SELECT o.status, m.delivery_status, m.platform_message_id FROM outbox o "
            "JOIN messages m ON m.id = o.message_id WHERE o.id = :id",
            {"id": queued.outbox_id},
        )
    ).one()
    assert tuple(stored) == ("sent", "pending", None)


async def test_a_failure_fails_the_message_only_when_the_row_is_dead(
    db: AsyncSession, engine: AsyncEngine, whatsapp: SeededConnection
) -> None:
    conversation = await _conversation(db, whatsapp, last_wrote=timedelta(minutes=1))
    retried = await _queue(db, conversation, f"test:{uuid.uuid4()}")
    dead = await _queue(db, conversation, f"test:{uuid.uuid4()}")
    later = utcnow() + timedelta(minutes=5)
    await sending.record_failure(db, retried.outbox_id, error="HTTP 503", retry_at=later)
    with counted(engine) as statements:
        await sending.record_failure(db, dead.outbox_id, error="code 131047", retry_at=None)
    assert len(statements) == 1
    found = await run(
        db,
        "SELECT o.id, o.status, o.last_error, o.next_attempt_at, m.delivery_status "
        "FROM outbox o JOIN messages m ON m.id = o.message_id WHERE o.conversation_id = :c",
        {"c": conversation.id},
    )
    by_id = {row[0]: tuple(row[1:]) for row in found.all()}
    assert by_id[retried.outbox_id] == ("failed", "HTTP 503", later, "pending")
    assert by_id[dead.outbox_id][0::3] == ("dead", "failed")

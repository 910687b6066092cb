"""The database itself refuses bad data: uniqueness, CHECKs, tenant consistency, ON DELETE.

Rows go in through the SQLModel tables (so the mapping is exercised too) inside the
rolled-back `db` session; each expected violation runs in a savepoint of its own.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import delete, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from store.tables.businesses import Business
from store.tables.catalog import InventoryItem, Product, ProductVariant, ProductVariantOption
from store.tables.conversations import AiResponseLog, Conversation, Message
from store.tables.enums import (
    AiActionTaken,
    AlertStatus,
    ConversationSenderType,
    ConversationStatus,
    OutboxKind,
    SocialPlatform,
    TokenStatus,
)
from store.tables.ops import Alert, OutboxMessage
from store.tables.social import SocialConnection
from store.tables.users import User

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


# --- keyword-only factories -------------------------------------------------------------


async def make_business(db: AsyncSession, **fields: Any) -> Business:
    user = User(id=uuid.uuid4(), email=f"{uuid.uuid4().hex}@example.com")
    db.add(user)
    await db.flush()
    business = Business(user_id=user.id, name="Ada's Closet", **fields)
    db.add(business)
    await db.flush()
    return business


async def make_product(db: AsyncSession, *, business: Business) -> Product:
    product = Product(business_id=business.id, name="Cool Hoodie", base_price=Decimal("25.00"))
    db.add(product)
    await db.flush()
    return product


def item(
    *,
    product: Product,
    sku: str = "ADA-HOODIE-S",
    business_id: uuid.UUID | None = None,
    price: str = "25.00",
    stock: int = 3,
) -> InventoryItem:
    return InventoryItem(
        business_id=business_id or product.business_id,
        product_id=product.id,
        sku=sku,
        price=Decimal(price),
        stock_quantity=stock,
    )


async def make_conversation(db: AsyncSession, *, business: Business) -> Conversation:
    connection = SocialConnection(
        business_id=business.id,
        platform=SocialPlatform.INSTAGRAM,
        platform_account_id=uuid.uuid4().hex,
        webhook_path_token=uuid.uuid4().hex,
    )
    db.add(connection)
    await db.flush()
    conversation = Conversation(
        business_id=business.id,
        social_connection_id=connection.id,
        customer_platform_id="igsid-1",
        last_message_at=NOW,
    )
    db.add(conversation)
    await db.flush()
    return conversation


def message(
    *,
    conversation: Conversation,
    platform_message_id: str | None = None,
    sender: ConversationSenderType = ConversationSenderType.CUSTOMER,
) -> Message:
    return Message(
        conversation_id=conversation.id,
        business_id=conversation.business_id,
        platform_message_id=platform_message_id,
        sender_type=sender,
        text_content="Do you have the hoodie in small?",
        platform_timestamp=NOW,
    )


async def violation(db: AsyncSession, *rows: SQLModel) -> str:
    """Insert `rows` in a savepoint that must fail; the name of the constraint that failed."""
    savepoint = await db.begin_nested()
    db.add_all(rows)
    with pytest.raises(IntegrityError) as failure:
        await db.flush()
    await savepoint.rollback()
    return str(failure.value.orig.diag.constraint_name)  # type: ignore[union-attr]


async def count(db: AsyncSession, table: type[SQLModel], **where: Any) -> int:
    query = select(func.count()).select_from(table)
    for name, value in where.items():
        query = query.where(getattr(table, name) == value)
    return (await db.exec(query)).one()


# --- catalog ---------------------------------------------------------------------------


async def test_a_sku_is_unique_within_a_business(db: AsyncSession) -> None:
    product = await make_product(db, business=await make_business(db))
    db.add(item(product=product, sku="ADA-HOODIE-S"))
    await db.flush()

    assert (
        await violation(db, item(product=product, sku="ADA-HOODIE-S"))
        == "uq_inventory_items_business_sku"
    )


async def test_the_same_sku_in_two_businesses_is_fine(db: AsyncSession) -> None:
    first = await make_product(db, business=await make_business(db))
    second = await make_product(db, business=await make_business(db))
    db.add_all([item(product=first, sku="HOODIE-S"), item(product=second, sku="HOODIE-S")])
    await db.flush()

    assert await count(db, InventoryItem, sku="HOODIE-S") == 2


@pytest.mark.parametrize(
    ("fields", "constraint"),
    [
        ({"stock": -1}, "ck_inventory_items_stock_quantity_non_negative"),
        ({"price": "-0.01"}, "ck_inventory_items_price_non_negative"),
        ({"sku": "BAD SKU"}, "ck_inventory_items_sku_format"),
        ({"sku": "ÉTÉ-1"}, "ck_inventory_items_sku_format"),
        ({"sku": ""}, "ck_inventory_items_sku_format"),
        ({"sku": "A" * 51}, "ck_inventory_items_sku_format"),
    ],
)
async def test_bad_inventory_values_are_refused(
    db: AsyncSession, fields: dict[str, Any], constraint: str
) -> None:
    product = await make_product(db, business=await make_business(db))
    assert await violation(db, item(product=product, **fields)) == constraint


async def test_a_fifty_character_sku_with_hyphens_is_accepted(db: AsyncSession) -> None:
    product = await make_product(db, business=await make_business(db))
    db.add(item(product=product, sku="my-BIZ-9" + "X" * 42))
    await db.flush()


async def test_a_negative_base_price_is_refused(db: AsyncSession) -> None:
    business = await make_business(db)
    product = Product(business_id=business.id, name="Hoodie", base_price=Decimal("-1"))
    assert await violation(db, product) == "ck_products_base_price_non_negative"


async def test_an_item_cannot_claim_a_business_other_than_its_products(db: AsyncSession) -> None:
    product = await make_product(db, business=await make_business(db))
    other = await make_business(db)
    assert (
        await violation(db, item(product=product, business_id=other.id))
        == "fk_inventory_items_product_business"
    )


async def test_money_round_trips_exactly(db: AsyncSession) -> None:
    product = await make_product(db, business=await make_business(db))
    stored = item(product=product, price="19.99")
    db.add(stored)
    await db.flush()
    stored_id = stored.id
    db.expire(stored)

    query = select(col(InventoryItem.price)).where(InventoryItem.id == stored_id)
    price = (await db.exec(query)).one()
    assert price == Decimal("19.99")
    assert isinstance(price, Decimal)


# --- businesses ------------------------------------------------------------------------


async def test_business_defaults_come_from_the_database(db: AsyncSession) -> None:
    business = await make_business(db)
    await db.refresh(business)
    assert business.confidence_threshold == pytest.approx(0.6)
    assert business.profile_completeness_score == 0


@pytest.mark.parametrize(
    ("fields", "constraint"),
    [
        ({"confidence_threshold": 1.5}, "ck_businesses_confidence_threshold_unit_interval"),
        ({"profile_completeness_score": 101}, "ck_businesses_profile_completeness_score_range"),
        ({"shortcode": "MY BIZ"}, "ck_businesses_shortcode_format"),
    ],
)
async def test_bad_business_values_are_refused(
    db: AsyncSession, fields: dict[str, Any], constraint: str
) -> None:
    user = User(id=uuid.uuid4(), email=f"{uuid.uuid4().hex}@example.com")
    db.add(user)
    await db.flush()
    assert await violation(db, Business(user_id=user.id, **fields)) == constraint


async def test_an_owner_has_at_most_one_business(db: AsyncSession) -> None:
    business = await make_business(db)
    assert await violation(db, Business(user_id=business.user_id)) == "uq_businesses_user_id"


# --- conversations ---------------------------------------------------------------------


async def test_a_platform_message_id_is_stored_once(db: AsyncSession) -> None:
    conversation = await make_conversation(db, business=await make_business(db))
    db.add(message(conversation=conversation, platform_message_id="mid.1"))
    await db.flush()

    duplicate = message(conversation=conversation, platform_message_id="mid.1")
    assert await violation(db, duplicate) == "uq_messages_platform_message_id"


async def test_a_message_cannot_claim_a_business_other_than_its_conversations(
    db: AsyncSession,
) -> None:
    conversation = await make_conversation(db, business=await make_business(db))
    stray = message(conversation=conversation)
    stray.business_id = (await make_business(db)).id
    assert await violation(db, stray) == "fk_messages_conversation_business"


async def test_a_conversation_starts_with_the_ai_and_enums_load_as_enums(db: AsyncSession) -> None:
    conversation_id = (await make_conversation(db, business=await make_business(db))).id
    db.expire_all()

    loaded = (await db.exec(select(Conversation).where(Conversation.id == conversation_id))).one()
    connection = await db.get(SocialConnection, loaded.social_connection_id)
    assert loaded.status is ConversationStatus.ACTIVE_AI
    assert connection is not None
    assert connection.token_status is TokenStatus.VALID
    assert connection.platform is SocialPlatform.INSTAGRAM


async def test_deleting_a_business_deletes_everything_it_owns(db: AsyncSession) -> None:
    business = await make_business(db)
    keeper = await make_business(db)
    options: dict[uuid.UUID, uuid.UUID] = {}
    for owner in (business, keeper):
        product = await make_product(db, business=owner)
        variant = ProductVariant(product_id=product.id, option_name="Size")
        db.add_all([variant, item(product=product)])
        await db.flush()
        option = ProductVariantOption(variant_id=variant.id, value="S")
        db.add(option)
        conversation = await make_conversation(db, business=owner)
        db.add(message(conversation=conversation))
        await db.flush()
        options[owner.id] = option.id

    await db.exec(delete(Business).where(col(Business.id) == business.id))

    for table in (Product, InventoryItem, Conversation, Message, SocialConnection):
        assert await count(db, table, business_id=business.id) == 0
        assert await count(db, table, business_id=keeper.id) == 1
    assert await count(db, ProductVariantOption, id=options[business.id]) == 0
    assert await count(db, ProductVariantOption, id=options[keeper.id]) == 1


async def test_deleting_a_message_clears_the_log_references_to_it(db: AsyncSession) -> None:
    conversation = await make_conversation(db, business=await make_business(db))
    incoming = message(conversation=conversation, platform_message_id="mid.in")
    reply = message(conversation=conversation, sender=ConversationSenderType.AI_BOT)
    db.add_all([incoming, reply])
    await db.flush()
    log = AiResponseLog(
        conversation_id=conversation.id,
        business_id=conversation.business_id,
        incoming_message_id=incoming.id,
        generated_message_id=reply.id,
        final_prompt_sent_to_llm="local brain trace",
        action_taken=AiActionTaken.RESPONDED_AUTO,
        confidence_score=0.9,
    )
    db.add(log)
    await db.flush()
    reply.ai_processing_log_id = log.id
    await db.flush()

    await db.exec(delete(Message).where(col(Message.id).in_([incoming.id, reply.id])))
    await db.refresh(log)

    assert log.incoming_message_id is None
    assert log.generated_message_id is None
    assert log.action_taken is AiActionTaken.RESPONDED_AUTO


async def test_deleting_a_log_clears_the_message_reference_to_it(db: AsyncSession) -> None:
    conversation = await make_conversation(db, business=await make_business(db))
    log = AiResponseLog(
        conversation_id=conversation.id,
        business_id=conversation.business_id,
        final_prompt_sent_to_llm="trace",
    )
    db.add(log)
    await db.flush()
    reply = message(conversation=conversation, sender=ConversationSenderType.AI_BOT)
    reply.ai_processing_log_id = log.id
    db.add(reply)
    await db.flush()

    await db.exec(delete(AiResponseLog).where(col(AiResponseLog.id) == log.id))
    await db.refresh(reply)
    assert reply.ai_processing_log_id is None


# --- reliability -----------------------------------------------------------------------


async def test_an_outbox_idempotency_key_is_used_once(db: AsyncSession) -> None:
    def send() -> OutboxMessage:
        return OutboxMessage(
            kind=OutboxKind.EMAIL,
            idempotency_key="reset:42",
            recipient="ada@example.com",
            payload={"subject": "Reset"},
        )

    db.add(send())
    await db.flush()
    assert await violation(db, send()) == "uq_outbox_idempotency_key"


async def test_only_one_alert_fires_per_fingerprint(db: AsyncSession) -> None:
    db.add_all(
        [
            Alert(rule="llm_errors", fingerprint="llm_errors:openai", status=AlertStatus.RESOLVED),
            Alert(rule="llm_errors", fingerprint="llm_errors:openai"),
        ]
    )
    await db.flush()

    second = Alert(rule="llm_errors", fingerprint="llm_errors:openai")
    assert await violation(db, second) == "uq_alerts_fingerprint_firing"

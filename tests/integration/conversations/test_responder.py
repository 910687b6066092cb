"""The responder graph with the local brain, against a seeded catalog in real Postgres.

Each test writes a customer's message into a fresh shop's conversation and runs
`respond_to_conversation` in the test's rolled-back session, as the job would: then
checks what was queued for the customer, the conversation's status, the owner's
notification and the one `ai_responses_log` row of the decision.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from agents.responder import HOLDING_MESSAGE, ResponderServices, respond_to_conversation
from agents.responder.actions import SORRY_HOLDING_MESSAGE
from agents.responder.decide import DISCOUNT_REASON
from core.embeddings import LocalEmbeddings, QueryCache
from core.settings import Settings
from store.catalog.drafts import ItemDraft
from store.context.sync import embed_business_context
from store.context.vectors import ContextStore
from store.tables.base import utcnow
from store.tables.businesses import Business
from store.tables.conversations import AiResponseLog, Conversation, Message
from store.tables.enums import ConversationSenderType, ConversationStatus, SocialPlatform
from store.tables.ops import Notification, OutboxMessage
from store.tables.social import SocialConnection
from tests.support.catalog import new_business, new_product
from tests.support.statements import counted

DELIVERY = "We deliver within Lagos in 1-2 days for 2,000."
RETURNS = "Unworn items can be returned within 7 days with the receipt."


@dataclass
class Shop:
    """A seeded business with a connection, and its services."""

    business: Business
    connection: SocialConnection
    services: ResponderServices


@dataclass(frozen=True)
class Answer:
    """What one decision left behind."""

    action: str
    text: str | None
    status: ConversationStatus
    log: AiResponseLog
    logs: int
    notifications: list[Notification]


async def seed_catalog(db: AsyncSession, business: Business) -> None:
    """A tote in three colours (one sold out), a canvas tote, and a shirt by size."""
    await new_product(
        db,
        business=business,
        name="Leather Tote",
        base_price="15000.00",
        description="A roomy tote in full-grain leather with an inner zip pocket.",
        variants={"Colour": ["Black", "Brown", "Tan"]},
        items=[
            ItemDraft(options=(("Colour", "Black"),), sku="ADA-TOTE-BLK", stock_quantity=4),
            ItemDraft(options=(("Colour", "Brown"),), sku="ADA-TOTE-BRN", stock_quantity=0),
            ItemDraft(
                options=(("Colour", "Tan"),),
                sku="ADA-TOTE-TAN",
                stock_quantity=2,
                price=Decimal("16500.00"),
            ),
        ],
    )
    await new_product(
        db,
        business=business,
        name="Canvas Tote",
        base_price="8000.00",
        items=[ItemDraft(sku="ADA-CANVAS", stock_quantity=10)],
    )
    await new_product(
        db,
        business=business,
        name="Linen Shirt",
        base_price="12000.00",
        variants={"Size": ["S", "M", "L"]},
        items=[
            ItemDraft(options=(("Size", "S"),), sku="ADA-LIN-S", stock_quantity=3),
            ItemDraft(options=(("Size", "M"),), sku="ADA-LIN-M", stock_quantity=0),
            ItemDraft(options=(("Size", "L"),), sku="ADA-LIN-L", stock_quantity=5),
        ],
    )


@pytest.fixture(scope="module")
def embeddings() -> LocalEmbeddings:
    """The local embedding model (loaded once per module)."""
    return LocalEmbeddings()


@pytest.fixture
async def shop(
    db: AsyncSession, engine: AsyncEngine, settings: Settings, embeddings: LocalEmbeddings
) -> AsyncIterator[Shop]:
    """Ada Styles: a catalog, delivery and returns policies (embedded), an Instagram
    connection."""
    business = await new_business(db, name="Ada Styles", shortcode="ADA")
    business.policies = {"delivery": DELIVERY, "returns": RETURNS}
    db.add(business)
    connection = SocialConnection(
        business_id=business.id,
        platform=SocialPlatform.INSTAGRAM,
        platform_account_id=f"ig-{uuid.uuid4().hex[:10]}",
        webhook_path_token=secrets.token_urlsafe(24),
    )
    db.add(connection)
    await db.flush()
    await seed_catalog(db, business)
    store = ContextStore(engine, embeddings)
    await embed_business_context(db, store, business.id)
    services = ResponderServices.build(settings, embeddings=embeddings, context_store=store)
    yield Shop(business, connection, services)
    await store.delete(business.id, list(await store.chunk_ids(business.id)))


async def new_conversation(
    db: AsyncSession, shop: Shop, *, status: ConversationStatus = ConversationStatus.ACTIVE_AI
) -> Conversation:
    conversation = Conversation(
        business_id=shop.business.id,
        social_connection_id=shop.connection.id,
        customer_platform_id=f"cust-{uuid.uuid4().hex[:12]}",
        customer_name="Tolu",
        status=status,
        last_message_at=utcnow(),
    )
    db.add(conversation)
    await db.flush()
    return conversation


async def customer_says(
    db: AsyncSession, conversation: Conversation, *texts: str, handled: bool = False
) -> list[Message]:
    """Customer messages, a second apart (already answered when `handled`)."""
    start = utcnow() - timedelta(seconds=len(texts))
    messages = [
        Message(
            conversation_id=conversation.id,
            business_id=conversation.business_id,
            platform_message_id=f"mid-{uuid.uuid4().hex}",
            sender_type=ConversationSenderType.CUSTOMER,
            text_content=text,
            platform_timestamp=start + timedelta(seconds=index),
            handled_at=utcnow() if handled else None,
        )
        for index, text in enumerate(texts)
    ]
    db.add_all(messages)
    await db.flush()
    return messages


async def answer(
    db: AsyncSession, settings: Settings, shop: Shop, conversation: Conversation
) -> Answer:
    """Run one decision and read back what it wrote."""
    outcome = await respond_to_conversation(db, settings, conversation.id, shop.services)
    outbox = (
        await db.exec(select(OutboxMessage).where(col(OutboxMessage.id).in_(outcome.outbox_ids)))
    ).all()
    texts = [str(row.payload["text"]) for row in outbox]
    logs = (
        await db.exec(
            select(AiResponseLog)
            .where(AiResponseLog.conversation_id == conversation.id)
            .order_by(col(AiResponseLog.created_at))
        )
    ).all()
    refreshed = await db.get(Conversation, conversation.id, populate_existing=True)
    assert refreshed is not None
    notifications = (
        await db.exec(select(Notification).where(Notification.conversation_id == conversation.id))
    ).all()
    assert logs, "every decision writes a log row"
    return Answer(
        action=outcome.action,
        text=texts[0] if texts else None,
        status=refreshed.status,
        log=logs[-1],
        logs=len(logs),
        notifications=list(notifications),
    )


async def ask(db: AsyncSession, settings: Settings, shop: Shop, *texts: str) -> Answer:
    conversation = await new_conversation(db, shop)
    await customer_says(db, conversation, *texts)
    return await answer(db, settings, shop, conversation)


def assert_answered(result: Answer, intent: str) -> str:
    assert result.action == "responded", (result.log.final_prompt_sent_to_llm, result.text)
    assert result.status == ConversationStatus.ACTIVE_AI
    assert result.log.detected_intent == intent
    assert result.log.action_taken == "responded_auto"
    assert result.text is not None
    assert result.log.parsed_response_text == result.text
    return result.text


def assert_escalated(result: Answer, holding: str = HOLDING_MESSAGE) -> None:
    assert result.action == "escalated", (result.log.final_prompt_sent_to_llm, result.text)
    assert result.text == holding
    assert result.status == ConversationStatus.ESCALATED_HUMAN_NEEDED
    assert result.log.action_taken == "escalated"
    assert [n.kind for n in result.notifications] == ["escalation"]


# --- answers from the catalog -----------------------------------------------------------


async def test_a_price_question_is_answered_with_the_catalog_price(
    db: AsyncSession, settings: Settings, shop: Shop
) -> None:
    result = await ask(db, settings, shop, "how much is the canvas tote?")
    text = assert_answered(result, "price")
    assert "Canvas Tote" in text
    assert "8,000" in text
    assert result.log.confidence_score is not None
    assert result.log.confidence_score >= shop.business.confidence_threshold
    facts = result.log.retrieved_context_snippets
    assert isinstance(facts, dict)
    assert [i["sku"] for i in facts["items"]] == ["ADA-CANVAS"]
    assert facts["items"][0]["price"] == "8000.00"


async def test_a_reply_writes_its_log_row_and_the_conversation_once(
    db: AsyncSession, engine: AsyncEngine, settings: Settings, shop: Shop
) -> None:
    """The log row is inserted complete (not inserted, then updated with the message it
    produced), the confidence rides on the statement that queues the reply, and a
    conversation already with the bot gets no status statement."""
    conversation = await new_conversation(db, shop)
    await customer_says(db, conversation, "how much is the canvas tote?")
    with counted(engine) as statements:
        outcome = await respond_to_conversation(db, settings, conversation.id, shop.services)
    assert outcome.action == "responded"
    writes = [s.split("(")[0].split(" SET ")[0].strip() for s in statements]
    assert writes.count("INSERT INTO ai_responses_log") == 1
    assert "UPDATE ai_responses_log" not in writes
    assert not any(w.startswith("UPDATE conversations") for w in writes), writes

    log = (
        await db.exec(select(AiResponseLog).where(AiResponseLog.conversation_id == conversation.id))
    ).one()
    reply = await db.get(Message, log.generated_message_id)
    assert reply is not None
    assert reply.ai_processing_log_id == log.id
    assert log.timings
    assert log.processing_time_ms is not None
    refreshed = await db.get(Conversation, conversation.id, populate_existing=True)
    assert refreshed is not None
    assert refreshed.ai_confidence_score_last == log.confidence_score
    assert refreshed.status == ConversationStatus.ACTIVE_AI


async def test_a_colour_in_stock_is_answered_from_stock(
    db: AsyncSession, settings: Settings, shop: Shop
) -> None:
    result = await ask(db, settings, shop, "Hi, do you have the leather tote in black?")
    text = assert_answered(result, "availability")
    assert "Leather Tote in Black" in text
    assert "4" in text  # the black tote's stock
    assert "15,000" in text
    assert result.log.extracted_entities is not None
    assert result.log.extracted_entities["options"] == {"Colour": "Black"}


async def test_a_size_sold_out_is_said_so_offering_what_is_in_stock(
    db: AsyncSession, settings: Settings, shop: Shop
) -> None:
    result = await ask(db, settings, shop, "is the linen shirt available in size M?")
    text = assert_answered(result, "availability")
    assert "Linen Shirt in size M" in text
    assert any(word in text for word in ("out of stock", "sold out", "run out"))
    assert "size S" in text
    assert "size L" in text


async def test_a_missing_option_gets_a_clarifying_question(
    db: AsyncSession, settings: Settings, shop: Shop
) -> None:
    result = await ask(db, settings, shop, "do you have the leather tote?")
    text = assert_answered(result, "availability")
    assert text.endswith("?")
    assert "Black" in text
    assert "Tan" in text
    assert "Brown" not in text  # sold out: not offered


async def test_an_ambiguous_product_gets_a_clarifying_question(
    db: AsyncSession, settings: Settings, shop: Shop
) -> None:
    result = await ask(db, settings, shop, "how much is the tote?")
    text = assert_answered(result, "price")
    assert "Leather Tote" in text
    assert "Canvas Tote" in text
    assert text.endswith("?")
    assert not any(ch.isdigit() for ch in text)  # no price guessed for either


async def test_a_follow_up_refers_to_the_product_asked_about_before(
    db: AsyncSession, settings: Settings, shop: Shop
) -> None:
    conversation = await new_conversation(db, shop)
    await customer_says(db, conversation, "do you have the linen shirt?", handled=True)
    await customer_says(db, conversation, "how much is it?")
    result = await answer(db, settings, shop, conversation)
    text = assert_answered(result, "price")
    assert "Linen Shirt" in text
    assert "12,000" in text


# --- answers from the business's context --------------------------------------------------


async def test_a_policy_question_is_answered_from_the_business_context(
    db: AsyncSession, settings: Settings, shop: Shop
) -> None:
    result = await ask(db, settings, shop, "do you deliver? how long does it take?")
    text = assert_answered(result, "policy")
    assert DELIVERY in text
    facts = result.log.retrieved_context_snippets
    assert isinstance(facts, dict)
    sources = [p["source"] for p in facts["policies"]]
    assert any(s.startswith("search_business_context") for s in sources)


async def test_a_policy_question_runs_the_embedding_model_once(
    db: AsyncSession,
    settings: Settings,
    shop: Shop,
    engine: AsyncEngine,
    embeddings: LocalEmbeddings,
) -> None:
    # The reading and the context search embed the same text: the second is a cache hit.
    cache = QueryCache(embeddings)
    services = ResponderServices.build(
        settings, embeddings=cache, context_store=ContextStore(engine, cache)
    )
    result = await ask(db, settings, replace(shop, services=services), "Do u deliver? How long?")
    assert DELIVERY in assert_answered(result, "policy")
    assert (cache.misses, cache.hits) == (1, 1)


async def test_a_policy_the_business_never_stated_is_escalated(
    db: AsyncSession, settings: Settings, shop: Shop
) -> None:
    result = await ask(db, settings, shop, "what are your opening hours on sunday?")
    assert result.log.detected_intent == "policy"
    assert_escalated(result)
    assert "open" not in (result.log.llm_raw_response or "")


# --- escalations --------------------------------------------------------------------------


async def test_a_refund_request_is_escalated_with_the_holding_message(
    db: AsyncSession, settings: Settings, shop: Shop
) -> None:
    result = await ask(db, settings, shop, "I want a refund, the bag I got was terrible!")
    assert result.log.detected_intent in ("refund", "complaint")
    assert_escalated(result, SORRY_HOLDING_MESSAGE)
    assert result.log.sentiment == "negative"
    [notice] = result.notifications
    assert "refund" in (notice.body or "")
    assert notice.title == "Tolu needs a reply"
    emails = (
        await db.exec(
            select(OutboxMessage).where(
                OutboxMessage.kind == "email", OutboxMessage.business_id == shop.business.id
            )
        )
    ).all()
    assert [e.idempotency_key for e in emails] == [f"escalation:{result.log.id}"]


async def test_a_request_for_a_person_is_escalated(
    db: AsyncSession, settings: Settings, shop: Shop
) -> None:
    result = await ask(db, settings, shop, "can I speak to a real person please")
    assert result.log.detected_intent == "human_request"
    assert_escalated(result)


@pytest.mark.parametrize(
    "text",
    ["can I get a discount on the canvas tote?", "abeg wetin be your last price for the tote"],
)
async def test_a_discount_request_goes_to_the_owner_not_answered_with_the_price(
    db: AsyncSession, settings: Settings, shop: Shop, text: str
) -> None:
    result = await ask(db, settings, shop, text)
    assert_escalated(result)
    [notice] = result.notifications
    assert DISCOUNT_REASON in (notice.body or "")
    assert f"decide: escalate — {DISCOUNT_REASON}" in result.log.final_prompt_sent_to_llm


async def test_an_unknown_product_is_escalated_never_invented(
    db: AsyncSession, settings: Settings, shop: Shop
) -> None:
    result = await ask(db, settings, shop, "how much are your umbrellas?")
    assert_escalated(result)
    assert result.log.llm_raw_response is None  # nothing was drafted


async def test_an_unknown_sku_gets_a_question_not_a_price(
    db: AsyncSession, settings: Settings, shop: Shop
) -> None:
    result = await ask(db, settings, shop, "price of ADA-ZZZ-99?")
    assert result.action in ("responded", "escalated")
    if result.action == "responded":
        assert result.text is not None
        assert "ADA-ZZZ-99" in result.text
        assert "?" in result.text


async def test_a_threshold_above_the_confidence_escalates(
    db: AsyncSession, settings: Settings, shop: Shop
) -> None:
    shop.business.confidence_threshold = 1.0
    db.add(shop.business)
    await db.flush()
    result = await ask(db, settings, shop, "how much is the canvs tote?")  # a typo: < 1
    assert result.log.detected_intent == "price"
    assert result.log.confidence_score is not None
    assert result.log.confidence_score < 1.0
    assert_escalated(result)
    assert "not sure enough" in (result.notifications[0].body or "")


# --- the gate and the log -----------------------------------------------------------------


async def test_a_conversation_a_person_took_over_gets_no_reply(
    db: AsyncSession, settings: Settings, shop: Shop
) -> None:
    conversation = await new_conversation(db, shop, status=ConversationStatus.ACTIVE_HUMAN)
    [message] = await customer_says(db, conversation, "how much is the canvas tote?")
    outcome = await respond_to_conversation(db, settings, conversation.id, shop.services)
    assert outcome.action == "stored_only"
    assert outcome.outbox_ids == ()
    logs = (
        await db.exec(select(AiResponseLog).where(AiResponseLog.conversation_id == conversation.id))
    ).all()
    assert logs == []
    notices = (
        await db.exec(select(Notification).where(Notification.conversation_id == conversation.id))
    ).all()
    assert [n.kind for n in notices] == ["new_message"]
    await db.refresh(message)
    assert message.handled_at is not None


async def test_a_burst_is_one_decision_with_one_log_row(
    db: AsyncSession, settings: Settings, shop: Shop
) -> None:
    conversation = await new_conversation(db, shop)
    burst = await customer_says(db, conversation, "hi", "do you have the leather tote", "in tan?")
    result = await answer(db, settings, shop, conversation)
    text = assert_answered(result, "availability")
    assert "Tan" in text
    assert "16,500" in text
    assert result.logs == 1
    log = result.log
    assert log.incoming_message_id == burst[-1].id
    assert log.generated_message_id is not None
    assert log.brain == "local"
    assert log.processing_time_ms is not None
    assert log.timings is not None
    assert {"load", "understand", "draft", "verify", "decide", "act"} <= set(log.timings)
    assert log.final_prompt_sent_to_llm.startswith("customer: hi")
    assert "decide: send" in log.final_prompt_sent_to_llm
    again = await respond_to_conversation(db, settings, conversation.id, shop.services)
    assert again.action == "nothing_waiting"


async def test_greetings_vary_from_message_to_message(
    db: AsyncSession, settings: Settings, shop: Shop
) -> None:
    replies: set[str] = set()
    for _ in range(6):
        result = await ask(db, settings, shop, "hello")
        replies.add(assert_answered(result, "greeting"))
    assert len(replies) > 1
    assert all("Ada Styles" in reply for reply in replies)


async def test_a_returns_question_is_answered_from_the_stated_policy(
    db: AsyncSession, settings: Settings, shop: Shop
) -> None:
    result = await ask(db, settings, shop, "what is your return policy?")
    text = assert_answered(result, "policy")
    assert RETURNS in text
    facts = result.log.retrieved_context_snippets
    assert isinstance(facts, dict)
    assert {"policies", "items", "products", "misses"} <= set(facts)

"""`sending.claimed_from`: one row of the claim statement as the sender's types."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from store.conversations.sending import claimed_from
from store.tables.enums import OutboxKind, SocialPlatform, TokenStatus

_OUTBOX = (
    uuid.uuid4(),
    "whatsapp_message",
    uuid.uuid4(),
    uuid.uuid4(),
    uuid.uuid4(),
    "reply:1",
    "2348012345678",
    {"text": "Hi", "sender": "ai_bot"},
    2,
)
_LAST = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)


def test_a_row_with_its_connection_becomes_a_claim_with_an_account() -> None:
    connection_id, business_id = uuid.uuid4(), uuid.uuid4()
    account_columns = (
        connection_id,
        business_id,
        "whatsapp",
        "100200300",
        "555000111",
        "sealed-token",
        "revoked",
        True,
        {"simulated": True},
    )
    claimed = claimed_from((*_OUTBOX, True, _LAST, *account_columns))
    assert claimed.row.kind is OutboxKind.WHATSAPP_MESSAGE
    assert claimed.row.attempts == 2
    assert claimed.row.payload == {"text": "Hi", "sender": "ai_bot"}
    assert claimed.uncertain
    assert claimed.last_customer_message_at == _LAST
    account = claimed.account
    assert account is not None
    assert account.platform is SocialPlatform.WHATSAPP
    assert account.token_status is TokenStatus.REVOKED
    assert (account.id, account.business_id) == (connection_id, business_id)
    assert account.whatsapp_phone_number_id == "555000111"


def test_a_row_without_a_conversation_has_no_account() -> None:
    email: tuple[object, ...] = (_OUTBOX[0], "email", None, None, None, "mail:1", "a@b.c", {}, 1)
    claimed = claimed_from((*email, False, None, *([None] * 9)))
    assert claimed.row.kind is OutboxKind.EMAIL
    assert claimed.account is None
    assert not claimed.uncertain

"""The closed vocabularies of the schema, as Python enums other layers can import.

Each enum's values are exactly what the database stores. The first group are native
Postgres ENUM types (named in `PG_ENUM_NAMES`, as the PRD defines them); the second are
TEXT columns held to the same values by named CHECK constraints, because those sets are
ours to grow and a CHECK is cheaper to change than an ENUM type.
"""

from __future__ import annotations

from enum import StrEnum

# --- native Postgres ENUM types (PRD §6.2.5, §6.4.5) ---


class WorkspaceSenderType(StrEnum):
    """Who wrote a workspace chat message: the owner or CHIDI."""

    USER = "user"
    AI = "ai"


class SocialPlatform(StrEnum):
    """A messaging platform CHIDI answers on."""

    INSTAGRAM = "instagram"
    WHATSAPP = "whatsapp"


class ConversationStatus(StrEnum):
    """Where a customer conversation stands; the inbox filters on it."""

    ACTIVE_AI = "active_ai"
    ESCALATED_HUMAN_NEEDED = "escalated_human_needed"
    ACTIVE_HUMAN = "active_human"
    RESOLVED_BY_AI = "resolved_by_ai"
    RESOLVED_BY_HUMAN = "resolved_by_human"
    ARCHIVED = "archived"


class ConversationSenderType(StrEnum):
    """Who wrote a message in a customer conversation."""

    CUSTOMER = "customer"
    AI_BOT = "ai_bot"
    BUSINESS_HUMAN = "business_human"


class MessageContentType(StrEnum):
    """What a conversation message carries; `unsupported` is recorded, never answered."""

    TEXT = "text"
    IMAGE = "image"
    AUDIO = "audio"
    VIDEO = "video"
    FILE = "file"
    STICKER = "sticker"
    UNSUPPORTED = "unsupported"


class AiActionTaken(StrEnum):
    """What the auto-responder did with one incoming message."""

    RESPONDED_AUTO = "responded_auto"
    ESCALATED = "escalated"
    ERROR_OCCURRED = "error_occurred"
    HOLDING_MESSAGE_SENT = "holding_message_sent"


PG_ENUM_NAMES: dict[type[StrEnum], str] = {
    WorkspaceSenderType: "message_sender_type",
    SocialPlatform: "social_platform_type",
    ConversationStatus: "conversation_status",
    ConversationSenderType: "conversation_sender_type",
    MessageContentType: "message_content_type",
    AiActionTaken: "ai_action_taken",
}

# --- TEXT columns with CHECK constraints ---


class WorkspaceThread(StrEnum):
    """Which workspace conversation a chat message belongs to."""

    ONBOARDING = "onboarding"
    ASSISTANT = "assistant"


class TokenStatus(StrEnum):
    """Whether a social connection's access token still works."""

    VALID = "valid"
    EXPIRED = "expired"
    REVOKED = "revoked"
    INVALID = "invalid"


class DeliveryStatus(StrEnum):
    """How far an outgoing message got, as the platform reported it."""

    PENDING = "pending"
    SENT = "sent"
    DELIVERED = "delivered"
    READ = "read"
    FAILED = "failed"


class Brain(StrEnum):
    """Which brain made an auto-responder decision."""

    LOCAL = "local"
    OPENAI = "openai"


class WebhookEventStatus(StrEnum):
    """Progress of a raw webhook delivery through the pipeline."""

    RECEIVED = "received"
    PROCESSED = "processed"
    FAILED = "failed"
    IGNORED = "ignored"


class OutboxKind(StrEnum):
    """What an outbox row sends, and so which sender picks it up."""

    INSTAGRAM_MESSAGE = "instagram_message"
    WHATSAPP_MESSAGE = "whatsapp_message"
    EMAIL = "email"
    SLACK = "slack"


class OutboxStatus(StrEnum):
    """Lifecycle of an outbox row; `dead` means retries are exhausted."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    DEAD = "dead"


class StatusActor(StrEnum):
    """Who changed a conversation's status."""

    AI = "ai"
    HUMAN = "human"
    SYSTEM = "system"
    CUSTOMER = "customer"


class AlertStatus(StrEnum):
    """Whether an alert incident is ongoing."""

    FIRING = "firing"
    RESOLVED = "resolved"

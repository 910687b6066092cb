"""The structured output the LLM brain returns: its reading of a message, and its draft.

No field has a default: OpenAI's strict structured output wants every field required, so
the model always says what it decided. The intent labels are exactly the local brain's
(`core.brain.understanding.INTENTS`), so both brains feed the same decide rules.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from core.brain.understanding import Intent, Sentiment

PolicyTopic = Literal["delivery", "returns", "hours", "payment", "location", "warranty", "ordering"]


class OptionChoice(BaseModel):
    """One option value the customer asked for."""

    name: str = Field(description="The option type as the customer means it: Colour, Size...")
    value: str = Field(description="The value asked for: Black, M, 42...")


class CustomerReading(BaseModel):
    """What the customer's message (or burst of messages) asks."""

    intent: Intent = Field(
        description="greeting: hello/thanks/bye only; product_info: what a product is like "
        "or comes in; price: what something costs; availability: in stock, in a size or "
        "colour; policy: delivery, returns policy, hours, payment, location; order: buying, "
        "reserving, an order's status; complaint: unhappy with a product or service; refund: "
        "money back or returning something bought; human_request: wants a person; other."
    )
    sentiment: Sentiment
    confidence: float = Field(ge=0, le=1, description="How sure the reading is, 0 to 1.")
    product: str | None = Field(
        description="The product the customer means, as they called it (or as named in "
        "earlier messages when this one says 'it'); null if none."
    )
    skus: list[str] = Field(description="Product codes (SKUs) written in the messages.")
    options: list[OptionChoice] = Field(description="Options asked for (colour, size...).")
    quantity: int | None = Field(description="How many the customer wants, if said.")
    policy_topics: list[PolicyTopic] = Field(description="Policies a policy question is about.")


class ReplyDraft(BaseModel):
    """The reply to send, written from the facts only."""

    answerable: bool = Field(
        description="False when the facts do not answer the customer (then reply is empty)."
    )
    clarifying: bool = Field(
        description="True when the reply asks which product or option the customer means."
    )
    reply: str = Field(description="The message to the customer; empty when not answerable.")

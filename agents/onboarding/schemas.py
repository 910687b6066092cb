"""The structured output the LLM brain returns when reading onboarding replies.

One schema per shape of field (text, social presence, policies) and one for the summary
review, each with the owner's words fenced in the prompt (see `agents.fences`). No field
has a default: OpenAI's strict structured output wants every field required, and the
model then always says what it decided.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

_SKIPPED = "True if the owner declined, postponed or said they don't know yet."
_FOLLOW = (
    "True if the answer is too thin or vague to be useful: a description under three "
    "words, or key information missing."
)
_QUESTION = "When needs_follow_up: one friendly question asking for the most useful detail."
_ACK = "A short, warm acknowledgement of the answer: one sentence, no question."


class TextAnswer(BaseModel):
    """The owner's answer to a question about one text field of the profile."""

    skipped: bool = Field(description=_SKIPPED)
    value: str | None = Field(
        description="The answer as a clean phrase or sentences in the owner's words; "
        "null when skipped or not given.",
    )
    needs_follow_up: bool = Field(description=_FOLLOW)
    follow_up_question: str | None = Field(description=_QUESTION)
    acknowledgement: str | None = Field(description=_ACK)


class SocialAnswer(BaseModel):
    """Where customers find the business online, as the owner said it."""

    skipped: bool = Field(description=_SKIPPED)
    instagram: str | None = Field(description="Instagram handle, like @shop.")
    whatsapp: str | None = Field(description="WhatsApp number, like +2348012345678.")
    facebook: str | None = Field(description="Facebook page name or URL.")
    tiktok: str | None = Field(description="TikTok handle, like @shop.")
    twitter: str | None = Field(description="X (Twitter) handle, like @shop.")
    website: str | None = Field(description="Website address.")
    needs_follow_up: bool = Field(description=_FOLLOW)
    follow_up_question: str | None = Field(description=_QUESTION)
    acknowledgement: str | None = Field(description=_ACK)


class PoliciesAnswer(BaseModel):
    """The business's policies, as the owner stated them."""

    skipped: bool = Field(description=_SKIPPED)
    hours: str | None = Field(description="Opening hours and days.")
    delivery: str | None = Field(description="Delivery or pickup policy.")
    returns: str | None = Field(description="Returns, refunds and exchanges.")
    payment: str | None = Field(description="Payment methods accepted.")
    other: str | None = Field(description="Any other policy stated.")
    needs_follow_up: bool = Field(description=_FOLLOW)
    follow_up_question: str | None = Field(description=_QUESTION)
    acknowledgement: str | None = Field(description=_ACK)


class FieldChange(BaseModel):
    """One change the owner asks for at the summary."""

    target: str = Field(description="Which value to change (one of the listed targets).")
    mode: Literal["set", "append", "clear", "ask"] = Field(
        description="set replaces, append adds to the text, clear empties, ask: wants to add "
        "more but has not said it yet."
    )
    value: str | None = Field(description="The new value, in the owner's words.")


class SummaryReview(BaseModel):
    """The owner's reply to the profile summary."""

    decision: Literal["confirm", "change", "unclear"] = Field(
        description="confirm: the owner accepts; change: asks for changes; else unclear."
    )
    changes: list[FieldChange] = Field(description="The changes asked for (empty if none).")


AnswerSchema = type[TextAnswer] | type[SocialAnswer] | type[PoliciesAnswer]


def schema_for(field: str) -> AnswerSchema:
    """The structured-output schema for answers about `field`."""
    if field == "social_media_presence":
        return SocialAnswer
    if field == "policies":
        return PoliciesAnswer
    return TextAnswer

"""What one onboarding run needs besides its state, passed with `context=`."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from langchain_openai import ChatOpenAI


@dataclass(frozen=True)
class OnboardingContext:
    """Run-time configuration of the onboarding graph (never checkpointed).

    `chat_model` None selects the local brain; the business id is for logs only, since the
    thread id already scopes the conversation to one business.
    """

    business_id: uuid.UUID
    chat_model: ChatOpenAI | None = None

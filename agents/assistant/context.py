"""What one assistant turn runs with besides its state, passed with `context=`."""

from __future__ import annotations

from dataclasses import dataclass

from langchain_openai import ChatOpenAI

from tools.context import ToolContext


@dataclass(frozen=True)
class AssistantContext(ToolContext):
    """The tools' run-time context (business, sessions, stores; audience "assistant"), plus
    the brain and what the suggestions need to know.

    It is the graph's `context_schema`, so the tools read the business id from here and
    never from a model's arguments. `chat_model` None selects the local brain.
    `onboarding_complete` False makes finishing onboarding the first suggestion.
    """

    chat_model: ChatOpenAI | None = None
    onboarding_complete: bool = True

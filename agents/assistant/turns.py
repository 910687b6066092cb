"""One assistant turn, for every caller (the API, evals, benchmarks): run the business's
thread on the owner's message and return what CHIDI answered.

The graph writes nothing itself except through the tools, which commit their own
sessions (a profile change is saved when the tool runs); the caller stores the messages.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from langchain_core.messages import HumanMessage

from agents.assistant.context import AssistantContext
from agents.assistant.facts import TurnFacts
from agents.assistant.graph import AssistantGraph, thread_config
from agents.assistant.state import AssistantInput, AssistantState

TokenSink = Callable[[str], None]


@dataclass(frozen=True)
class AssistantTurn:
    """What a turn produced."""

    reply: str
    suggestions: list[str]
    profile_changes: list[dict[str, Any]]
    """[{"field", "value"}] for each profile field the turn changed."""
    turn: int
    """The turn's number on the thread (1 for the first message ever)."""
    tools: list[str]
    """The tools called this turn, in order."""

    @property
    def changed_fields(self) -> list[str]:
        """The profile fields changed, once each, in order."""
        return list(dict.fromkeys(change["field"] for change in self.profile_changes))


def _state(values: Any) -> AssistantState:
    if isinstance(values, AssistantState):
        return values
    return AssistantState(**values)


async def take_turn(
    graph: AssistantGraph, context: AssistantContext, text: str, on_token: TokenSink
) -> AssistantTurn:
    """Answer `text` on the business's thread; reply text goes to `on_token` as produced.

    durability="exit": one checkpoint per turn, written when the turn ends.
    """
    final: Any = None
    async for mode, chunk in graph.astream(
        AssistantInput(messages=[HumanMessage(text)]),
        thread_config(context.business_id),
        context=context,
        stream_mode=["custom", "values"],
        durability="exit",
    ):
        if mode == "custom" and isinstance(chunk, dict):
            on_token(str(chunk["token"]))
        else:
            final = chunk
    state = _state(final)
    return AssistantTurn(
        reply=state.reply,
        suggestions=list(state.suggestions),
        profile_changes=list(state.profile_changes),
        turn=state.turn,
        tools=[fact.tool for fact in TurnFacts.of(state.messages).facts],
    )

"""The assistant graph's state: the conversation, and what the latest turn produced.

Messages are LangChain messages (checkpointed as such); everything else is plain JSON.
Tool results are kept as the JSON the model read, not as Python objects (see
`nodes.read_results`), so any process can load the thread.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any

from langchain_core.messages import AnyMessage
from langgraph.graph.message import add_messages


@dataclass
class AssistantInput:
    """What starts a turn: the owner's message."""

    messages: Annotated[Sequence[AnyMessage], add_messages] = field(default_factory=list)
    """The conversation: owner messages, CHIDI's tool calls, tool results and answers."""


@dataclass
class AssistantState(AssistantInput):
    """The whole state of the business's assistant thread."""

    turn: int = 0
    """Owner messages answered on this thread so far (the current one included)."""
    steps: int = 0
    """Tool rounds taken in the current turn (bounded by `MAX_TOOL_ROUNDS`)."""
    model_failed: bool = False
    """The model failed earlier in this turn, so the local brain finishes it."""
    reply: str = ""
    """The current turn's answer, as streamed to the owner."""
    profile_changes: list[dict[str, Any]] = field(default_factory=list)
    """Profile fields the current turn changed: [{"field", "value"}], in order."""
    suggestions: list[str] = field(default_factory=list)
    """Prompts to suggest next, from what the profile still lacks."""

"""The conversation as kept in the checkpoint and as sent to the model: pure.

The thread keeps the last `KEEP_TURNS` owner turns (older messages are removed, so the
checkpoint does not grow for ever). The model gets that history with the owner's words
fenced and with any tool call left unanswered by a failed turn taken out: OpenAI refuses a
conversation whose tool calls lack their results.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from langchain_core.messages import (
    AIMessage,
    AnyMessage,
    BaseMessage,
    HumanMessage,
    RemoveMessage,
    ToolMessage,
)

from agents.assistant.prompts import OWNER_TAG
from agents.fences import fence

KEEP_TURNS: Final = 12


def message_text(message: BaseMessage) -> str:
    """A message's text, whether its content is a string or a list of parts."""
    return message.content if isinstance(message.content, str) else message.text


def latest_owner_text(messages: Sequence[AnyMessage]) -> str:
    """What the owner said last."""
    for message in reversed(messages):
        if isinstance(message, HumanMessage):
            return message_text(message)
    return ""


def forget_old(messages: Sequence[AnyMessage], keep_turns: int = KEEP_TURNS) -> list[RemoveMessage]:
    """Removals of the messages before the last `keep_turns` owner messages."""
    starts = [i for i, m in enumerate(messages) if isinstance(m, HumanMessage)]
    if len(starts) <= keep_turns:
        return []
    cut = starts[-keep_turns]
    return [RemoveMessage(id=m.id) for m in messages[:cut] if m.id is not None]


def _answered_calls(messages: Sequence[AnyMessage]) -> set[str]:
    return {m.tool_call_id for m in messages if isinstance(m, ToolMessage)}


def consistent(messages: Sequence[AnyMessage]) -> list[AnyMessage]:
    """The messages without tool calls that have no result (and without results whose
    call is gone), so every tool call is followed by its results."""
    answered = _answered_calls(messages)
    kept: list[AnyMessage] = []
    calls: set[str] = set()
    for message in messages:
        if isinstance(message, AIMessage) and message.tool_calls:
            ids = {str(call["id"]) for call in message.tool_calls}
            if not ids <= answered:
                continue
            calls |= ids
        if isinstance(message, ToolMessage) and message.tool_call_id not in calls:
            continue
        kept.append(message)
    return kept


def for_model(messages: Sequence[AnyMessage]) -> list[BaseMessage]:
    """The history as the model reads it: consistent, owner words fenced as data."""
    return [
        HumanMessage(fence(OWNER_TAG, message_text(m))) if isinstance(m, HumanMessage) else m
        for m in consistent(messages)
    ]


def turn_reply(turn: Sequence[AnyMessage]) -> str:
    """CHIDI's reply in a turn: the text of its messages, in order, as streamed."""
    texts = [message_text(m) for m in turn if isinstance(m, AIMessage)]
    return "\n\n".join(text for text in texts if text)

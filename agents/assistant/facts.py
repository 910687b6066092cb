"""The tool results of the current turn, read back into the tools' result models: pure.

Both brains' tool calls end up as `ToolMessage`s whose content is the JSON the tool
returned (what a model reads). The local brain plans its next call and composes its answer
from these, and the API reports profile changes from them, so everything downstream
reads what the tools actually said.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final, TypeVar

from langchain_core.messages import AIMessage, AnyMessage, HumanMessage, ToolMessage
from pydantic import BaseModel, ValidationError

from tools.results import (
    ContextSearchResult,
    FindProductsResult,
    InventoryResult,
    LowStockResult,
    OptionsResult,
    ProfileResult,
    ProfileUpdateResult,
    ToolError,
)

RESULT_TYPES: Final[dict[str, type[BaseModel]]] = {
    "find_products": FindProductsResult,
    "get_inventory": InventoryResult,
    "list_options": OptionsResult,
    "list_low_stock": LowStockResult,
    "search_business_context": ContextSearchResult,
    "get_business_profile": ProfileResult,
    "update_business_profile": ProfileUpdateResult,
}
ResultT = TypeVar("ResultT", bound=BaseModel)


@dataclass(frozen=True)
class Fact:
    """One tool call of the turn: the tool, the arguments it was called with, its result
    (the tool's result model, or a `ToolError`)."""

    tool: str
    args: dict[str, Any]
    result: BaseModel


def read_result(tool: str, content: str) -> BaseModel:
    """A tool message's content as the tool's result model.

    Anything else (an unknown tool, or the tool node's own plain-text error for a call
    with bad arguments) becomes a `ToolError` carrying the text.
    """
    try:
        data = json.loads(content)
    except ValueError:
        return ToolError(error=content, code="invalid_call")
    if isinstance(data, dict) and "error" in data and set(data) <= {"error", "code"}:
        return ToolError.model_validate(data)
    result_type = RESULT_TYPES.get(tool)
    if result_type is None:
        return ToolError(error=f"Unknown tool '{tool}'.", code="invalid_call")
    # The tools drop None values from their JSON (`exclude_none`); put them back.
    restored = {name: None for name in result_type.model_fields} | data
    try:
        return result_type.model_validate(restored)
    except ValidationError:
        return ToolError(error=content, code="invalid_call")


def current_turn(messages: Sequence[AnyMessage]) -> list[AnyMessage]:
    """The messages of the turn in progress: from the latest owner message on."""
    for index in range(len(messages) - 1, -1, -1):
        if isinstance(messages[index], HumanMessage):
            return list(messages[index:])
    return list(messages)


@dataclass
class TurnFacts:
    """The tool results of the current turn, in call order."""

    facts: list[Fact] = field(default_factory=list)

    @classmethod
    def of(cls, messages: Sequence[AnyMessage]) -> TurnFacts:
        """Pair each tool message of the current turn with the call that asked for it."""
        turn = current_turn(messages)
        calls = {
            call["id"]: call
            for message in turn
            if isinstance(message, AIMessage)
            for call in message.tool_calls
        }
        facts = []
        for message in turn:
            if isinstance(message, ToolMessage) and message.tool_call_id in calls:
                call = calls[message.tool_call_id]
                content = message.content if isinstance(message.content, str) else message.text
                facts.append(
                    Fact(call["name"], dict(call["args"]), read_result(call["name"], content))
                )
        return cls(facts)

    @property
    def tools(self) -> set[str]:
        """The tools called so far."""
        return {fact.tool for fact in self.facts}

    def last(self, tool: str, result_type: type[ResultT]) -> ResultT | None:
        """The latest successful result of `tool`, if any."""
        for fact in reversed(self.facts):
            if fact.tool == tool and isinstance(fact.result, result_type):
                return fact.result
        return None

    def errors(self, tool: str) -> list[ToolError]:
        """The errors `tool` returned this turn."""
        return [f.result for f in self.facts if f.tool == tool and isinstance(f.result, ToolError)]

    def of_tool(self, tool: str) -> list[Fact]:
        """Every call of `tool` this turn, in order."""
        return [fact for fact in self.facts if fact.tool == tool]

    def profile_changes(self) -> list[dict[str, Any]]:
        """The fields `update_business_profile` changed, with their new values."""
        return [
            {"field": fact.result.field, "value": fact.result.value}
            for fact in self.facts
            if isinstance(fact.result, ProfileUpdateResult) and fact.result.changed
        ]

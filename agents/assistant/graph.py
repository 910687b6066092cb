"""The assistant graph, wired (docs/workspace.md "The assistant graph").

    start_turn -> choose_action -(tool calls)-> run_tools -> read_results -> choose_action
                               \\-(answer)-> suggest_next -> END

One graph for both brains: `choose_action` asks the model or the local planner, and the
same tool node runs the calls with the business taken from the run-time context
(`AssistantContext`). One thread per business (`assistant:<business id>`, apart from the
onboarding thread), checkpointed in Postgres.
"""

from __future__ import annotations

import uuid
from typing import Any, Literal

from langchain_core.messages import AIMessage
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.prebuilt import ToolNode

from agents.assistant.context import AssistantContext
from agents.assistant.nodes import choose_action, read_results, start_turn, suggest_next
from agents.assistant.state import AssistantInput, AssistantState
from tools.toolset import ASSISTANT_TOOLS

AssistantGraph = CompiledStateGraph[AssistantState, AssistantContext, AssistantInput, Any]


def thread_id(business_id: uuid.UUID) -> str:
    """The business's assistant thread; derived from the business only, never a request."""
    return f"assistant:{business_id}"


def thread_config(business_id: uuid.UUID) -> RunnableConfig:
    """The run config that selects the business's assistant thread."""
    return {"configurable": {"thread_id": thread_id(business_id)}}


def route_action(state: AssistantState) -> Literal["run_tools", "suggest_next"]:
    """Run the tools the last message calls, or finish the turn with its answer."""
    last = state.messages[-1] if state.messages else None
    if not isinstance(last, AIMessage):
        raise ValueError(f"expected CHIDI's message, got {type(last).__name__}")
    return "run_tools" if last.tool_calls else "suggest_next"


def build_assistant_graph() -> StateGraph[AssistantState, AssistantContext, AssistantInput, Any]:
    """The graph's wiring, uncompiled."""
    builder = StateGraph(
        AssistantState, input_schema=AssistantInput, context_schema=AssistantContext
    )
    builder.add_node(start_turn)
    builder.add_node(choose_action)
    builder.add_node("run_tools", ToolNode(list(ASSISTANT_TOOLS), name="run_tools"))
    builder.add_node(read_results)
    builder.add_node(suggest_next)
    builder.add_edge(START, "start_turn")
    builder.add_edge("start_turn", "choose_action")
    builder.add_conditional_edges("choose_action", route_action)
    builder.add_edge("run_tools", "read_results")
    builder.add_edge("read_results", "choose_action")
    builder.add_edge("suggest_next", END)
    return builder


def compile_assistant_graph(checkpointer: BaseCheckpointSaver[Any]) -> AssistantGraph:
    """The runnable graph, checkpointed with `checkpointer`."""
    return build_assistant_graph().compile(checkpointer=checkpointer, name="Assistant")

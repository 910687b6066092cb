"""The responder graph, wired (DESIGN.md "The auto-responder graph").

    load -> gate -> understand -> plan -> [tools <-> ask_model] -> draft -> verify
         -> decide -> act -> log

`load` and `gate` may end the run (nothing waiting; a person handles the conversation).
`plan` queues the lookups the reading needs and the tool node runs them; with the LLM,
`ask_model` may call more tools (a bounded loop) before the draft. Not checkpointed: a
decision runs start to finish inside one job's transaction.
"""

from __future__ import annotations

from typing import Any, Literal

from langchain_core.messages import AIMessage
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.prebuilt import ToolNode
from langgraph.runtime import Runtime

from agents.responder import answering, nodes
from agents.responder.context import ResponderContext
from agents.responder.state import ResponderInput, ResponderState
from tools.toolset import RESPONDER_TOOLS

ResponderGraph = CompiledStateGraph[ResponderState, ResponderContext, ResponderInput, Any]


def route_loaded(state: ResponderState) -> Literal["gate", "__end__"]:
    """Stop when nothing was waiting."""
    return "__end__" if state.outcome is not None else "gate"


def route_gate(state: ResponderState) -> Literal["understand", "__end__"]:
    """Stop when a person handles the conversation (or nothing needs an answer)."""
    return "__end__" if state.outcome is not None else "understand"


def _last_turn_calls(state: ResponderState) -> bool:
    last = state.messages[-1] if state.messages else None
    return isinstance(last, AIMessage) and bool(last.tool_calls)


def route_planned(
    state: ResponderState, runtime: Runtime[ResponderContext]
) -> Literal["tools", "ask_model", "draft"]:
    """Run the planned lookups; else let the LLM look things up; else draft."""
    if _last_turn_calls(state):
        return "tools"
    return "ask_model" if nodes.wants_model(state, runtime) else "draft"


def route_looked_up(
    state: ResponderState, runtime: Runtime[ResponderContext]
) -> Literal["ask_model", "draft"]:
    """After the tools: another LLM turn while it may have one, else draft."""
    return "ask_model" if nodes.wants_model(state, runtime) else "draft"


def route_model(state: ResponderState) -> Literal["tools", "draft"]:
    """Run the LLM's tool calls, or draft when it made none."""
    return "tools" if _last_turn_calls(state) else "draft"


def build_responder_graph() -> StateGraph[ResponderState, ResponderContext, ResponderInput, Any]:
    """The graph's wiring, uncompiled."""
    builder = StateGraph(
        ResponderState, input_schema=ResponderInput, context_schema=ResponderContext
    )
    builder.add_node("load", nodes.load)
    builder.add_node("gate", nodes.gate)
    builder.add_node("understand", nodes.understand)
    builder.add_node("plan", nodes.plan)
    builder.add_node("tools", ToolNode(list(RESPONDER_TOOLS)))
    builder.add_node("ask_model", nodes.ask_model)
    builder.add_node("draft", answering.draft)
    builder.add_node("verify", answering.check)
    builder.add_node("decide", answering.choose)
    builder.add_node("act", answering.act)
    builder.add_node("log", answering.record)
    builder.add_edge(START, "load")
    builder.add_conditional_edges("load", route_loaded)
    builder.add_conditional_edges("gate", route_gate)
    builder.add_edge("understand", "plan")
    builder.add_conditional_edges("plan", route_planned)
    builder.add_conditional_edges("tools", route_looked_up)
    builder.add_conditional_edges("ask_model", route_model)
    builder.add_edge("draft", "verify")
    builder.add_edge("verify", "decide")
    builder.add_edge("decide", "act")
    builder.add_edge("act", "log")
    builder.add_edge("log", END)
    return builder


def compile_responder_graph() -> ResponderGraph:
    """The runnable graph (no checkpointer)."""
    return build_responder_graph().compile(name="Responder")

"""The onboarding graph, wired (DESIGN.md "Onboarding graph").

    open_onboarding -> choose_next -> ask_owner -(interrupt)-> read_answer -> choose_next ...
                                   \\-> summarize -> ask_owner -> review_summary -> finish

One thread per business (`thread_id`), checkpointed in Postgres, so any API process can
resume a conversation where another left it.
"""

from __future__ import annotations

import uuid
from typing import Any, Literal

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

from agents.onboarding.context import OnboardingContext
from agents.onboarding.nodes import (
    ask_owner,
    choose_next,
    finish,
    open_onboarding,
    read_answer,
    review_summary,
    summarize,
)
from agents.onboarding.state import OnboardingInput, OnboardingState

OnboardingGraph = CompiledStateGraph[OnboardingState, OnboardingContext, OnboardingInput, Any]


def thread_id(business_id: uuid.UUID) -> str:
    """The business's onboarding thread; derived from the business only, never a request."""
    return f"onboarding:{business_id}"


def thread_config(business_id: uuid.UUID) -> RunnableConfig:
    """The run config that selects the business's onboarding thread."""
    return {"configurable": {"thread_id": thread_id(business_id)}}


def route_next(state: OnboardingState) -> Literal["ask_owner", "summarize"]:
    """Ask the chosen field, or summarise when none is left."""
    return "ask_owner" if state.asking else "summarize"


def route_reply(state: OnboardingState) -> Literal["read_answer", "review_summary"]:
    """A reply answers a field's question or reviews the summary."""
    return "review_summary" if state.stage == "summary" else "read_answer"


def route_answer(state: OnboardingState) -> Literal["ask_owner", "choose_next"]:
    """Ask again (a follow-up, or the same question) or move on."""
    return "ask_owner" if state.question else "choose_next"


def route_review(
    state: OnboardingState,
) -> Literal["finish", "ask_owner", "summarize"]:
    """Finish once confirmed; ask what was decided; else show the updated summary."""
    if state.stage == "complete":
        return "finish"
    if state.question:
        return "ask_owner"
    if state.stage != "summary":
        raise ValueError(f"unexpected stage after review: {state.stage}")
    return "summarize"


def build_onboarding_graph() -> StateGraph[
    OnboardingState, OnboardingContext, OnboardingInput, Any
]:
    """The graph's wiring, uncompiled."""
    builder = StateGraph(
        OnboardingState, input_schema=OnboardingInput, context_schema=OnboardingContext
    )
    builder.add_node(open_onboarding)
    builder.add_node(choose_next)
    builder.add_node(summarize)
    builder.add_node(ask_owner)
    builder.add_node(read_answer)
    builder.add_node(review_summary)
    builder.add_node(finish)
    builder.add_edge(START, "open_onboarding")
    builder.add_edge("open_onboarding", "choose_next")
    builder.add_conditional_edges("choose_next", route_next)
    builder.add_edge("summarize", "ask_owner")
    builder.add_conditional_edges("ask_owner", route_reply)
    builder.add_conditional_edges("read_answer", route_answer)
    builder.add_conditional_edges("review_summary", route_review)
    builder.add_edge("finish", END)
    return builder


def compile_onboarding_graph(checkpointer: BaseCheckpointSaver[Any]) -> OnboardingGraph:
    """The runnable graph, checkpointed with `checkpointer`."""
    return build_onboarding_graph().compile(checkpointer=checkpointer, name="Onboarding")

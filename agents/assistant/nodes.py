"""The assistant graph's nodes; each returns the part of the state it changes.

`choose_action` is where the brains differ: the LLM brain asks the model (tools bound),
the local brain plans with `plan.next_calls` and answers with `answers.compose_answer`.
Either way the result is an `AIMessage` with tool calls (run by the tool node, with the
business from the run-time context) or with the answer. Answer text is streamed through
the run's stream writer as `{"token": text}` pieces while it is produced.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any, Final

from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    SystemMessage,
    ToolMessage,
)
from langchain_core.messages.ai import add_ai_message_chunks
from langchain_core.messages.tool import tool_call as make_tool_call
from langchain_core.messages.utils import message_chunk_to_message
from langchain_openai import ChatOpenAI
from langgraph.runtime import Runtime
from openai import OpenAIError

from agents.assistant import prompts
from agents.assistant.answers import compose_answer
from agents.assistant.context import AssistantContext
from agents.assistant.facts import TurnFacts, current_turn
from agents.assistant.history import for_model, forget_old, latest_owner_text, turn_reply
from agents.assistant.plan import next_calls
from agents.assistant.requests import classify_request
from agents.assistant.state import AssistantState
from agents.assistant.suggestions import next_prompts
from tools import business
from tools.toolset import ASSISTANT_TOOLS

log = logging.getLogger("chidi.assistant")

Update = dict[str, Any]
# Tool rounds one turn may take; the model must answer after the last.
MAX_TOOL_ROUNDS: Final = 5
SEPARATOR: Final = "\n\n"


def start_turn(state: AssistantState) -> Update:
    """Count the turn, clear the last turn's outcome, forget the oldest turns."""
    return {
        "messages": forget_old(state.messages),
        "turn": state.turn + 1,
        "steps": 0,
        "model_failed": False,
        "reply": "",
        "profile_changes": [],
        "suggestions": [],
    }


def system_prompt(context: AssistantContext) -> str:
    """The model's instructions for this business's turn."""
    if context.onboarding_complete:
        return prompts.SYSTEM_PROMPT
    return f"{prompts.SYSTEM_PROMPT}\n{prompts.SETUP_UNFINISHED}"


async def ask_model(
    model: ChatOpenAI, state: AssistantState, runtime: Runtime[AssistantContext]
) -> AIMessage:
    """The model's next message, its text streamed as it is generated.

    After `MAX_TOOL_ROUNDS` tool rounds the tools stay bound (the history holds their
    calls) but the model may not call them. Text after earlier text of the same turn is
    streamed after a blank line, as `history.turn_reply` joins it.
    """
    last_round = state.steps >= MAX_TOOL_ROUNDS
    bound = model.bind_tools(ASSISTANT_TOOLS, tool_choice="none" if last_round else None)
    messages: list[BaseMessage] = [SystemMessage(system_prompt(runtime.context))]
    messages.extend(for_model(state.messages))
    if last_round:
        messages.append(SystemMessage(prompts.LAST_ROUND))
    spoke_before = bool(turn_reply(current_turn(state.messages)))
    chunks: list[AIMessageChunk] = []
    try:
        async for chunk in bound.astream(messages):
            if not isinstance(chunk, AIMessageChunk):
                raise TypeError(f"expected a message chunk, got {type(chunk).__name__}")
            text = chunk.text
            if text:
                if spoke_before and not chunks_spoke(chunks):
                    runtime.stream_writer({"token": SEPARATOR})
                runtime.stream_writer({"token": text})
            chunks.append(chunk)
    except OpenAIError as exc:
        if chunks_spoke(chunks):
            # Half a reply is already on screen: fail the turn rather than append another.
            raise RuntimeError("the model failed mid-reply") from exc
        raise
    if not chunks:
        raise OpenAIError("the model sent no message")
    message = message_chunk_to_message(add_ai_message_chunks(chunks[0], *chunks[1:]))
    if not isinstance(message, AIMessage):
        raise TypeError(f"expected an AI message, got {type(message).__name__}")
    return message


def chunks_spoke(chunks: list[AIMessageChunk]) -> bool:
    """Whether any of these chunks carried text."""
    return any(chunk.text for chunk in chunks)


def plan_locally(state: AssistantState, runtime: Runtime[AssistantContext]) -> AIMessage:
    """The local brain's next message: the planned tool calls, else the composed answer."""
    text = latest_owner_text(state.messages)
    request = classify_request(text)
    facts = TurnFacts.of(state.messages)
    calls = next_calls(request, text, facts) if state.steps < MAX_TOOL_ROUNDS else []
    if calls:
        return AIMessage(
            content="",
            tool_calls=[
                make_tool_call(name=call.tool, args=call.args, id=f"call_{uuid.uuid4().hex}")
                for call in calls
            ],
        )
    answer = compose_answer(
        request, text, facts, onboarding_complete=runtime.context.onboarding_complete
    )
    runtime.stream_writer({"token": answer})
    return AIMessage(content=answer)


async def choose_action(state: AssistantState, runtime: Runtime[AssistantContext]) -> Update:
    """Call tools or answer, with the configured brain.

    If the model fails (after the client's retries), the local brain finishes the turn,
    so the owner still gets an answer grounded in the tools.
    """
    model = runtime.context.chat_model
    if model is None or state.model_failed:
        return {"messages": [plan_locally(state, runtime)]}
    try:
        return {"messages": [await ask_model(model, state, runtime)]}
    except OpenAIError as exc:
        log.warning("model failed; the local brain answers", extra={"error": type(exc).__name__})
    return {"messages": [plan_locally(state, runtime)], "model_failed": True}


def read_results(state: AssistantState) -> Update:
    """Note what the tools changed, and keep their results only as the JSON the model read.

    The tool node leaves each result's Python object on its message (`artifact`); the
    messages are replaced (same ids) without it, so checkpoints hold plain data only.
    """
    plain = [
        message.model_copy(update={"artifact": None})
        for message in current_turn(state.messages)
        if isinstance(message, ToolMessage) and message.artifact is not None
    ]
    return {
        "messages": plain,
        "steps": state.steps + 1,
        "profile_changes": TurnFacts.of(state.messages).profile_changes(),
    }


async def suggest_next(state: AssistantState, runtime: Runtime[AssistantContext]) -> Update:
    """The turn's reply, and prompts to suggest from what the profile (as it now stands)
    still lacks."""
    context = runtime.context
    async with context.sessions() as session:
        profile = await business.get_business_profile(session, context.business_id)
    asked = latest_owner_text(state.messages)
    return {
        "reply": turn_reply(current_turn(state.messages)),
        "suggestions": next_prompts(
            profile.profile, asked, onboarding_complete=context.onboarding_complete
        ),
    }

"""The LLM brain's part of retrieve and draft: asking for more lookups, writing the reply.

Lookups: the model sees the customer's messages and the planned lookups' results, and may
call the responder's tools for anything still unknown (`bind_tools`; the graph's tool
node runs the calls). Draft: the model writes the reply from the facts, as JSON
(`ReplyDraft`), and says when the facts do not answer. Whatever it writes is verified
before it can be sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from langchain_core.exceptions import OutputParserException
from langchain_core.messages import AIMessage, AnyMessage, BaseMessage, HumanMessage, SystemMessage
from langchain_openai import ChatOpenAI

from agents.responder.draft import Draft, DraftKind
from agents.responder.facts import Facts
from agents.responder.prompts import (
    DRAFT_PROMPT,
    LOOKUP_PROMPT,
    customer_block,
    facts_block,
    reading_block,
)
from agents.responder.schemas import ReplyDraft
from agents.responder.understand import ModelCall, raw_text, render
from core.brain.understanding import Understanding
from tools.toolset import RESPONDER_TOOLS

# At most this many tool calls of one model turn are run.
MAX_CALLS_PER_TURN: Final = 5


async def ask_for_lookups(
    model: ChatOpenAI, text: str, history: Sequence[str], lookups: Sequence[AnyMessage]
) -> tuple[AIMessage, ModelCall]:
    """The model's next turn: tool calls for what is still unknown, or none."""
    messages: list[BaseMessage] = [
        SystemMessage(LOOKUP_PROMPT),
        HumanMessage(customer_block(text, history)),
        *lookups,
    ]
    answer = await model.bind_tools(list(RESPONDER_TOOLS)).ainvoke(messages)
    calls = answer.tool_calls[:MAX_CALLS_PER_TURN]
    turn = AIMessage(content=answer.content, tool_calls=calls, id=answer.id)
    return turn, ModelCall(render(messages[:2]), raw_text(answer))


async def draft_with_model(
    model: ChatOpenAI,
    understanding: Understanding,
    facts: Facts,
    *,
    history: Sequence[str],
    business_name: str | None,
) -> tuple[Draft | None, ModelCall]:
    """The model's reply from the facts; None when it says they do not answer."""
    messages: list[BaseMessage] = [
        SystemMessage(DRAFT_PROMPT),
        HumanMessage(
            "\n".join(
                [
                    reading_block(understanding.intent, understanding.sentiment),
                    customer_block(understanding.text, history),
                    facts_block(facts.as_log(), business_name),
                ]
            )
        ),
    ]
    structured = model.with_structured_output(ReplyDraft, method="json_schema", include_raw=True)
    answer = await structured.ainvoke(messages)
    call = ModelCall(render(messages), raw_text(answer.get("raw")))
    draft = answer.get("parsed")
    if not isinstance(draft, ReplyDraft):
        raise OutputParserException(f"unreadable draft: {answer.get('parsing_error')}")
    if not draft.answerable or not draft.reply.strip():
        return None, call
    kind: DraftKind = "clarify" if draft.clarifying else "answer"
    return Draft(draft.reply.strip(), kind, "llm"), call

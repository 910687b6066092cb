"""The responder graph's state: one decision about a conversation's waiting messages.

The graph is not checkpointed (a decision runs inside one job's transaction, start to
finish), so the state may hold the loaded rows and the catalog snapshot as they are.
"""

from __future__ import annotations

import operator
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Annotated

from langchain_core.messages import AnyMessage
from langgraph.graph.message import add_messages

from agents.responder.decide import Decision
from agents.responder.draft import Draft
from agents.responder.facts import Facts
from agents.responder.outcome import ResponderOutcome
from agents.responder.verify import Verification
from core.brain.understanding import Understanding
from core.catalog_match import Catalog
from store.conversations.batches import Batch
from store.tables.businesses import DEFAULT_CONFIDENCE_THRESHOLD
from store.tables.conversations import AiResponseLog, Conversation, Message


def merge(left: Mapping[str, int], right: Mapping[str, int]) -> dict[str, int]:
    """Per-step timings: later steps add their own keys."""
    return {**left, **right}


@dataclass
class ResponderInput:
    """What starts a decision."""

    conversation_id: uuid.UUID
    """The conversation whose waiting customer messages are taken up."""
    started: float
    """`time.perf_counter()` when the decision began (for `processing_time_ms`)."""
    batch: Batch | None = None
    """The conversation and its waiting messages, when the caller took them up already."""


@dataclass
class ResponderState(ResponderInput):
    """Everything one decision loads, reads, looks up, drafts and decides."""

    conversation: Conversation | None = None
    """The conversation, row-locked for the whole decision."""
    waiting: list[Message] = field(default_factory=list)
    """The customer messages this decision takes up, oldest first."""
    history: list[str] = field(default_factory=list)
    """The customer's earlier messages (oldest first), for follow-ups."""
    business_name: str | None = None
    threshold: float = DEFAULT_CONFIDENCE_THRESHOLD
    """The business's confidence threshold for sending without a person."""
    catalog: Catalog = field(default_factory=Catalog)
    """The business's active catalog, as the reading resolves products against it."""
    text: str = ""
    """The waiting messages' text, one message per line."""
    unreadable: str | None = None
    """Why the messages cannot be read (media only), when they cannot."""
    understanding: Understanding | None = None
    messages: Annotated[list[AnyMessage], add_messages] = field(default_factory=list)
    """Lookups: the planned and model-made tool calls and the tools' answers."""
    model_rounds: int = 0
    """How many times the LLM was asked for more lookups."""
    lookups_started: float | None = None
    """`time.perf_counter()` when the lookups began (the retrieve step's timing)."""
    facts: Facts = field(default_factory=Facts)
    draft: Draft | None = None
    verification: Verification | None = None
    confidence: float = 0.0
    """The confidence the decision compared with the threshold."""
    decision: Decision | None = None
    errors: Annotated[list[str], operator.add] = field(default_factory=list)
    """Steps that failed (a model error, a timeout), in words for the log."""
    failure: str | None = None
    """A failure that leaves nothing to send (the message unread, no draft): escalate."""
    trace: Annotated[list[str], operator.add] = field(default_factory=list)
    """What each step did, in words: the local brain's decision trace."""
    prompts: Annotated[list[str], operator.add] = field(default_factory=list)
    """Every prompt sent to the LLM, rendered."""
    raw_outputs: Annotated[list[str], operator.add] = field(default_factory=list)
    """Every raw answer of the LLM."""
    timings: Annotated[dict[str, int], merge] = field(default_factory=dict)
    """Milliseconds per step."""
    log_row: AiResponseLog | None = None
    """The decision's `ai_responses_log` row, once `act` wrote it."""
    outcome: ResponderOutcome | None = None
    """Set by the step that ends the decision."""

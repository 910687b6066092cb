"""What the workspace needs for the life of the API process, built once in the lifespan.

The Postgres checkpointer (with its own pool), the compiled graphs, the chat model (None =
the local brain), the business-context store and product vectors the assistant's tools
search (the embedding model loads on first use), the arq client for context embedding,
and the turns still running, which shutdown lets finish so a turn in flight is committed
rather than cut off.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Final

from arq.connections import ArqRedis
from langchain_openai import ChatOpenAI
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from agents.assistant.graph import AssistantGraph, compile_assistant_graph
from agents.onboarding.graph import OnboardingGraph, compile_onboarding_graph
from core.chat_model import get_chat_model
from core.embeddings import get_embeddings
from core.settings import Settings
from store.checkpoints import Checkpoints, open_checkpoints
from store.context.vectors import ContextStore
from tools.product_vectors import ProductVectors
from workers.enqueue import job_queue

log = logging.getLogger("chidi.workspace")

SHUTDOWN_GRACE_SECONDS: Final = 30


@dataclass
class WorkspaceRuntime:
    """The workspace's long-lived parts."""

    checkpoints: Checkpoints
    onboarding: OnboardingGraph
    assistant: AssistantGraph
    chat_model: ChatOpenAI | None
    context_store: ContextStore
    product_vectors: ProductVectors
    jobs: ArqRedis
    running: set[asyncio.Task[None]] = field(default_factory=set)

    async def ready(self) -> None:
        """Make sure the checkpointer's tables exist (503 while the database is down)."""
        await self.checkpoints.ready()


@asynccontextmanager
async def open_workspace(
    settings: Settings, redis: Redis, engine: AsyncEngine
) -> AsyncIterator[WorkspaceRuntime]:
    """Build the runtime; on exit wait (bounded) for running turns, then close the pool."""
    embeddings = get_embeddings(settings)
    async with open_checkpoints(settings) as checkpoints:
        runtime = WorkspaceRuntime(
            checkpoints=checkpoints,
            onboarding=compile_onboarding_graph(checkpoints.saver),
            assistant=compile_assistant_graph(checkpoints.saver),
            chat_model=get_chat_model(settings),
            context_store=ContextStore(engine, embeddings),
            product_vectors=ProductVectors(embeddings),
            jobs=job_queue(redis),
        )
        try:
            yield runtime
        finally:
            if runtime.running:
                _, pending = await asyncio.wait(runtime.running, timeout=SHUTDOWN_GRACE_SECONDS)
                if pending:
                    log.warning(
                        "workspace turns cut off at shutdown", extra={"count": len(pending)}
                    )

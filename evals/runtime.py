"""What an eval run holds for its whole length: settings for the chosen brain, the database
engine, the context vector store and the graphs' checkpointer.

The brain is chosen the way the product chooses it, from the settings alone
(`core.chat_model`): `--brain local` runs with the OpenAI key removed (so the local brain
and the local embedding model answer, whatever the environment holds), `--brain openai`
with the configured OpenAI settings, and refuses to start without a key.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Literal

from langchain_openai import ChatOpenAI
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from agents.responder import ResponderServices
from core.chat_model import get_chat_model
from core.embeddings import get_embeddings
from core.errors import BadRequest
from core.settings import Settings
from store.checkpoints import Checkpoints, open_checkpoints
from store.context.vectors import ContextStore
from store.db import create_engine, create_sessionmaker
from tools.product_vectors import ProductVectors

BrainChoice = Literal["local", "openai"]


def settings_for_brain(settings: Settings, brain: BrainChoice) -> Settings:
    """The settings every graph of the run sees, with the brain chosen."""
    if brain == "local":
        return settings.model_copy(update={"openai_api_key": None})
    if settings.openai_api_key is None:
        raise BadRequest("--brain openai needs OPENAI_API_KEY (and OPENAI_BASE_URL if not OpenAI).")
    return settings


@dataclass
class EvalRuntime:
    """The long-lived parts of one eval run."""

    settings: Settings
    brain: BrainChoice
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    context_store: ContextStore
    product_vectors: ProductVectors
    checkpoints: Checkpoints
    chat_model: ChatOpenAI | None
    responder: ResponderServices
    """The responder's models and stores, built once as the worker builds them."""


@asynccontextmanager
async def open_runtime(settings: Settings, brain: BrainChoice) -> AsyncIterator[EvalRuntime]:
    """Build the run's engine, stores and checkpointer; release them on exit."""
    chosen = settings_for_brain(settings, brain)
    engine = create_engine(chosen)
    embeddings = get_embeddings(chosen)
    context_store = ContextStore(engine, embeddings)
    try:
        async with open_checkpoints(chosen) as checkpoints:
            await checkpoints.ready()
            yield EvalRuntime(
                settings=chosen,
                brain=brain,
                engine=engine,
                sessionmaker=create_sessionmaker(engine),
                context_store=context_store,
                product_vectors=ProductVectors(embeddings),
                checkpoints=checkpoints,
                chat_model=get_chat_model(chosen),
                responder=ResponderServices.build(
                    chosen, embeddings=embeddings, context_store=context_store
                ),
            )
    finally:
        await engine.dispose()

"""What one responder run needs besides its state, passed with `context=`.

`ResponderServices` are built once per worker process (the embedding model, the chat
model, the context store, the product-vector cache) and shared by every decision;
`ResponderContext` adds one decision's session, settings and business. It is also the
tools' `ToolContext`, so the tools the graph runs read the business from here, never from
a model's arguments.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from langchain_openai import ChatOpenAI
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from core.chat_model import get_chat_model
from core.embeddings import ProviderEmbeddings, get_embeddings
from core.settings import Settings
from store.context.vectors import ContextStore
from store.repositories.catalog_cache import CatalogCache
from tools.context import ToolContext
from tools.product_vectors import ProductVectors


@dataclass(frozen=True)
class ResponderServices:
    """The long-lived parts of a responder: build once per process, share across jobs.

    `chat_model` None selects the local brain; `context_store` None leaves policy answers
    to the profile's own policies (no search of the business's context); `catalog_cache`
    keeps each business's catalog between decisions while it is unchanged.
    """

    embeddings: ProviderEmbeddings
    chat_model: ChatOpenAI | None = None
    context_store: ContextStore | None = None
    product_vectors: ProductVectors | None = None
    catalog_cache: CatalogCache = field(default_factory=CatalogCache)

    @classmethod
    def build(
        cls,
        settings: Settings,
        *,
        embeddings: ProviderEmbeddings | None = None,
        engine: AsyncEngine | None = None,
        context_store: ContextStore | None = None,
    ) -> ResponderServices:
        """The services the settings ask for; the context store needs an engine (or is
        given)."""
        embeddings = embeddings or get_embeddings(settings)
        if context_store is None and engine is not None:
            context_store = ContextStore(engine, embeddings)
        return cls(
            embeddings=embeddings,
            chat_model=get_chat_model(settings),
            context_store=context_store,
            product_vectors=ProductVectors(embeddings),
        )


@dataclass(frozen=True, kw_only=True)
class ResponderContext(ToolContext):
    """One decision's run-time context: the tools' context plus the caller's session
    (everything is written in its transaction), the settings and the services."""

    session: AsyncSession
    settings: Settings
    services: ResponderServices

    @property
    def chat_model(self) -> ChatOpenAI | None:
        """The LLM, or None for the local brain."""
        return self.services.chat_model

"""OpenAI embeddings (or any OpenAI-compatible server's) behind CHIDI's provider interface."""

from __future__ import annotations

from typing import Any

from langchain_openai import OpenAIEmbeddings
from pydantic import PrivateAttr

from core.embeddings.base import ProviderEmbeddings
from core.settings import Settings

# Native vector sizes of OpenAI's embedding models; other models must state theirs.
KNOWN_DIMENSIONS = {
    "text-embedding-3-small": 1536,
    "text-embedding-3-large": 3072,
    "text-embedding-ada-002": 1536,
}
# Only these accept the `dimensions` request parameter (shortened embeddings).
SHORTENABLE_PREFIX = "text-embedding-3-"


class OpenAIProviderEmbeddings(OpenAIEmbeddings, ProviderEmbeddings):
    """`OpenAIEmbeddings` that also reports its model id and vector size."""

    _dimension: int = PrivateAttr()

    def __init__(self, *, dimension: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._dimension = dimension

    @property
    def model_id(self) -> str:
        """`openai:<model>`, with `@<size>` when the vectors are not the model's native size."""
        base = f"openai:{self.model}"
        if KNOWN_DIMENSIONS.get(self.model) in (None, self._dimension):
            return base
        return f"{base}@{self._dimension}"

    @property
    def dimension(self) -> int:
        """The vector size the server returns for this model."""
        return self._dimension


def resolve_dimension(model: str, configured: int | None) -> int:
    """The vector size for `model`: the configured one, else the model's native size.

    Raises ValueError for a model CHIDI does not know when no size is configured, because
    the vector store must size its column before the first vector arrives.
    """
    if configured is not None:
        return configured
    if model in KNOWN_DIMENSIONS:
        return KNOWN_DIMENSIONS[model]
    raise ValueError(f"OPENAI_EMBEDDING_DIMENSIONS must be set for the embedding model {model!r}")


def openai_embeddings(settings: Settings) -> OpenAIProviderEmbeddings:
    """OpenAI embeddings configured from `settings` (key, base URL, model, timeout, retries).

    Texts are sent as strings (`check_embedding_ctx_length=False`): the length check would
    tokenise with tiktoken, which downloads its tables on first use, and CHIDI's chunks are
    far below the 8,191-token limit anyway.
    """
    if settings.openai_api_key is None:
        raise ValueError("OPENAI_API_KEY is required for OpenAI embeddings")
    model = settings.openai_embedding_model
    configured = settings.openai_embedding_dimensions
    dimension = resolve_dimension(model, configured)
    shorten = configured is not None and model.startswith(SHORTENABLE_PREFIX)
    return OpenAIProviderEmbeddings(
        dimension=dimension,
        model=model,
        dimensions=dimension if shorten else None,
        api_key=settings.openai_api_key,
        base_url=settings.openai_base_url,
        timeout=settings.openai_timeout_seconds,
        max_retries=settings.openai_max_retries,
        check_embedding_ctx_length=False,
    )

"""Pick the embedding provider the settings ask for."""

from __future__ import annotations

from core.embeddings.base import ProviderEmbeddings
from core.embeddings.local import LocalEmbeddings
from core.embeddings.openai_provider import openai_embeddings
from core.settings import Settings


def get_embeddings(settings: Settings) -> ProviderEmbeddings:
    """OpenAI embeddings when an OpenAI key is set (EMBEDDING_PROVIDER=auto), else local.

    EMBEDDING_PROVIDER=local keeps the local model even with a key, for OpenAI-compatible
    servers that only chat; EMBEDDING_PROVIDER=openai without a key is a configuration error.
    """
    use_openai = settings.embedding_provider == "openai" or (
        settings.embedding_provider == "auto" and settings.openai_enabled
    )
    if use_openai:
        return openai_embeddings(settings)
    return LocalEmbeddings()

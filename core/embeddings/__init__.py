"""Text embeddings for CHIDI: one LangChain `Embeddings` interface, two providers.

`get_embeddings(settings)` returns OpenAI embeddings when an OpenAI key is configured and
the offline all-MiniLM-L6-v2 model otherwise. Both are `ProviderEmbeddings`: LangChain
`Embeddings` (so langchain-postgres takes them as they are) with a `model_id` and a
`dimension` that stores use to keep one collection per model.
"""

from core.embeddings.base import ProviderEmbeddings
from core.embeddings.factory import get_embeddings
from core.embeddings.local import LocalEmbeddings
from core.embeddings.openai_provider import OpenAIProviderEmbeddings
from core.embeddings.query_cache import QueryCache

__all__ = [
    "LocalEmbeddings",
    "OpenAIProviderEmbeddings",
    "ProviderEmbeddings",
    "QueryCache",
    "get_embeddings",
]

"""What every CHIDI embedding provider offers beyond LangChain's `Embeddings`."""

from __future__ import annotations

from abc import abstractmethod

from langchain_core.embeddings import Embeddings


class ProviderEmbeddings(Embeddings):
    """A LangChain `Embeddings` that also names its model and vector size.

    Stores key their collections on `model_id` and size their vector columns by
    `dimension`, so switching providers starts a new collection instead of mixing vectors
    from two models in one index.
    """

    @property
    @abstractmethod
    def model_id(self) -> str:
        """A stable `provider:model` name (with the size when it is not the model's own)."""

    @property
    @abstractmethod
    def dimension(self) -> int:
        """The length of every vector this provider returns."""

    def query_key(self, text: str) -> str:
        """A key equal for two texts only if they get the same vector (for caches)."""
        return text

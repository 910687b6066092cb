"""Recent query vectors, kept so a text asked about again is not embedded again.

One reply embeds its message for the intent reading and again for the context search;
customers send the same short texts over and over ("hello", "how much?", "do you
deliver?"). With the local model an embedding is ~5–7 ms of CPU, the largest single cost
of a reply after the database. Documents (context chunks, product texts) pass straight
through: they are embedded once and stored.
"""

from __future__ import annotations

from collections import OrderedDict

from core.embeddings.base import ProviderEmbeddings


class QueryCache(ProviderEmbeddings):
    """`inner`, with the vectors of the last `max_entries` queries remembered (least
    recently used forgotten first), keyed by `inner.query_key`."""

    def __init__(self, inner: ProviderEmbeddings, max_entries: int = 4096) -> None:
        if max_entries < 1:
            raise ValueError("max_entries must be at least 1")
        self.inner, self.max_entries = inner, max_entries
        self._vectors: OrderedDict[str, tuple[float, ...]] = OrderedDict()
        self.hits = 0
        self.misses = 0

    @property
    def model_id(self) -> str:
        return self.inner.model_id

    @property
    def dimension(self) -> int:
        return self.inner.dimension

    def query_key(self, text: str) -> str:
        return self.inner.query_key(text)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.inner.embed_documents(texts)

    async def aembed_documents(self, texts: list[str]) -> list[list[float]]:
        return await self.inner.aembed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        key = self.query_key(text)
        remembered = self._recall(key)
        if remembered is not None:
            return remembered
        return self._remember(key, self.inner.embed_query(text))

    async def aembed_query(self, text: str) -> list[float]:
        key = self.query_key(text)
        remembered = self._recall(key)
        if remembered is not None:
            return remembered
        return self._remember(key, await self.inner.aembed_query(text))

    def _recall(self, key: str) -> list[float] | None:
        vector = self._vectors.get(key)
        if vector is None:
            self.misses += 1
            return None
        self.hits += 1
        self._vectors.move_to_end(key)
        return list(vector)  # a copy: callers may change theirs

    def _remember(self, key: str, vector: list[float]) -> list[float]:
        self._vectors[key] = tuple(vector)
        while len(self._vectors) > self.max_entries:
            self._vectors.popitem(last=False)
        return vector

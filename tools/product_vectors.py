"""Semantic product search: products ranked by meaning when no name matches.

"something warm for winter" names no product, but means the hoodie. Product texts (name,
category, description) are embedded with the configured provider and cached in the
process by a hash of the text, so a changed product is embedded again and an unchanged one
never is. A cold cache embeds at most `max_new_per_call` products per search, so a large
catalog warms up over a few searches instead of stalling one.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Sequence
from typing import Final

import numpy as np
from langchain_core.embeddings import Embeddings
from numpy.typing import NDArray

from core.catalog_match import CatalogProduct

# Cosine similarity from which a product counts as meant (MiniLM: related texts score
# 0.46 and up, unrelated ones 0.12 and below — FINDINGS.md).
SEMANTIC_CUTOFF: Final = 0.38


def product_text(product: CatalogProduct) -> str:
    """What a product is, as one text to embed."""
    parts = [product.name, product.category or "", product.description or ""]
    return ". ".join(part.strip() for part in parts if part and part.strip())


class ProductVectors:
    """A process-wide cache of product-text embeddings for one embedding model."""

    def __init__(
        self,
        embeddings: Embeddings,
        *,
        max_entries: int = 50_000,
        max_new_per_call: int = 256,
    ) -> None:
        self.embeddings = embeddings
        self.max_entries = max_entries
        self.max_new_per_call = max_new_per_call
        self._cache: OrderedDict[str, NDArray[np.float32]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._cache)

    async def _vectors(self, texts: Sequence[str]) -> dict[str, NDArray[np.float32]]:
        keys = [hashlib.sha256(t.encode()).hexdigest() for t in texts]
        missing = [
            (k, t) for k, t in dict(zip(keys, texts, strict=True)).items() if k not in self._cache
        ]
        missing = missing[: self.max_new_per_call]
        if missing:
            vectors = await self.embeddings.aembed_documents([t for _, t in missing])
            for (key, _), vector in zip(missing, vectors, strict=True):
                self._cache[key] = _unit(np.asarray(vector, dtype=np.float32))
        while len(self._cache) > self.max_entries:
            self._cache.popitem(last=False)
        found: dict[str, NDArray[np.float32]] = {}
        for key, text in zip(keys, texts, strict=True):
            if key in self._cache:
                self._cache.move_to_end(key)
                found[text] = self._cache[key]
        return found

    async def rank(
        self,
        query: str,
        products: Sequence[CatalogProduct],
        *,
        limit: int = 5,
        cutoff: float = SEMANTIC_CUTOFF,
    ) -> list[tuple[CatalogProduct, float]]:
        """The products closest in meaning to `query`, best first, above `cutoff`."""
        if not products or not query.strip():
            return []
        texts = [product_text(p) for p in products]
        vectors = await self._vectors(texts)
        question = _unit(np.asarray(await self.embeddings.aembed_query(query), dtype=np.float32))
        scored = [
            (product, float(vectors[text] @ question))
            for product, text in zip(products, texts, strict=True)
            if text in vectors
        ]
        scored = [pair for pair in scored if pair[1] >= cutoff]
        scored.sort(key=lambda pair: -pair[1])
        return scored[:limit]


def _unit(vector: NDArray[np.float32]) -> NDArray[np.float32]:
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm > 0 else vector

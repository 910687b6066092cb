"""What the local brain reads from a customer's message: the types every reader returns.

The responder's `understand` step returns an `Understanding` whichever brain ran (the
local NLU here, or the LLM through structured output), so the steps after it (retrieve,
draft, verify, decide) do not care which brain read the message.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final, Literal

from core.catalog_match import CatalogItem, CatalogProduct, ProductMatch

Intent = Literal[
    "greeting",
    "product_info",
    "price",
    "availability",
    "policy",
    "order",
    "complaint",
    "refund",
    "human_request",
    "other",
]
INTENTS: Final[tuple[Intent, ...]] = (
    "greeting",
    "product_info",
    "price",
    "availability",
    "policy",
    "order",
    "complaint",
    "refund",
    "human_request",
    "other",
)
Sentiment = Literal["positive", "neutral", "negative"]
ProductSource = Literal["sku", "name", "option", "history"]


@dataclass(frozen=True)
class Entities:
    """What the message names, resolved against this business's catalog.

    - `skus`: SKUs written in the message that exist in the catalog, with their product
      and item; `unknown_skus`: SKU-shaped tokens that match nothing (upper-cased);
    - `products`: products the message mentions, best first; `product`: the one it is
      about when that is clear (a SKU's product, or a name match ahead by a margin);
    - `options`: option name -> catalog value for `product` ("Colour" -> "Black");
      `option_words`: option-like words found whose product is not known;
    - `items`: `product`'s items on sale that have every chosen option (all of them when
      none is chosen; a SKU written in the message gives its own item, sold or not);
    - `quantity`: how many the customer wants, when said;
    - `unmatched_options`: option-like words said about `product` that are none of its
      values ("the tote in purple" -> ("purple",)), so a reply can say what it does come in;
    - `product_found_by`: how `product` was chosen: "sku", "name" (clearly the best name
      match), "option" (tied names, only one has an option the message names), "history"
      (named in an earlier message, not this one: "what about in black?"; the options said
      there carry over unless this message changes them).
    """

    skus: tuple[tuple[CatalogProduct, CatalogItem], ...] = ()
    unknown_skus: tuple[str, ...] = ()
    products: tuple[ProductMatch, ...] = ()
    product: CatalogProduct | None = None
    options: Mapping[str, str] = field(default_factory=dict)
    option_words: tuple[str, ...] = ()
    items: tuple[CatalogItem, ...] = ()
    quantity: int | None = None
    unmatched_options: tuple[str, ...] = ()
    product_found_by: ProductSource | None = None


@dataclass(frozen=True)
class Understanding:
    """One reading of a customer's message (or burst of messages).

    `confidence` (0-1) combines the intent classifier's margin with how well the entities
    resolved; the responder's decide step compares it with the business's threshold.
    `policy_topics` names the policy a `policy` question is about ("delivery", "returns",
    "hours", "payment", "location"), when it can tell.
    """

    text: str
    intent: Intent
    intent_scores: Mapping[Intent, float]
    entities: Entities
    sentiment: Sentiment
    confidence: float
    policy_topics: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()

"""Which tool calls answer a reading: the deterministic half of the retrieve step (pure).

Both brains start from this plan, so a product the reading resolved is always looked up
the same way; the LLM may then ask for more (`nodes.ask_model`). Products are named to
the tools by id (the tools accept an id, a SKU or a name), so the lookup finds exactly
the product the reading resolved. The business is never an argument: the tools take it
from their run-time context.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from langchain_core.messages import AIMessage, ToolCall

from core.brain.slang import expand
from core.brain.understanding import Understanding
from core.catalog_match import Catalog, CatalogProduct

PRODUCT_INTENTS: Final = frozenset({"price", "availability", "product_info"})
MAX_PRODUCTS: Final = 2
MAX_UNKNOWN_SKUS: Final = 2
POLICY_SNIPPETS: Final = 5
CANDIDATES: Final = 3
RANGE_PRODUCTS: Final = 8


def _call(index: int, name: str, args: Mapping[str, Any]) -> ToolCall:
    return ToolCall(name=name, args=dict(args), id=f"lookup-{index}", type="tool_call")


def _products(understanding: Understanding) -> list[CatalogProduct]:
    entities = understanding.entities
    if entities.product is not None:
        return [entities.product]
    unique = {product.id: product for product, _ in entities.skus}
    return list(unique.values())[:MAX_PRODUCTS]


def _business_words(understanding: Understanding) -> list[tuple[str, dict[str, Any]]]:
    """The profile (its stated policies) and the context snippets nearest the message.

    The search reads the message as the intent reading did (slang and shorthand spelled
    out): "abeg una dey deliver?" finds the delivery policy as "please do you deliver"
    would, and the query is the very text the reading embedded, so its vector comes from
    the query cache instead of a second run of the model.
    """
    query = expand(understanding.text)
    return [
        ("get_business_profile", {}),
        ("search_business_context", {"query": query, "k": POLICY_SNIPPETS}),
    ]


def is_range_question(understanding: Understanding) -> bool:
    """A question about the product range ("what do you sell?", "what's on the menu?"):
    about products, naming none, no SKU, no product-like words."""
    entities = understanding.entities
    return (
        understanding.intent == "product_info"
        and entities.product is None
        and not entities.products
        and not entities.skus
        and not entities.unknown_skus
    )


def plan_lookups(understanding: Understanding, catalog: Catalog | None = None) -> list[ToolCall]:
    """The tool calls that fetch the facts this reading needs (none for intents a person
    handles, or a greeting). `catalog` lists the products a range question is answered
    with."""
    catalog = catalog or Catalog()
    wanted: list[tuple[str, dict[str, Any]]] = []
    if understanding.intent == "policy":
        wanted.extend(_business_words(understanding))
    elif understanding.intent in PRODUCT_INTENTS:
        products = _products(understanding)
        for product in products:
            # Every SKU of the product (not only the options asked): a sold-out choice is
            # answered with what is in stock instead.
            wanted.append(("find_products", {"query": product.name, "limit": 5}))
            wanted.append(("get_inventory", {"product": str(product.id)}))
        for sku in understanding.entities.unknown_skus[:MAX_UNKNOWN_SKUS]:
            wanted.append(("get_inventory", {"sku": sku}))
        if not products and not understanding.entities.unknown_skus:
            wanted.append(("find_products", {"query": understanding.text, "limit": CANDIDATES}))
        if is_range_question(understanding):
            # "What do you sell?": what the shop has, each product as the catalog has it.
            wanted.extend(
                ("find_products", {"query": p.name, "limit": 1})
                for p in catalog.products[:RANGE_PRODUCTS]
            )
        # A second question in the message ("...and do you deliver to Ibadan?"), or a
        # product question the owner's own words answer ("does it have crayfish?").
        wanted.extend(_business_words(understanding))
    return [_call(index, name, args) for index, (name, args) in enumerate(wanted, start=1)]


def call_label(call: ToolCall) -> str:
    """A tool call as text, "get_inventory(product=..., options=...)", for the log."""
    args = ", ".join(f"{k}={v}" for k, v in call["args"].items() if v is not None)
    return f"{call['name']}({args})"


def lookup_message(calls: list[ToolCall]) -> AIMessage:
    """The plan as an assistant turn, for the tool node to run (and a model to read)."""
    return AIMessage(content="", tool_calls=calls)

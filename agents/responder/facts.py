"""What the retrieve step found, as structured facts with their sources.

The tools answer with pydantic results (`ToolMessage.artifact`); `collect_facts` turns
the tool messages of one decision into `Facts`: items (SKU, options, price, stock),
products (price range, options, description), policies (text) and misses (a SKU or
option the catalog does not have). Drafting reads only these, verification checks the
draft against them, and the log stores them (`Facts.as_log`), so what the customer was
told can always be traced to a row of the catalog or a line of the business's context.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from langchain_core.messages import AIMessage, AnyMessage, ToolMessage

from agents.responder.lookups import call_label
from tools.results import (
    ContextSearchResult,
    FindProductsResult,
    InventoryResult,
    ItemInfo,
    OptionsResult,
    ProductInfo,
    ProfileResult,
    ToolError,
)

# Context sources a policy answer may quote (the profile's policies and the owner's facts).
POLICY_SOURCES = frozenset({"policies", "fact"})


@dataclass(frozen=True)
class ItemFact:
    """One SKU as the catalog has it."""

    product: str
    sku: str
    price: Decimal
    stock: int
    in_stock: bool
    options: Mapping[str, str] = field(default_factory=dict)
    is_active: bool = True
    source: str = ""


@dataclass(frozen=True)
class ProductFact:
    """A product as the catalog has it; `in_stock_values` when `list_options` ran."""

    id: str
    name: str
    price_min: Decimal
    price_max: Decimal
    total_stock: int
    in_stock: bool
    description: str | None = None
    options: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    in_stock_values: Mapping[str, tuple[str, ...]] | None = None
    matched_by: str = "name"
    score: float = 100.0
    is_active: bool = True
    source: str = ""


@dataclass(frozen=True)
class PolicyFact:
    """A piece of what the business said about itself (`topic`: the policy key or the
    context source), quoted as stored."""

    topic: str
    text: str
    source: str = ""
    score: float | None = None


@dataclass(frozen=True)
class Miss:
    """A lookup that found nothing: `code` as the tool reported it ("unknown_sku",
    "no_such_item", "ambiguous_product", ...), the value asked for, and the tool's words."""

    code: str
    asked: str
    message: str
    source: str = ""


@dataclass(frozen=True)
class Facts:
    """Everything one decision retrieved."""

    products: tuple[ProductFact, ...] = ()
    items: tuple[ItemFact, ...] = ()
    policies: tuple[PolicyFact, ...] = ()
    misses: tuple[Miss, ...] = ()
    ambiguous: bool = False
    business_name: str | None = None

    def product(self, product_id: str) -> ProductFact | None:
        """The product fact with this id, if retrieved."""
        return next((p for p in self.products if p.id == product_id), None)

    def items_of(self, product_name: str) -> list[ItemFact]:
        """The retrieved SKUs of the product with this name."""
        return [item for item in self.items if item.product == product_name]

    def missing(self, code: str) -> list[Miss]:
        """The misses with this code."""
        return [miss for miss in self.misses if miss.code == code]

    def texts(self) -> list[str]:
        """Every text a reply may quote: names, SKUs, options, descriptions, policies."""
        out: list[str] = [self.business_name] if self.business_name else []
        for product in self.products:
            out.append(product.name)
            if product.description:
                out.append(product.description)
            out.extend(v for values in product.options.values() for v in values)
            out.extend(product.options)
        for item in self.items:
            out.extend([item.product, item.sku, *item.options.values(), *item.options])
        out.extend(policy.text for policy in self.policies)
        out.extend(miss.asked for miss in self.misses)
        return out

    def prices(self) -> set[Decimal]:
        """Every price the catalog gave: SKU prices and product price ranges."""
        found = {item.price for item in self.items}
        for product in self.products:
            found.update((product.price_min, product.price_max))
        return found

    def stock_figures(self) -> set[int]:
        """Every stock figure the catalog gave: per SKU and per product."""
        return {item.stock for item in self.items} | {p.total_stock for p in self.products}

    def skus(self) -> set[str]:
        """Retrieved SKUs and SKUs the catalog was asked for and does not have (upper-case)."""
        known = {item.sku.upper() for item in self.items}
        absent = {miss.asked.upper() for miss in self.missing("unknown_sku")}
        return known | absent

    def as_log(self) -> dict[str, Any]:
        """The facts as JSON for `ai_responses_log.retrieved_context_snippets`."""
        return {
            "products": [_jsonable(p) for p in self.products],
            "items": [_jsonable(i) for i in self.items],
            "policies": [_jsonable(p) for p in self.policies],
            "misses": [_jsonable(m) for m in self.misses],
            "ambiguous": self.ambiguous,
        }


def _jsonable(fact: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(json.dumps(fact.__dict__, default=_default))
    return data


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Mapping):
        return dict(value)
    raise TypeError(f"not JSON: {type(value).__name__}")


# --- from tool messages -----------------------------------------------------------------


def _calls(messages: Sequence[AnyMessage]) -> dict[str, str]:
    """Tool-call id -> "name(args)", the source each tool message's facts are quoted from."""
    found: dict[str, str] = {}
    for message in messages:
        if isinstance(message, AIMessage):
            for call in message.tool_calls:
                found[call["id"] or ""] = call_label(call)
    return found


def _call_args(messages: Sequence[AnyMessage]) -> dict[str, Mapping[str, Any]]:
    return {
        call["id"] or "": call["args"]
        for message in messages
        if isinstance(message, AIMessage)
        for call in message.tool_calls
    }


def _item(info: ItemInfo, source: str) -> ItemFact:
    return ItemFact(
        product=info.product_name,
        sku=info.sku,
        price=info.price,
        stock=info.stock_quantity,
        in_stock=info.in_stock,
        options=dict(info.options),
        is_active=info.is_active,
        source=source,
    )


def _product(info: ProductInfo, source: str) -> ProductFact:
    return ProductFact(
        id=info.id,
        name=info.name,
        price_min=info.price_min,
        price_max=info.price_max,
        total_stock=info.total_stock,
        in_stock=info.in_stock,
        description=info.description,
        options={name: tuple(values) for name, values in info.options.items()},
        matched_by=info.matched_by,
        score=info.score,
        is_active=info.is_active,
        source=source,
    )


def _policies_of(profile: ProfileResult, source: str) -> list[PolicyFact]:
    policies = profile.profile.get("policies")
    if not isinstance(policies, Mapping):
        return []
    return [
        PolicyFact(topic=str(key), text=text.strip(), source=f"{source}.policies.{key}")
        for key, text in policies.items()
        if isinstance(text, str) and text.strip()
    ]


class _Collector:
    """Accumulates facts from tool results, keeping the first copy of each."""

    def __init__(self) -> None:
        self.products: dict[str, ProductFact] = {}
        self.items: dict[str, ItemFact] = {}
        self.policies: dict[str, PolicyFact] = {}
        self.misses: list[Miss] = []
        self.ambiguous = False

    def add(self, result: Any, source: str, args: Mapping[str, Any]) -> None:
        if isinstance(result, FindProductsResult):
            self.ambiguous = self.ambiguous or result.ambiguous
            for info in result.products:
                self.products.setdefault(info.id, _product(info, source))
        elif isinstance(result, InventoryResult):
            for item in result.items:
                self.items.setdefault(item.sku.upper(), _item(item, source))
        elif isinstance(result, OptionsResult):
            self._stock_values(result)
        elif isinstance(result, ContextSearchResult):
            for snippet in result.snippets:
                fact = PolicyFact(snippet.source_field, snippet.text, source, snippet.score)
                self.policies.setdefault(snippet.text, fact)
        elif isinstance(result, ProfileResult):
            for fact in _policies_of(result, source):
                self.policies.setdefault(fact.text, fact)
        elif isinstance(result, ToolError):
            asked = str(args.get("sku") or args.get("product") or args.get("query") or "")
            self.misses.append(Miss(result.code, asked, result.error, source))

    def _stock_values(self, result: OptionsResult) -> None:
        values = {name: tuple(v) for name, v in result.in_stock_values.items()}
        for product_id, fact in self.products.items():
            if fact.name == result.product:
                self.products[product_id] = replace(fact, in_stock_values=values)

    def facts(self, business_name: str | None) -> Facts:
        return Facts(
            products=tuple(self.products.values()),
            items=tuple(self.items.values()),
            policies=tuple(self.policies.values()),
            misses=tuple(self.misses),
            ambiguous=self.ambiguous,
            business_name=business_name,
        )


def collect_facts(messages: Iterable[AnyMessage], *, business_name: str | None = None) -> Facts:
    """The facts in a decision's tool messages, in the order the tools answered.

    `list_options` results are applied after every product is known, so the order in
    which concurrent tool calls finished does not matter.
    """
    ordered = list(messages)
    sources, args = _calls(ordered), _call_args(ordered)
    collector = _Collector()
    results = [
        (m.artifact, sources.get(m.tool_call_id, m.name or "tool"), args.get(m.tool_call_id, {}))
        for m in ordered
        if isinstance(m, ToolMessage)
    ]
    for artifact, source, call_args in results:
        if not isinstance(artifact, OptionsResult):
            collector.add(artifact, source, call_args)
    for artifact, source, call_args in results:
        if isinstance(artifact, OptionsResult):
            collector.add(artifact, source, call_args)
    return collector.facts(business_name)

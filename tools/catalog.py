"""Catalog lookups for the agents, as plain async functions over a business's catalog.

The LangChain tools in `tools.toolset` call these with the business from the run-time
context; the local brain and tests call them directly. Each raises `AppError`s for
answers a person can act on (no such product, several fit); the tool wrappers turn those
into `ToolError`s.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence

from sqlmodel.ext.asyncio.session import AsyncSession

from core.catalog_match import (
    CatalogProduct,
    ProductMatch,
    items_with_options,
    match_products,
    option_value,
    resolve_product,
    sku_shaped,
    without_codes,
)
from core.errors import Conflict, NotFound
from core.sku import SKU_FORMAT
from store.catalog import items as catalog_items
from tools.catalog_source import CatalogSource
from tools.product_vectors import ProductVectors
from tools.results import (
    FindProductsResult,
    InventoryResult,
    ItemInfo,
    LowStockResult,
    OptionsResult,
    ProductInfo,
)

MAX_RESULTS = 10
# Option names customers and models use for the same variant type.
_OPTION_NAME_ALIASES = {"colour": "color", "colours": "color", "colors": "color", "sizes": "size"}


async def _product_with_details(source: CatalogSource, product_id: uuid.UUID) -> CatalogProduct:
    catalog = await source.products([product_id])
    if not catalog.products:
        raise NotFound("No such product.")
    return catalog.products[0]


async def _by_sku(source: CatalogSource, text: str) -> tuple[CatalogProduct, str] | None:
    """The product of the first SKU in `text` this business has, with that SKU.

    The whole text is a candidate when it is one word of SKU characters (a SKU such as
    "BAGBLK" has no digit or hyphen to give it away), then every SKU-shaped word in it.
    """
    whole = text.strip()
    candidates = [whole.upper()] if SKU_FORMAT.fullmatch(whole) else []
    for candidate in dict.fromkeys([*candidates, *sku_shaped(text)]):
        found = await source.by_sku(candidate)
        if found is not None:
            return found
    return None


async def find_products(
    source: CatalogSource,
    query: str,
    *,
    limit: int = 5,
    product_vectors: ProductVectors | None = None,
) -> FindProductsResult:
    """Products `query` refers to: by exact SKU, else by name (typos tolerated), else by
    meaning (when `product_vectors` is given)."""
    limit = max(1, min(limit, MAX_RESULTS))
    by_sku = await _by_sku(source, query)
    if by_sku is not None:
        product, sku = by_sku
        return FindProductsResult(
            query=query, products=[ProductInfo.of(product, matched_by="sku", sku=sku)]
        )
    # Known SKUs were looked up above; an unknown code's fragments name nothing.
    words = without_codes(query)
    names = await source.active_names()
    matches = match_products(names, words, limit=limit)
    if matches:
        return FindProductsResult(
            query=query,
            products=await _detailed(source, matches),
            ambiguous=len(matches) > 1 and resolve_product(matches) is None,
        )
    if product_vectors is None:
        return FindProductsResult(query=query, products=[])
    ranked = await product_vectors.rank(words, names.products, limit=limit)
    semantic = [ProductMatch(p, round(score * 100, 1), "semantic") for p, score in ranked]
    return FindProductsResult(query=query, products=await _detailed(source, semantic))


async def _detailed(source: CatalogSource, matches: Sequence[ProductMatch]) -> list[ProductInfo]:
    """ProductInfo for each match, in the matches' order, with options and items loaded."""
    catalog = await source.products([m.product.id for m in matches])
    return [
        ProductInfo.of(
            catalog.by_id[m.product.id],
            matched_by="semantic" if m.how == "semantic" else "name",
            score=m.score,
        )
        for m in matches
        if m.product.id in catalog.by_id
    ]


async def resolve_named_product(source: CatalogSource, product: str) -> CatalogProduct:
    """The one product `product` names: an id, a SKU, or a name (typos tolerated).

    Raises NotFound when nothing matches and a 409 `ambiguous_product` naming the
    candidates when several fit equally well.
    """
    try:
        return await _product_with_details(source, uuid.UUID(product.strip()))
    except ValueError:
        pass
    by_sku = await _by_sku(source, product)
    if by_sku is not None:
        return by_sku[0]
    matches = match_products(await source.active_names(), without_codes(product))
    chosen = resolve_product(matches)
    if chosen is not None:
        return await _product_with_details(source, chosen.product.id)
    if matches:
        names = [m.product.name for m in matches]
        raise Conflict(
            f"Several products match '{product}': {', '.join(names)}. Which one is meant?",
            details={"candidates": names},
            code="ambiguous_product",
        )
    raise NotFound(f"No product matches '{product}'.")


def _option_name(asked: str, product: CatalogProduct) -> str | None:
    key = asked.strip().lower()
    key = _OPTION_NAME_ALIASES.get(key, key)
    for name in product.variants:
        folded = name.lower()
        if _OPTION_NAME_ALIASES.get(folded, folded) == key:
            return name
    return None


def _offered(product: CatalogProduct) -> str:
    """The product's options in words: "Size: S, M, L; Color: Black, Brown"."""
    if not product.variants:
        return f"The {product.name} has no options."
    listed = "; ".join(f"{name}: {', '.join(values)}" for name, values in product.variants.items())
    return f"The {product.name} comes in {listed}."


def _spelled(options: Mapping[str, str]) -> str:
    return ", ".join(f"{name} {value}" for name, value in options.items())


def chosen_options(product: CatalogProduct, asked: Mapping[str, str]) -> dict[str, str]:
    """The asked options as this product spells them.

    Option names match loosely ("colour" = "Color"); values by unified spelling or a
    close misspelling ("medium" = "M", "blk" = "Black"). A value asked under a name the
    product does not have is looked for in every option type. Raises NotFound
    (`unknown_option`) naming what the product does come in when a value fits none.
    """
    chosen: dict[str, str] = {}
    for asked_name, asked_value in asked.items():
        name = _option_name(asked_name, product)
        names = [name] if name is not None else list(product.variants)
        found = next(
            (
                (candidate, value)
                for candidate in names
                if (value := option_value(asked_value, product.variants[candidate])) is not None
            ),
            None,
        )
        if found is None:
            raise NotFound(
                f"The {product.name} does not come in {asked_name} '{asked_value}'. "
                + _offered(product),
                details={"option": asked_name, "value": asked_value},
                code="unknown_option",
            )
        chosen[found[0]] = found[1]
    return chosen


async def get_inventory(
    source: CatalogSource,
    *,
    sku: str | None = None,
    product: str | None = None,
    options: Mapping[str, str] | None = None,
) -> InventoryResult:
    """Price, stock and active flag of a SKU, or of a product's SKUs with given options.

    With `product` and no `options`, every SKU of the product is listed. Options the
    product does not offer, or a combination no SKU has, raise NotFound with what it
    does come in, so the model can say so instead of guessing.
    """
    if sku:
        hit = await source.by_sku(sku)
        if hit is None:
            raise NotFound(f"No item has the SKU '{sku.strip().upper()}'.", code="unknown_sku")
        found, stored = hit
        match = [i for i in found.items if i.sku == stored]
        return InventoryResult(product=found.name, items=[ItemInfo.of(found, i) for i in match])
    if not product:
        raise NotFound("Say which product (or SKU) to look up.")
    resolved = await resolve_named_product(source, product)
    chosen = chosen_options(resolved, options or {})
    matching = items_with_options(resolved, chosen, active_only=False)
    if not matching:
        raise NotFound(
            f"There is no {resolved.name} in {_spelled(chosen)}. " + _offered(resolved)
            if chosen
            else f"The {resolved.name} has no SKUs yet.",
            details={"options": chosen},
            code="no_such_item",
        )
    return InventoryResult(
        product=resolved.name,
        options_asked=chosen,
        items=[ItemInfo.of(resolved, item) for item in matching],
    )


async def list_options(source: CatalogSource, product: str) -> OptionsResult:
    """A product's option values (sizes, colours...) and which are in stock somewhere."""
    resolved = await resolve_named_product(source, product)
    in_stock: dict[str, list[str]] = {}
    for name, values in resolved.variants.items():
        stocked = {item.options.get(name) for item in resolved.items if item.in_stock}
        in_stock[name] = [value for value in values if value in stocked]
    return OptionsResult(
        product=resolved.name,
        options={name: list(values) for name, values in resolved.variants.items()},
        in_stock_values=in_stock,
    )


async def list_low_stock(
    session: AsyncSession, business_id: uuid.UUID, *, threshold: int = 5, limit: int = 20
) -> LowStockResult:
    """Active SKUs of active products at or under `threshold` units, scarcest first."""
    threshold = max(0, threshold)
    views, total = await catalog_items.low_stock(
        session, business_id, threshold=threshold, page=1, limit=max(1, min(limit, 100))
    )
    return LowStockResult(
        threshold=threshold,
        total=total,
        items=[
            ItemInfo(
                sku=view.item.sku,
                product_name=view.product_name,
                options={o.option_name: o.value for o in view.item.variant_options},
                price=view.item.price,
                stock_quantity=view.item.stock_quantity,
                is_active=view.item.is_active,
                in_stock=view.item.is_active and view.item.stock_quantity > 0,
            )
            for view in views
        ],
    )

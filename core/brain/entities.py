"""What a customer's message names in this business's catalog: SKUs, product, options, count.

All matching is `core.catalog_match`'s, so the brain and the tools resolve the same words to
the same product. On top of it, this module decides which product the message is about:

1. a SKU written in the message names its product (when all SKUs are of one product);
2. else the best name match, when it is clearly ahead (`resolve_product`);
3. else, among name matches tied with the best, the only one that has an option the
   message names ("how much for the red dress": two dresses, one comes in red);
4. else, among those tied, the only one still named when the customer's own things ("my
   laptop") are left out;
5. else, when the message names no product at all, the product of the newest earlier
   message that named one ("what about in black?"), with that message's options kept
   unless this one names others.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

from rapidfuzz import fuzz, process

from core.brain.quantities import quantity_in
from core.brain.sentiment import is_shouting
from core.brain.slang import SLANG, expand
from core.brain.understanding import Entities, ProductSource
from core.catalog_match import (
    COLOUR_WORDS,
    OPTION_FUZZY_CUTOFF,
    Catalog,
    CatalogItem,
    CatalogProduct,
    ProductMatch,
    canonical_option,
    could_be_misspelt,
    fold,
    is_measure,
    items_with_options,
    match_products,
    options_in_text,
    resolve_product,
    sku_shaped,
    skus_in_text,
    tokens,
)

# How many earlier messages to search for the product a follow-up refers to.
HISTORY_DEPTH: Final = 3
# Name matches within this many points of the best are "tied" for option tie-breaking; the
# same margin `resolve_product` uses to call the best match clear.
TIE_MARGIN: Final = 8.0
# SKU-shaped words that are really times, prices, ordinals or heights ("10am", "40k",
# "2nd", "5ft6"); measures ("250ml", "128GB") are `catalog_match.is_measure`.
_NOT_SKU: Final = re.compile(r"\d+(?:am|pm|k|st|nd|rd|th|pcs|x|yrs?|ft\d*)", re.IGNORECASE)
_SIZE_SAID: Final = re.compile(r"\bsize ([a-z0-9]+)\b")
# A thing the customer says is theirs ("my laptop", "our car"): the word after a
# possessive.
_POSSESSED: Final = re.compile(r"\b(?:my|our|his|her|their)\s+[\w-]+", re.IGNORECASE)


@dataclass(frozen=True)
class _Mention:
    """The product one message is about, how it was found, and what it said about it."""

    product: CatalogProduct | None
    how: ProductSource | None
    skus: tuple[tuple[CatalogProduct, CatalogItem], ...] = ()
    matches: tuple[ProductMatch, ...] = ()
    options: Mapping[str, str] = field(default_factory=dict)


def extract_entities(text: str, catalog: Catalog, *, history: Sequence[str] = ()) -> Entities:
    """Resolve `text` against `catalog`; `history` (oldest first) supplies a product that a
    follow-up leaves unnamed. Pure: the same inputs give the same `Entities`."""
    mention = _mention(catalog, text)
    unknown = unknown_skus(catalog, text)
    if mention.product is None and not mention.matches and not unknown:
        earlier = _from_history(catalog, history)
        if earlier is not None:
            earlier_product, said_before = earlier
            options = {**said_before, **_options(text, earlier_product)}
            mention = _Mention(earlier_product, "history", options=options)
    product = mention.product
    name_words = _name_words(mention)
    return Entities(
        skus=mention.skus,
        unknown_skus=unknown,
        products=mention.matches,
        product=product,
        options=dict(mention.options),
        option_words=() if product else _option_words(catalog, text),
        items=_items(mention),
        quantity=quantity_in(expand(text), name_words),
        unmatched_options=_unmatched_options(text, product, mention.options) if product else (),
        product_found_by=mention.how,
    )


def unknown_skus(catalog: Catalog, text: str) -> tuple[str, ...]:
    """SKU-shaped words that no item has: a letter and a digit, or written upper-case with
    a hyphen in a message that is not all capitals ("ZZZ-999", "BAG-RED"); never a
    measure or time ("250ml", "128GB", "10am"), nor a word of the catalog's own product
    names or option values ("20000mAh", "128GB")."""
    found: list[str] = []
    for candidate in sku_shaped(text):
        if candidate in catalog.by_sku or candidate.lower() in catalog.own_words:
            continue
        if _NOT_SKU.fullmatch(candidate) or is_measure(candidate):
            continue
        if candidate.lower() in SLANG:  # "2moro", "2day"
            continue
        has_letter = any(c.isalpha() for c in candidate)
        has_digit = any(c.isdigit() for c in candidate)
        written_upper = (
            "-" in candidate
            and not is_shouting(text)
            and re.search(rf"\b{re.escape(candidate)}\b", text) is not None
        )
        if has_letter and (has_digit or written_upper):
            found.append(candidate)
    return tuple(dict.fromkeys(found))


def _mention(catalog: Catalog, text: str) -> _Mention:
    """The product `text` itself is about (steps 1-4 of the module docstring)."""
    skus = tuple(skus_in_text(catalog, text))
    matches = tuple(match_products(catalog, text))
    sku_products = {p.id: p for p, _ in skus}
    if len(sku_products) == 1:
        product = next(iter(sku_products.values()))
        items = [item for _, item in skus]
        options = dict(items[0].options) if len(items) == 1 else {}
        return _Mention(product, "sku", skus, matches, options)
    clear = resolve_product(matches, margin=TIE_MARGIN)
    if clear is not None and not skus:
        return _Mention(clear.product, "name", skus, matches, _options(text, clear.product))
    by_option = _tie_broken_by_option(text, matches)
    if by_option is not None and not skus:
        return _Mention(by_option, "option", skus, matches, _options(text, by_option))
    not_owned = _tie_broken_by_possession(catalog, text, matches)
    if not_owned is not None and not skus:
        return _Mention(not_owned, "name", skus, matches, _options(text, not_owned))
    return _Mention(None, None, skus, matches)


def _tie_broken_by_possession(
    catalog: Catalog, text: str, matches: Sequence[ProductMatch]
) -> CatalogProduct | None:
    """Among products tied with the best name match, the only one still named when the
    customer's own things are left out: in "can the charger charge my laptop?" the laptop
    is theirs, so the charger is asked about, not the Laptop Sleeve."""
    if len(matches) < 2:
        return None
    tied = {m.product.id for m in matches if matches[0].score - m.score < TIE_MARGIN}
    rest = _POSSESSED.sub(" ", text)
    if rest == text:
        return None
    named = [m.product for m in match_products(catalog, rest) if m.product.id in tied]
    return named[0] if len(named) == 1 else None


def _tie_broken_by_option(text: str, matches: Sequence[ProductMatch]) -> CatalogProduct | None:
    """The one product, among those tied with the best name match, that has an option the
    text names; None when none or several do."""
    if not matches:
        return None
    tied = [m.product for m in matches if matches[0].score - m.score < TIE_MARGIN]
    with_option = [p for p in tied if _options(text, p)]
    return with_option[0] if len(with_option) == 1 else None


def _options(text: str, product: CatalogProduct) -> dict[str, str]:
    return options_in_text(text, product.variants)


def _from_history(
    catalog: Catalog, history: Sequence[str]
) -> tuple[CatalogProduct, Mapping[str, str]] | None:
    """The product (and its options) of the newest of the last few earlier messages that
    names one."""
    for earlier in list(reversed(history))[:HISTORY_DEPTH]:
        mention = _mention(catalog, earlier)
        if mention.product is not None:
            return mention.product, mention.options
    return None


def _items(mention: _Mention) -> tuple[CatalogItem, ...]:
    """Items of the product having every chosen option; a SKU names its own item."""
    if mention.product is None:
        return ()
    if mention.how == "sku":
        return tuple(item for _, item in mention.skus)
    return tuple(items_with_options(mention.product, mention.options))


def _name_words(mention: _Mention) -> set[str]:
    """Name tokens of the products in play, for counting "3 linen shirts"."""
    products = [m.product for m in mention.matches]
    if mention.product is not None:
        products.append(mention.product)
    return {token for p in products for token in tokens(p.name)}


def _option_like(text: str, values: Sequence[str]) -> list[str]:
    """Which of `values` the text names, by the same rules as a product's options.

    Values none of whose words appear in the text, even misspelt, are dropped first: the
    full rules run per value, and most of a catalog's values are never mentioned.
    """
    words = fold(text).split()
    said = {canonical_option(w) for w in words}
    said |= {canonical_option(f"{a} {b}") for a, b in itertools.pairwise(words)}
    candidates = [value for value in values if _could_be_said(_canonical(value), said)]
    if not candidates:
        return []
    return list(options_in_text(text, {value: (value,) for value in candidates}).values())


@functools.lru_cache(maxsize=4096)
def _canonical(value: str) -> str:
    return canonical_option(value)


def _could_be_said(value: str, said: set[str]) -> bool:
    if all(part in said for part in value.split()):
        return True
    long_words = [w for w in said if could_be_misspelt(w)]
    return (
        len(value) >= 4
        and process.extractOne(
            value, long_words, scorer=fuzz.ratio, score_cutoff=OPTION_FUZZY_CUTOFF
        )
        is not None
    )


def _option_words(catalog: Catalog, text: str) -> tuple[str, ...]:
    """Option values of any product in this catalog (and common colours) the text names."""
    catalog_values = {
        canonical_option(v): v for p in catalog.products for vs in p.variants.values() for v in vs
    }
    values = {**{c: c for c in COLOUR_WORDS}, **catalog_values}
    return tuple(dict.fromkeys(_option_like(text, sorted(values.values()))))


def _unmatched_options(
    text: str, product: CatalogProduct, chosen: Mapping[str, str]
) -> tuple[str, ...]:
    """Colours and sizes said about `product` that it does not come in ("tote in purple")."""
    own = {canonical_option(v) for vs in product.variants.values() for v in vs}
    in_name = set(tokens(product.name))
    said = _option_like(text, sorted(COLOUR_WORDS))
    said += _SIZE_SAID.findall(expand(text))
    picked = {canonical_option(v) for v in chosen.values()}
    unmatched = [
        word
        for word in said
        if canonical_option(word) not in own | picked and canonical_option(word) not in in_name
    ]
    return tuple(dict.fromkeys(unmatched))

"""The local brain's answers, composed from this turn's tool results only: pure.

Every figure, price, SKU and policy in an answer is copied from a tool result; when the
tools found nothing, the answer says so and how to add it. Nothing is made up.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final

from agents.assistant import prompts
from agents.assistant.facts import TurnFacts
from agents.assistant.plan import named_product
from agents.assistant.requests import OwnerRequest
from agents.profile_edits import ProfileEdit, describe_edit, target_label
from core.brain.policy_topics import POLICY_TOPICS, gives_address, policy_topics
from core.brain.slang import expand
from core.business_profile import FIELD_LABELS, PROFILE_FIELDS, describe_value, is_filled
from core.catalog_match import tokens
from tools.results import (
    ContextSearchResult,
    ContextSnippet,
    FindProductsResult,
    InventoryResult,
    ItemInfo,
    LowStockResult,
    ProductInfo,
    ProfileResult,
    ProfileUpdateResult,
    ToolError,
)

# A context snippet this similar to the question is about it (FINDINGS.md: related
# sentences score 0.46 and up with MiniLM, unrelated ones 0.12 and below).
CONTEXT_CUTOFF: Final = 0.4
# A snippet on the policy topic the question names may be this far from the question as a
# whole ("What address do customers pick up from?" is 0.31 from "Our kitchen is at ...").
ON_TOPIC_CUTOFF: Final = 0.25
# What a snippet's ranking gains per content word it shares with the question, for being
# on the question's topic, and for stating an address asked for: the embedding alone ranks
# sentences by their overall gist, not by whether they say what was asked.
SHARED_WORD_WEIGHT: Final = 0.03
ON_TOPIC_WEIGHT: Final = 0.1
ADDRESS_WEIGHT: Final = 0.15
# A second snippet this close to the nearest one is quoted with it.
SECOND_SNIPPET_GAP: Final = 0.05
MAX_LISTED: Final = 10
_ASKS_WHERE: Final = re.compile(r"\b(?:address|where|located|location|directions?)\b")


def money(amount: Decimal) -> str:
    """A price as shown to the owner: thousands separated, two decimals."""
    return f"{amount:,.2f}"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _options(options: Mapping[str, str]) -> str:
    return ", ".join(options.values())


@dataclass(frozen=True)
class _Question:
    """What a snippet is ranked against: the question's words, topics and whether it asks
    for a place."""

    words: frozenset[str]
    topics: frozenset[str]
    asks_where: bool

    @classmethod
    def of(cls, text: str, topic: str | None = None) -> _Question:
        expanded = expand(text)
        topics = set(policy_topics(expanded)) | ({topic} if topic else set())
        return cls(frozenset(tokens(text)), frozenset(topics), bool(_ASKS_WHERE.search(expanded)))

    def on_topic(self, snippet: ContextSnippet) -> bool:
        """Whether the snippet is about a policy topic the question names."""
        return bool(self.topics & _snippet_topics(snippet))

    def rank(self, snippet: ContextSnippet) -> float:
        """The snippet's similarity, plus what it shares with the question."""
        shared = len(self.words & set(tokens(snippet.text)))
        rank = snippet.score + SHARED_WORD_WEIGHT * shared
        if self.on_topic(snippet):
            rank += ON_TOPIC_WEIGHT
        if self.asks_where and gives_address(expand(snippet.text)):
            rank += ADDRESS_WEIGHT
        return rank

    def fits(self, snippet: ContextSnippet) -> bool:
        """Near enough to the question, or to the topic it names, to be quoted."""
        cutoff = ON_TOPIC_CUTOFF if self.on_topic(snippet) else CONTEXT_CUTOFF
        return snippet.score >= cutoff


def _snippet_topics(snippet: ContextSnippet) -> set[str]:
    expanded = expand(snippet.text)
    return set(policy_topics(expanded)) | ({"location"} if gives_address(expanded) else set())


def best_snippet(
    facts: TurnFacts, sources: Sequence[str] | None = None, question: str = ""
) -> ContextSnippet | None:
    """The context snippet found this turn that best answers the question, if any is
    about it: ranked by similarity and by what it shares with the question."""
    found = facts.last("search_business_context", ContextSearchResult)
    if found is None:
        return None
    asked = _Question.of(question)
    fitting = [
        s
        for s in found.snippets
        if asked.fits(s) and (sources is None or s.source_field in sources)
    ]
    return max(fitting, key=asked.rank, default=None)


def context_answer(
    facts: TurnFacts,
    sources: Sequence[str] | None = None,
    topic: str | None = None,
    question: str = "",
) -> str | None:
    """The owner's own words on the question: the best snippet, and a second one about
    as near or, for a policy topic, near enough and on that topic too (where we deliver,
    then where we do not); None when nothing is near."""
    asked = _Question.of(question, topic)
    best = best_snippet(facts, sources, question)
    if best is None:
        return None
    found = facts.last("search_business_context", ContextSearchResult)
    shared_topics = asked.topics & _snippet_topics(best)

    def also(snippet: ContextSnippet) -> bool:
        if best.score - snippet.score <= SECOND_SNIPPET_GAP and snippet.score >= CONTEXT_CUTOFF:
            return True
        return asked.fits(snippet) and bool(shared_topics & _snippet_topics(snippet))

    seconds = [
        s
        for s in (found.snippets if found else [])
        if s.text != best.text and (sources is None or s.source_field in sources) and also(s)
    ]
    seconds.sort(key=asked.rank, reverse=True)
    return prompts.CONTEXT_LEAD + " ".join([best.text, *(s.text for s in seconds[:1])])


def _profile(facts: TurnFacts) -> dict[str, Any]:
    result = facts.last("get_business_profile", ProfileResult)
    return dict(result.profile) if result is not None else {}


# --- profile changes --------------------------------------------------------------------


def _change_phrase(edit: ProfileEdit, result: ProfileUpdateResult | ToolError) -> str:
    label = target_label(edit.target)
    if isinstance(result, ToolError):
        return f"I couldn't change your {label}: {result.error}"
    if not result.changed:
        value = describe_value(result.field, result.value)
        return f"Your {label} already says that ({value}), so nothing changed."
    return f"I {describe_edit({result.field: result.value}, edit)}."


def answer_update(request: OwnerRequest, text: str, facts: TurnFacts) -> str:
    """What each requested change did, read back from the updated profile."""
    phrases = []
    for edit, fact in zip(request.edits, facts.of_tool("update_business_profile"), strict=False):
        result = fact.result
        if isinstance(result, ProfileUpdateResult | ToolError):
            phrases.append(_change_phrase(edit, result))
    if not phrases:
        return "I couldn't make that change. Please try again in a moment."
    lead = "Done! " if facts.profile_changes() else ""
    return lead + " ".join(phrases)


def answer_fill(request: OwnerRequest, text: str, facts: TurnFacts) -> str:
    """Ask for the value of the target the owner wants to set, showing the current one."""
    target = request.target or "name"
    label = target_label(target)
    field, _, key = target.partition(".")
    current = _profile(facts).get(field)
    if key:
        current = current.get(key) if isinstance(current, Mapping) else None
    now = f" Right now it's: {describe_value(field, current)}." if is_filled(current) else ""
    return (
        f"Sure! What should your {label} be?{now} Tell me like this: "
        f'"{prompts.fill_example(target, label)}".'
    )


# --- catalog and stock --------------------------------------------------------------------


def _item_line(item: ItemInfo) -> str:
    options = f" ({_options(item.options)})" if item.options else ""
    sale = "" if item.is_active else ", not on sale"
    return f"- {item.sku}{options}: {item.stock_quantity} in stock at {money(item.price)}{sale}"


def _not_found(found: FindProductsResult | None) -> str:
    guesses = [p.name for p in found.products] if found is not None else []
    if found is not None and found.ambiguous:
        return f"Several products match: {', '.join(guesses)}. Which one do you mean?"
    if guesses:
        return f"{prompts.NO_PRODUCT} The closest I have: {', '.join(guesses)}."
    return prompts.NO_PRODUCT


def _stock_text(inventory: InventoryResult) -> str:
    chosen = _options(inventory.options_asked)
    name = f"{inventory.product} ({chosen})" if chosen else inventory.product
    on_sale = [item for item in inventory.items if item.is_active]
    total = sum(item.stock_quantity for item in on_sale)
    unit = "unit" if total == 1 else "units"
    lines = [f"You have {total} {unit} of {name} in stock."]
    lines.extend(_item_line(item) for item in inventory.items[:MAX_LISTED])
    return "\n".join(lines)


def answer_stock(request: OwnerRequest, text: str, facts: TurnFacts) -> str:
    """Units in stock of the product (and options) asked about, SKU by SKU.

    The inventory tool's refusals ("The Leather Bag does not come in Red. It comes in
    ...") are written for people and are passed on as they are.
    """
    found = facts.last("find_products", FindProductsResult)
    if named_product(found) is None:
        return _not_found(found)
    errors = facts.errors("get_inventory")
    if errors:
        return errors[0].error
    inventory = facts.last("get_inventory", InventoryResult)
    if inventory is None:
        return _not_found(found)
    return _stock_text(inventory)


def answer_low_stock(request: OwnerRequest, text: str, facts: TurnFacts) -> str:
    """The SKUs at or under the threshold, scarcest first."""
    low = facts.last("list_low_stock", LowStockResult)
    if low is None:
        return "I couldn't check your stock right now. Please try again in a moment."
    if low.total == 0:
        return f"Nothing is running low: every item on sale has more than {low.threshold} units."
    lines = [f"{low.total} item{'s' if low.total != 1 else ''} at {low.threshold} units or fewer:"]
    for item in low.items[:MAX_LISTED]:
        options = f" ({_options(item.options)})" if item.options else ""
        lines.append(f"- {item.product_name}{options}, {item.sku}: {item.stock_quantity} left")
    if low.total > min(len(low.items), MAX_LISTED):
        lines.append(f"...and {low.total - min(len(low.items), MAX_LISTED)} more.")
    return "\n".join(lines)


def _product_line(product: ProductInfo) -> str:
    if product.price_min == product.price_max:
        price = money(product.price_min)
    else:
        price = f"{money(product.price_min)} to {money(product.price_max)}"
    options = "; ".join(f"{name}: {', '.join(values)}" for name, values in product.options.items())
    return f"- {product.name}: {price}, {product.total_stock} in stock" + (
        f" ({options})" if options else ""
    )


def _priced_items(inventory: InventoryResult) -> str:
    """The SKUs with the options asked about: price first, then stock."""
    lines = [f"{inventory.product} ({_options(inventory.options_asked)}):"]
    for item in inventory.items[:MAX_LISTED]:
        options = f" ({_options(item.options)})" if item.options else ""
        sale = "" if item.is_active else ", not on sale"
        lines.append(
            f"- {item.sku}{options}: {money(item.price)}, {item.stock_quantity} in stock{sale}"
        )
    return "\n".join(lines)


def answer_catalog(request: OwnerRequest, text: str, facts: TurnFacts) -> str:
    """The products the question names, with prices and stock; else the profile's overview."""
    found = facts.last("find_products", FindProductsResult)
    inventory = facts.last("get_inventory", InventoryResult)
    if inventory is not None and named_product(found) is not None:
        return _priced_items(inventory)
    if found is not None and found.products:
        lines = ["Here's what I found in your catalog:"]
        lines.extend(_product_line(p) for p in found.products[:MAX_LISTED])
        return "\n".join(lines)
    told = context_answer(facts, sources=("fact",), question=text)
    if told is not None:
        return told
    overview = _profile(facts).get("products_services_overview")
    if is_filled(overview):
        return (
            f"From your profile, you sell: {overview}. Ask me about a product by name for its "
            "prices and stock."
        )
    return f"{prompts.NO_PRODUCT} You can add products on the Products page."


# --- profile and policies -------------------------------------------------------------------


def _field_line(field: str, value: Any) -> str:
    return f"{_capital(FIELD_LABELS[field])}: {describe_value(field, value)}"


def answer_profile(request: OwnerRequest, text: str, facts: TurnFacts) -> str:
    """The fields asked about, or the whole profile with what is still missing."""
    result = facts.last("get_business_profile", ProfileResult)
    if result is None:
        return "I couldn't read your profile right now. Please try again in a moment."
    profile = result.profile
    if request.fields:
        return "\n".join(_field_line(f, profile.get(f)) for f in request.fields)
    lines = [f"Here's your business profile ({result.completeness}% complete):"]
    lines.extend(f"- {_field_line(f, profile.get(f))}" for f in PROFILE_FIELDS)
    if result.missing:
        missing = ", ".join(target_label(gap) for gap in result.missing)
        lines.append(f"Still missing: {missing}.")
    return "\n".join(lines)


def answer_policy(request: OwnerRequest, text: str, facts: TurnFacts) -> str:
    """The policy asked about from the profile, else from what the owner told CHIDI."""
    policies = _profile(facts).get("policies") or {}
    aspect = request.policy
    if aspect is not None:
        label = target_label(f"policies.{aspect}")
        if is_filled(policies.get(aspect)):
            return f"Your {label}: {policies[aspect]}."
        told = context_answer(
            facts,
            sources=("fact",),
            topic=aspect if aspect in POLICY_TOPICS else None,
            question=text,
        )
        if told is not None:
            return told
        example = prompts.fill_example(f"policies.{aspect}", label)
        return f'You haven\'t set your {label} yet. To add it, say: "{example}".'
    if is_filled(policies):
        return f"Your policies: {describe_value('policies', policies)}."
    told = context_answer(facts, question=text)
    if told is not None:
        return told
    return "You haven't set any policies yet. Tell me your opening hours, delivery and returns."


def answer_other(request: OwnerRequest, text: str, facts: TurnFacts) -> str:
    """What the business context says about the question, or a polite refusal."""
    return context_answer(facts, question=text) or prompts.OFF_TOPIC


Composer = Callable[[OwnerRequest, str, TurnFacts], str]
_COMPOSERS: Final[dict[str, Composer]] = {
    "update": answer_update,
    "fill": answer_fill,
    "stock": answer_stock,
    "low_stock": answer_low_stock,
    "catalog": answer_catalog,
    "profile": answer_profile,
    "policy": answer_policy,
    "other": answer_other,
}
_FIXED: Final[dict[str, str]] = {
    "greeting": prompts.GREETING,
    "thanks": prompts.THANKS,
    "help": prompts.HELP,
}


def compose_answer(
    request: OwnerRequest, text: str, facts: TurnFacts, *, onboarding_complete: bool = True
) -> str:
    """The local brain's answer to `request`, from this turn's tool results."""
    if request.kind == "setup":
        return prompts.SETUP_DONE if onboarding_complete else prompts.SETUP_PENDING
    if request.kind in _FIXED:
        return _FIXED[request.kind]
    return _COMPOSERS[request.kind](request, text, facts)

"""Which tools the local brain calls for a request, one round at a time: pure.

The LLM brain lets the model choose tool calls; the local brain chooses them here from the
kind of request (`requests.classify_request`) and the results so far, so both brains run
the same tools through the same tool node with the same run-time context. An empty plan
means the results are in and the answer can be composed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from agents.assistant.facts import TurnFacts
from agents.assistant.requests import OwnerRequest
from agents.profile_edits import ProfileEdit, ProfileValueError, apply_edit
from core.business_profile import is_filled
from core.catalog_match import options_in_text
from tools.results import FindProductsResult, ProductInfo, ProfileResult


@dataclass(frozen=True)
class PlannedCall:
    """One tool call: the tool's name and its arguments (never the business)."""

    tool: str
    args: dict[str, Any] = field(default_factory=dict)


PROFILE_CALL = PlannedCall("get_business_profile")


def _edit_value(edit: ProfileEdit, profile: Mapping[str, Any] | None) -> str:
    """The text the tool is to store for `edit`: the new value, "" to clear, or for an
    "append" the current text with the addition (read from `profile`)."""
    if edit.mode == "clear":
        return ""
    if edit.mode == "append" and profile is not None:
        try:
            updated = apply_edit(profile, edit).get(edit.field)
        except ProfileValueError:
            return edit.value or ""  # the tool refuses it with the rule's own words
        if edit.key is not None:
            updated = updated.get(edit.key) if isinstance(updated, Mapping) else None
        return str(updated or "")
    return edit.value or ""


def edit_call(edit: ProfileEdit, profile: Mapping[str, Any] | None = None) -> PlannedCall:
    """The `update_business_profile` call that makes `edit` (a policy or a handle is set
    by its key, leaving the others as they are)."""
    value = _edit_value(edit, profile)
    return PlannedCall(
        "update_business_profile",
        {"field": edit.field, "value": value if edit.key is None else {edit.key: value}},
    )


def _plan_update(request: OwnerRequest, facts: TurnFacts) -> list[PlannedCall]:
    if "update_business_profile" in facts.tools:
        return []
    appends = any(edit.mode == "append" for edit in request.edits)
    profile = facts.last("get_business_profile", ProfileResult)
    if appends and profile is None and "get_business_profile" not in facts.tools:
        return [PROFILE_CALL]
    current = profile.profile if profile is not None else None
    return [edit_call(edit, current) for edit in request.edits]


def named_product(found: FindProductsResult | None) -> ProductInfo | None:
    """The one product a search settled on (by SKU or name, not a guess by meaning)."""
    if found is None or not found.products or found.ambiguous:
        return None
    product = found.products[0]
    return product if product.matched_by != "semantic" else None


def inventory_call(product: ProductInfo, text: str) -> PlannedCall:
    """Stock of the SKU found, or of the product's SKUs with the options the text names."""
    if product.matched_by == "sku" and product.sku:
        return PlannedCall("get_inventory", {"sku": product.sku})
    options = options_in_text(text, product.options)
    args: dict[str, Any] = {"product": product.id}
    if options:
        args["options"] = options
    return PlannedCall("get_inventory", args)


def _plan_stock(text: str, facts: TurnFacts) -> list[PlannedCall]:
    if "find_products" not in facts.tools:
        return [PlannedCall("find_products", {"query": text})]
    product = named_product(facts.last("find_products", FindProductsResult))
    if product is None or "get_inventory" in facts.tools:
        return []
    return [inventory_call(product, text)]


def _plan_policy(request: OwnerRequest, text: str, facts: TurnFacts) -> list[PlannedCall]:
    """The profile first; the context store only if the profile lacks the answer (saves
    embedding the question in the common case)."""
    if not facts.facts:
        return [PROFILE_CALL]
    if "search_business_context" in facts.tools:
        return []
    profile = facts.last("get_business_profile", ProfileResult)
    policies = profile.profile.get("policies") if profile is not None else None
    known = policies if isinstance(policies, Mapping) else {}
    answered = is_filled(known.get(request.policy)) if request.policy else is_filled(known)
    return [] if answered else [PlannedCall("search_business_context", {"query": text})]


def _first_round(request: OwnerRequest, text: str) -> list[PlannedCall]:
    """The calls that answer the single-round kinds of request."""
    plans: dict[str, list[PlannedCall]] = {
        "low_stock": [PlannedCall("list_low_stock")],
        "catalog": [PlannedCall("find_products", {"query": text}), PROFILE_CALL],
        "profile": [PROFILE_CALL],
        "fill": [PROFILE_CALL],
        "other": [PlannedCall("search_business_context", {"query": text})],
    }
    return plans.get(request.kind, [])


def next_calls(request: OwnerRequest, text: str, facts: TurnFacts) -> list[PlannedCall]:
    """The tool calls to make next for `request` (said as `text`), given this turn's
    results so far; [] when it is time to answer."""
    if request.kind == "update":
        return _plan_update(request, facts)
    if request.kind == "stock":
        return _plan_stock(text, facts)
    if request.kind == "policy":
        return _plan_policy(request, text, facts)
    if request.kind == "catalog" and facts.facts:
        return _plan_catalog_options(text, facts) or _plan_catalog_miss(text, facts)
    return [] if facts.facts else _first_round(request, text)


def _plan_catalog_options(text: str, facts: TurnFacts) -> list[PlannedCall]:
    """A question about one product in named options ("what do I charge for the 50 piece
    platter?") is answered by those SKUs, not the product's whole price range."""
    product = named_product(facts.last("find_products", FindProductsResult))
    if product is None or "get_inventory" in facts.tools:
        return []
    if not options_in_text(text, product.options):
        return []
    return [inventory_call(product, text)]


def _plan_catalog_miss(text: str, facts: TurnFacts) -> list[PlannedCall]:
    """A catalog-sounding question no product answers ("how much notice do I need for
    party orders?") may be answered by what the owner told CHIDI."""
    found = facts.last("find_products", FindProductsResult)
    if "search_business_context" in facts.tools or (found is not None and found.products):
        return []
    return [PlannedCall("search_business_context", {"query": text})]

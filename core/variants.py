"""Variant rules: option types and values, their combinations, and reconciling items.

A product has option types ("Size", "Color"), each with values ("S", "M"; "Red"). Every
combination of one value per type is a potential sellable item. Labels compare
case-insensitively with whitespace collapsed, so "red " and "Red" are the same value.
Pure functions: the store and API layers translate rows and requests to these types.
"""

from __future__ import annotations

import itertools
import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

MAX_OPTION_TYPES = 5
MAX_VALUES_PER_OPTION = 50
MAX_COMBINATIONS = 500
MAX_LABEL_LENGTH = 100

# One value per option type, in the product's option order: (("Size", "S"), ("Color", "Red")).
Combination = tuple[tuple[str, str], ...]
CombinationKey = frozenset[tuple[str, str]]


@dataclass(frozen=True)
class VariantSpec:
    """One option type and its values, in display order."""

    option_name: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Problem:
    """Why part of a request is invalid; `field` is a dotted path into the request."""

    field: str
    message: str


class VariantError(ValueError):
    """A variant structure or option selection broke a rule; carries every problem found."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in problems))
        self.problems = tuple(problems)


def clean_label(text: str) -> str:
    """A label as stored: trimmed, inner runs of whitespace collapsed to one space."""
    return " ".join(text.split())


def label_key(text: str) -> str:
    """What two labels are compared by (case- and spacing-insensitive)."""
    return clean_label(text).casefold()


def _label_problem(field: str, label: str, what: str) -> Problem | None:
    cleaned = clean_label(label)
    if not cleaned:
        return Problem(field, f"{what} must not be empty.")
    if len(cleaned) > MAX_LABEL_LENGTH:
        return Problem(field, f"{what} must be at most {MAX_LABEL_LENGTH} characters.")
    return None


def _value_problems(index: int, values: Sequence[str]) -> list[Problem]:
    base = f"variants.{index}.values"
    if not values:
        return [Problem(base, "An option type needs at least one value.")]
    if len(values) > MAX_VALUES_PER_OPTION:
        return [Problem(base, f"At most {MAX_VALUES_PER_OPTION} values per option type.")]
    problems: list[Problem] = []
    seen: set[str] = set()
    for position, value in enumerate(values):
        field = f"{base}.{position}"
        problem = _label_problem(field, value, "An option value")
        if problem is None and label_key(value) in seen:
            problem = Problem(field, f"The value '{clean_label(value)}' is listed twice.")
        if problem is not None:
            problems.append(problem)
        seen.add(label_key(value))
    return problems


def variant_problems(specs: Sequence[VariantSpec]) -> list[Problem]:
    """Every rule `specs` breaks: names unique per product, values unique per type, sizes."""
    if len(specs) > MAX_OPTION_TYPES:
        return [Problem("variants", f"At most {MAX_OPTION_TYPES} option types per product.")]
    problems: list[Problem] = []
    seen: set[str] = set()
    for index, spec in enumerate(specs):
        field = f"variants.{index}.option_name"
        problem = _label_problem(field, spec.option_name, "An option name")
        if problem is None and label_key(spec.option_name) in seen:
            problem = Problem(
                field, f"The option '{clean_label(spec.option_name)}' is defined twice."
            )
        if problem is not None:
            problems.append(problem)
        seen.add(label_key(spec.option_name))
        problems.extend(_value_problems(index, spec.values))
    if not problems and combination_count(specs) > MAX_COMBINATIONS:
        problems.append(
            Problem(
                "variants",
                f"These options make {combination_count(specs)} "
                f"combinations; the limit is {MAX_COMBINATIONS}.",
            )
        )
    return problems


def clean_specs(specs: Sequence[VariantSpec]) -> tuple[VariantSpec, ...]:
    """`specs` with labels cleaned, after checking them; raises `VariantError` if invalid."""
    problems = variant_problems(specs)
    if problems:
        raise VariantError(problems)
    return tuple(
        VariantSpec(clean_label(s.option_name), tuple(clean_label(v) for v in s.values))
        for s in specs
    )


def combination_count(specs: Sequence[VariantSpec]) -> int:
    """How many combinations `specs` make (1 for a product without options)."""
    return math.prod(len(spec.values) for spec in specs)


def combinations(specs: Sequence[VariantSpec]) -> list[Combination]:
    """Every combination of one value per option type: option order, then value order.

    A product without options has exactly one combination, the empty one: its single item.
    """
    per_type = [[(spec.option_name, value) for value in spec.values] for spec in specs]
    return [tuple(combo) for combo in itertools.product(*per_type)]


def combination_key(combination: Combination) -> CombinationKey:
    """The identity of a combination, independent of option order, case and spacing."""
    return frozenset((label_key(name), label_key(value)) for name, value in combination)


def combination_values(combination: Combination) -> list[str]:
    """The values of a combination, in option order (what a generated SKU is made of)."""
    return [value for _, value in combination]


def resolve_combination(
    specs: Sequence[VariantSpec], chosen: Sequence[tuple[str, str]], field: str = "variant_options"
) -> Combination:
    """The canonical combination a request names, in option order with stored labels.

    Every option type must be named exactly once with one of its values. Raises
    `VariantError` naming what is wrong otherwise.
    """
    by_name = {label_key(spec.option_name): spec for spec in specs}
    picked: dict[str, str] = {}
    problems: list[Problem] = []
    for index, (name, value) in enumerate(chosen):
        spec = by_name.get(label_key(name))
        if spec is None:
            problems.append(
                Problem(
                    f"{field}.{index}.option_name",
                    f"The product has no option '{clean_label(name)}'.",
                )
            )
        elif label_key(name) in picked:
            problems.append(
                Problem(
                    f"{field}.{index}.option_name",
                    f"The option '{spec.option_name}' is given twice.",
                )
            )
        else:
            stored = {label_key(v): v for v in spec.values}.get(label_key(value))
            if stored is None:
                problems.append(
                    Problem(
                        f"{field}.{index}.value",
                        f"'{clean_label(value)}' is not a value of '{spec.option_name}'.",
                    )
                )
            picked[label_key(name)] = stored or value
    missing = [spec.option_name for spec in specs if label_key(spec.option_name) not in picked]
    if missing and not problems:
        problems.append(Problem(field, "A value is needed for: " + ", ".join(missing) + "."))
    if problems:
        raise VariantError(problems)
    return tuple((spec.option_name, picked[label_key(spec.option_name)]) for spec in specs)


def extend_specs(
    specs: Sequence[VariantSpec], chosen: Sequence[tuple[str, str]]
) -> tuple[VariantSpec, ...]:
    """`specs` with any value `chosen` names for an existing option type appended to it.

    Adding a single item for "XL" to a product sold in S-L extends its Size values; names
    of option types the product lacks are left for `resolve_combination` to refuse.
    """
    extra: dict[str, list[str]] = {}
    for name, value in chosen:
        extra.setdefault(label_key(name), []).append(clean_label(value))
    extended = []
    for spec in specs:
        known = {label_key(v) for v in spec.values}
        added: dict[str, str] = {}
        for value in extra.get(label_key(spec.option_name), []):
            if value and label_key(value) not in known:
                added.setdefault(label_key(value), value)
        extended.append(VariantSpec(spec.option_name, spec.values + tuple(added.values())))
    return tuple(extended)


@dataclass(frozen=True)
class ItemState:
    """What reconciliation needs to know about an existing inventory item.

    `combination` is None when the item's options no longer exist on the product (it was
    retired by an earlier change); such an item never matches a combination again.
    """

    item_id: uuid.UUID
    combination: Combination | None
    sku: str
    price: Decimal
    stock_quantity: int
    is_active: bool


@dataclass(frozen=True)
class Survivor:
    """An item whose combination is still offered, with its labels as now spelled."""

    item: ItemState
    combination: Combination


@dataclass(frozen=True)
class Reconciliation:
    """How an item set changes when the option structure goes from old to new.

    - kept: active items whose combination survives; SKU, price and stock unchanged.
    - retained_inactive: inactive items whose combination survives; they stay inactive
      (the owner switched them off), but keep pointing at their options.
    - deactivated: active items whose combination is gone.
    - created: combinations that are new in this structure and have no active item.
    Combinations that existed before but have no active item (the owner left them out or
    deleted them) are not brought back.
    """

    kept: tuple[Survivor, ...]
    retained_inactive: tuple[Survivor, ...]
    deactivated: tuple[ItemState, ...]
    created: tuple[Combination, ...]

    @property
    def changes_items(self) -> bool:
        """Whether any item is created or deactivated."""
        return bool(self.deactivated or self.created)


def reconcile(
    items: Sequence[ItemState], old: Sequence[VariantSpec], new: Sequence[VariantSpec]
) -> Reconciliation:
    """Plan the item changes for a product whose options change from `old` to `new`."""
    offered = {combination_key(c): c for c in combinations(new)}
    previously = {combination_key(c) for c in combinations(old)}
    kept: list[Survivor] = []
    retained: list[Survivor] = []
    deactivated: list[ItemState] = []
    covered: set[CombinationKey] = set()
    for item in items:
        key = combination_key(item.combination) if item.combination is not None else None
        target = offered.get(key) if key is not None else None
        if target is None:
            if item.is_active:
                deactivated.append(item)
        elif item.is_active:
            kept.append(Survivor(item, target))
            covered.add(combination_key(target))
        else:
            retained.append(Survivor(item, target))
    created = tuple(
        combo for key, combo in offered.items() if key not in covered and key not in previously
    )
    return Reconciliation(tuple(kept), tuple(retained), tuple(deactivated), created)

"""Variant rules: structure validation, combinations, resolution and reconciliation."""

from __future__ import annotations

import math
import uuid
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.variants import (
    MAX_COMBINATIONS,
    Combination,
    ItemState,
    VariantError,
    VariantSpec,
    clean_specs,
    combination_key,
    combinations,
    extend_specs,
    reconcile,
    resolve_combination,
    variant_problems,
)

SIZE_COLOR = (VariantSpec("Size", ("S", "M", "L")), VariantSpec("Color", ("Red", "Blue")))

# Small vocabularies so that generated old and new structures overlap often.
names = st.sampled_from(["Size", "Color", "Material", "Fit"])
values = st.sampled_from(["S", "M", "L", "Red", "Blue", "Cotton", "Slim"])


@st.composite
def structures(draw: st.DrawFn) -> tuple[VariantSpec, ...]:
    """A valid option structure: distinct names, each with distinct values."""
    chosen = draw(st.lists(names, unique=True, max_size=3))
    return tuple(
        VariantSpec(name, tuple(draw(st.lists(values, unique=True, min_size=1, max_size=4))))
        for name in chosen
    )


def item(combination: Combination | None, *, active: bool = True, stock: int = 3) -> ItemState:
    return ItemState(
        uuid.uuid4(), combination, f"SKU-{uuid.uuid4().hex[:8]}", Decimal("9.99"), stock, active
    )


def test_combinations_follow_option_then_value_order() -> None:
    assert combinations(SIZE_COLOR) == [
        (("Size", "S"), ("Color", "Red")),
        (("Size", "S"), ("Color", "Blue")),
        (("Size", "M"), ("Color", "Red")),
        (("Size", "M"), ("Color", "Blue")),
        (("Size", "L"), ("Color", "Red")),
        (("Size", "L"), ("Color", "Blue")),
    ]


def test_a_product_without_options_has_one_empty_combination() -> None:
    assert combinations(()) == [()]


def test_duplicate_names_and_values_are_reported_with_their_fields() -> None:
    specs = [
        VariantSpec("Size", ("S", " s ")),
        VariantSpec(" size", ("M",)),
        VariantSpec("Color", ()),
    ]
    problems = {p.field: p.message for p in variant_problems(specs)}
    assert set(problems) == {"variants.0.values.1", "variants.1.option_name", "variants.2.values"}
    assert "listed twice" in problems["variants.0.values.1"]
    assert "defined twice" in problems["variants.1.option_name"]


def test_blank_labels_and_oversized_structures_are_refused() -> None:
    assert [p.field for p in variant_problems([VariantSpec("  ", ("a",))])] == [
        "variants.0.option_name"
    ]
    big = [VariantSpec(f"O{i}", tuple(f"v{j}" for j in range(10))) for i in range(3)]
    problems = variant_problems(big)
    assert [p.field for p in problems] == ["variants"]
    assert str(MAX_COMBINATIONS) in problems[0].message


def test_clean_specs_collapses_whitespace() -> None:
    assert clean_specs([VariantSpec("  Shoe   size ", (" 42 ",))]) == (
        VariantSpec("Shoe size", ("42",)),
    )
    with pytest.raises(VariantError):
        clean_specs([VariantSpec("Size", ("S", "S"))])


def test_resolution_is_order_and_case_insensitive_and_uses_stored_labels() -> None:
    assert resolve_combination(SIZE_COLOR, [("color", "BLUE"), ("SIZE", "m")]) == (
        ("Size", "M"),
        ("Color", "Blue"),
    )


@pytest.mark.parametrize(
    ("chosen", "field"),
    [
        ([("Size", "S")], "variant_options"),
        ([("Size", "S"), ("Color", "Green")], "variant_options.1.value"),
        ([("Size", "S"), ("Colour", "Red")], "variant_options.1.option_name"),
        ([("Size", "S"), ("size", "M"), ("Color", "Red")], "variant_options.1.option_name"),
    ],
)
def test_resolution_names_the_bad_field(chosen: list[tuple[str, str]], field: str) -> None:
    with pytest.raises(VariantError) as caught:
        resolve_combination(SIZE_COLOR, chosen)
    assert [p.field for p in caught.value.problems] == [field]


def test_reconcile_keeps_survivors_deactivates_removed_and_creates_new() -> None:
    old = (VariantSpec("Size", ("S", "M")),)
    new = (VariantSpec("size", ("s", "L")),)
    small, medium = item((("Size", "S"),)), item((("Size", "M"),))
    plan = reconcile([small, medium], old, new)
    assert [(s.item, s.combination) for s in plan.kept] == [(small, (("size", "s"),))]
    assert plan.deactivated == (medium,)
    assert plan.created == ((("size", "L"),),)


def test_reconcile_leaves_switched_off_items_and_omitted_combinations_alone() -> None:
    old = (VariantSpec("Size", ("S", "M", "L")),)
    new = (VariantSpec("Size", ("S", "M", "L", "XL")),)
    off = item((("Size", "S"),), active=False)
    medium = item((("Size", "M"),))
    # L was never stocked (explicit item subset) and S was switched off by the owner.
    plan = reconcile([off, medium], old, new)
    assert [s.item for s in plan.kept] == [medium]
    assert [s.item for s in plan.retained_inactive] == [off]
    assert plan.created == ((("Size", "XL"),),)
    assert plan.deactivated == ()


def test_adding_the_first_option_retires_the_default_item() -> None:
    default = item(())
    plan = reconcile([default], (), (VariantSpec("Size", ("S", "M")),))
    assert plan.deactivated == (default,)
    assert plan.created == ((("Size", "S"),), (("Size", "M"),))


@given(structures())
def test_cartesian_count_is_the_product_of_value_counts(specs: tuple[VariantSpec, ...]) -> None:
    combos = combinations(specs)
    assert len(combos) == math.prod(len(s.values) for s in specs)
    assert len({combination_key(c) for c in combos}) == len(combos)
    assert all([name for name, _ in c] == [s.option_name for s in specs] for c in combos)


@given(structures())
def test_generated_structures_are_valid_and_every_combination_resolves(
    specs: tuple[VariantSpec, ...],
) -> None:
    assert variant_problems(specs) == []
    for combo in combinations(specs):
        shuffled = [(name.upper(), value.lower()) for name, value in reversed(combo)]
        assert resolve_combination(specs, shuffled) == combo


@given(structures(), structures(), st.data())
def test_reconcile_preserves_survivors_exactly(
    old: tuple[VariantSpec, ...], new: tuple[VariantSpec, ...], data: st.DataObject
) -> None:
    old_combos = combinations(old)
    picked = data.draw(st.lists(st.sampled_from(old_combos), unique=True))
    items = [
        item(c, active=data.draw(st.booleans()), stock=data.draw(st.integers(0, 50)))
        for c in picked
    ]
    plan = reconcile(items, old, new)
    new_keys = {combination_key(c) for c in combinations(new)}
    old_keys = {combination_key(c) for c in old_combos}

    for survivor in plan.kept:
        assert survivor.item in items
        assert survivor.item.is_active
        assert combination_key(survivor.combination) == combination_key(
            survivor.item.combination or ()
        )
    assert all(not s.item.is_active for s in plan.retained_inactive)
    assert all(
        d.is_active and combination_key(d.combination or ()) not in new_keys
        for d in plan.deactivated
    )

    # Every active item is either kept or deactivated, never both, never lost.
    active = [i for i in items if i.is_active]
    assert sorted(map(id, active)) == sorted(
        [id(s.item) for s in plan.kept] + [id(d) for d in plan.deactivated]
    )

    created = {combination_key(c) for c in plan.created}
    kept = {combination_key(s.combination) for s in plan.kept}
    assert len(created) == len(plan.created)
    assert created <= new_keys - old_keys
    assert not created & kept
    # Every new combination ends up with an active item.
    assert new_keys - old_keys <= created | kept


def test_extending_adds_new_values_of_known_options_only() -> None:
    extended = extend_specs(
        SIZE_COLOR, [("size", " xl "), ("Color", "red"), ("Fit", "Slim"), ("SIZE", "XL")]
    )
    assert extended == (VariantSpec("Size", ("S", "M", "L", "xl")), SIZE_COLOR[1])
    assert resolve_combination(extended, [("Size", "XL"), ("Color", "Blue")]) == (
        ("Size", "xl"),
        ("Color", "Blue"),
    )
